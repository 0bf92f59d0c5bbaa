"""The peers' virtual environments: made by the harness under ``benchmarks/.envs/`` (git-ignored).

Every peer gets its own environment so that no peer ever becomes a dependency of synthgan and no
two peers fight over versions. Each environment that gets PyTorch gets the local CPU build pinned
through ``constraints.txt`` (``torch==2.13.0``): an unpinned torch makes pip download a multi-GB
CUDA build. The outcome of each set-up (ok or not, why, versions) is kept in ``.envs/NAME.json``
and copied into every result row, so a peer that does not install is reported, never dropped.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENVS_DIR = Path(os.environ.get("SYNTHGAN_PEER_ENVS", ROOT / "benchmarks" / ".envs"))
CONSTRAINTS = ROOT / "constraints.txt"
MAIN = "main"


@dataclass(frozen=True)
class EnvSpec:
    name: str
    requirements: tuple[str, ...]
    # Highest Python the peer supports, as (major, minor); None: the harness's own Python.
    max_python: tuple[int, int] | None = None
    torch: bool = False
    # Packages removed after the install (they break the import and are not needed for tables).
    uninstall: tuple[str, ...] = ()
    # Python run in the environment to prove the peer imports (workarounds included).
    probe: str = ""
    # Distributions whose versions go into the results.
    report: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)


# The ydata-synthetic 2.0.1 release calls an undefined ``warn`` in its package __init__; the
# adapter (and this probe) puts ``warn`` into builtins before the import. See adapters.ydata_import.
YDATA_PROBE = (
    "import builtins, warnings; builtins.warn = getattr(builtins, 'warn', warnings.warn); "
    "from ydata_synthetic.synthesizers.regular import RegularSynthesizer; "
    "from ydata_synthetic.synthesizers import ModelParameters, TrainParameters"
)

SPECS: dict[str, EnvSpec] = {
    MAIN: EnvSpec(
        name=MAIN,
        requirements=(),
        probe="import ctgan, synthgan",
        report=("synthgan", "ctgan", "torch", "sdmetrics", "scikit-learn", "pandas", "numpy"),
        notes=("synthgan's own environment (.venv with the 'bench' extra); the ctgan package runs here",),
    ),
    "sdv": EnvSpec(
        name="sdv",
        requirements=("sdv==2.0.0", "pyarrow"),
        torch=True,
        probe="from sdv.single_table import CTGANSynthesizer, TVAESynthesizer, GaussianCopulaSynthesizer",
        report=("sdv", "ctgan", "rdt", "copulas", "torch", "pandas", "numpy"),
    ),
    "ydata": EnvSpec(
        name="ydata",
        requirements=("ydata-synthetic==2.0.1", "tensorflow==2.15.1", "pyarrow<18"),
        max_python=(3, 11),
        probe=YDATA_PROBE,
        report=("ydata-synthetic", "tensorflow", "tensorflow-probability", "pandas", "numpy"),
        notes=(
            "ydata-synthetic 2.0.1 needs TensorFlow 2.15 and Python < 3.12",
            "its __init__ calls an undefined `warn`: the harness defines builtins.warn before importing it",
        ),
    ),
    "synthcity": EnvSpec(
        name="synthcity",
        requirements=("synthcity==0.2.12", "pyarrow"),
        torch=True,
        probe="from synthcity.plugins import Plugins",
        report=("synthcity", "torch", "pandas", "numpy"),
        notes=(
            "synthcity 0.2.12 (its latest release) requires torch>=2.1,<2.3 and numpy<2: it cannot share the "
            "pinned torch 2.13.0 CPU build, and an older torch from the registry is a multi-GB CUDA download",
        ),
    ),
    "mostlyai": EnvSpec(
        name="mostlyai",
        requirements=("mostlyai-engine==2.7.3", "pyarrow"),
        torch=True,
        uninstall=("torchvision", "torchaudio"),
        probe="from mostlyai import engine",
        report=("mostlyai-engine", "torch", "transformers", "pandas", "numpy"),
        notes=(
            "the torchvision/torchaudio wheels it pulls in fail to import beside the CPU torch build: "
            "the harness uninstalls them (not needed for tables)",
        ),
    ),
}


def env_dir(name: str) -> Path:
    return ENVS_DIR / name


def python_of(name: str) -> Path:
    """The interpreter that runs a peer of environment ``name``."""
    if name == MAIN:
        return Path(sys.executable)
    return env_dir(name) / "bin" / "python"


def status_of(name: str) -> dict:
    """What the last set-up of ``name`` said: {'ok': bool, 'reason': str, 'versions': {...}, ...}."""
    if name == MAIN:
        return {"ok": True, "env": MAIN, "python": sys.version.split()[0], "versions": versions(MAIN)}
    path = ENVS_DIR / f"{name}.json"
    if not path.is_file():
        return {
            "ok": False,
            "env": name,
            "reason": f"environment '{name}' not set up (run: python benchmarks/peers.py --setup {name})",
        }
    return json.loads(path.read_text())


def versions(name: str) -> dict[str, str]:
    spec = SPECS[name]
    if name == MAIN:
        from importlib.metadata import PackageNotFoundError, version

        out = {}
        for dist in spec.report:
            try:
                out[dist] = version(dist)
            except PackageNotFoundError:
                out[dist] = "not installed"
        return out
    code = (
        "import json\nfrom importlib.metadata import version\nout={}\n"
        f"for d in {list(spec.report)!r}:\n"
        "    try: out[d]=version(d)\n    except Exception: out[d]='not installed'\nprint(json.dumps(out))"
    )
    done = subprocess.run([str(python_of(name)), "-c", code], capture_output=True, text=True, timeout=120)
    return json.loads(done.stdout) if done.returncode == 0 else {}


def find_python(max_python: tuple[int, int] | None) -> str | None:
    """A Python >= 3.11 not newer than ``max_python`` (the harness's own when it fits)."""
    base = getattr(sys, "_base_executable", sys.executable)
    if max_python is None or sys.version_info[:2] <= max_python:
        return base
    major, minor = max_python
    candidates = [shutil.which(f"python{major}.{minor}")]
    for root in (os.environ.get("PYENV_ROOT"), os.path.expanduser("~/.pyenv"), "/root/.pyenv"):
        if root:
            candidates += sorted(glob.glob(f"{root}/versions/{major}.{minor}.*/bin/python3"), reverse=True)
    return next((c for c in candidates if c and os.access(c, os.X_OK)), None)


def _tail_errors(text: str, lines: int = 12) -> str:
    """The lines of pip's output that say why (the resolver's 'conflict is caused by' block first)."""
    text = "\n".join(line for line in text.splitlines() if "WARNING: Location" not in line)
    if "The conflict is caused by:" in text:
        block = text.split("The conflict is caused by:", 1)[1].split("\n\n", 1)[0]
        return "conflict: " + "; ".join(line.strip() for line in block.splitlines() if line.strip())
    wanted = [line for line in text.splitlines() if "ERROR" in line or "error" in line.lower() or "conflict" in line]
    return "\n".join((wanted or text.splitlines())[-lines:])


def setup(name: str, force: bool = False, log=print) -> dict:
    """Create (or re-check) the environment ``name``; return and store its status."""
    spec = SPECS[name]
    if name == MAIN:
        return status_of(MAIN)
    ENVS_DIR.mkdir(parents=True, exist_ok=True)
    status_path = ENVS_DIR / f"{name}.json"
    log_path = ENVS_DIR / f"{name}.log"
    folder = env_dir(name)
    started = time.time()
    status: dict = {"env": name, "requirements": list(spec.requirements), "notes": list(spec.notes)}

    def finish(ok: bool, reason: str = "") -> dict:
        status.update(ok=ok, reason=reason, setup_seconds=round(time.time() - started, 1))
        if ok:
            status["versions"] = versions(name)
        status_path.write_text(json.dumps(status, indent=2) + "\n")
        log(f"[setup {name}] {'ok' if ok else 'FAILED: ' + reason.splitlines()[0] if reason else 'FAILED'}")
        return status

    with log_path.open("a") as stream:

        def step(*command: str, timeout: int = 3600) -> subprocess.CompletedProcess:
            stream.write(f"\n$ {' '.join(command)}\n")
            stream.flush()
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
            stream.write(done.stdout + done.stderr)
            stream.flush()
            return done

        if force and folder.exists():
            shutil.rmtree(folder)
        interpreter = find_python(spec.max_python)
        if interpreter is None:
            return finish(False, f"needs Python <= {spec.max_python[0]}.{spec.max_python[1]}, none found")
        if not (folder / "bin" / "python").exists():
            done = step(interpreter, "-m", "venv", str(folder))
            if done.returncode:
                return finish(False, "python -m venv failed: " + _tail_errors(done.stdout + done.stderr))
        python = str(python_of(name))
        status["python"] = subprocess.run(
            [python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True
        ).stdout.strip()
        pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "-c", str(CONSTRAINTS)]
        if spec.torch:
            done = step(*pip, "torch==2.13.0")
            if done.returncode:
                return finish(False, "torch==2.13.0 (CPU) did not install: " + _tail_errors(done.stdout + done.stderr))
        done = step(*pip, *spec.requirements)
        if done.returncode:
            return finish(
                False,
                "pip could not install " + " ".join(spec.requirements) + ": " + _tail_errors(done.stdout + done.stderr),
            )
        if spec.uninstall:
            step(python, "-m", "pip", "uninstall", "-y", *spec.uninstall)
            status["uninstalled"] = list(spec.uninstall)
        if spec.probe:
            done = step(python, "-c", spec.probe, timeout=600)
            if done.returncode:
                return finish(False, "installed but does not import: " + _tail_errors(done.stdout + done.stderr, 6))
        return finish(True)


def peer_envs() -> list[str]:
    return [name for name in SPECS if name != MAIN]
