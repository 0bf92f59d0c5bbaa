"""Every module of synthgan imports on its own: no import circle depends on which module comes first."""

from __future__ import annotations

import subprocess
import sys

# Each module is imported with every synthgan module forgotten first, so it loads its own imports in
# its own order, as in a fresh interpreter (torch, pandas and the like stay loaded: they are not ours).
PROGRAM = """
import importlib, pkgutil, sys
import synthgan

names = sorted(m.name for m in pkgutil.walk_packages(synthgan.__path__, "synthgan.") if not m.name.endswith("__main__"))
failed = []
for name in names:
    for loaded in [key for key in sys.modules if key == "synthgan" or key.startswith("synthgan.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {error!r}")
print(len(names))
print("\\n".join(failed))
"""


def test_every_module_imports_alone():
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    count, *failures = done.stdout.strip().split("\n")
    assert int(count) > 100  # the walk found the package's modules
    assert not [line for line in failures if line], failures
