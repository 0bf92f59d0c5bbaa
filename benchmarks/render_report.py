"""Render an evaluation report in headless Chromium and check that nothing is blank or broken.

    python benchmarks/render_report.py                    # builds a report on embedded Adult, then checks it
    python benchmarks/render_report.py report.html        # checks an existing report
    python benchmarks/render_report.py --out shots/       # where the screenshot goes (default: a temp folder)

Two browser passes over the file, both offline (file:// URL, no network):
1. a copy of the page with a small script appended reports, through the page title read back with
   ``--dump-dom``, how many images it has, which ones failed to decode, and the page height;
2. a full-page screenshot (1280 px wide) of the unmodified page, whose pixels are checked: every 400 px
   band of the page must hold something other than the background colour.
Prints JSON and exits 1 when a check fails. Needs Debian's ``chromium`` (``apt-get install chromium``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTH = 1280
MAX_HEIGHT = 16_000
BAND = 400
PROBE = """<script>
window.addEventListener("load", () => {
  const images = Array.from(document.images);
  const broken = images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt || i.src.slice(0, 40));
  const height = Math.ceil(document.documentElement.scrollHeight);
  document.title = "RENDER " + JSON.stringify({images: images.length, broken: broken, height: height});
});
</script>"""
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]


def find_chromium() -> str | None:
    """The Chromium binary: $CHROMIUM, else chromium / chromium-browser on PATH, else None."""
    candidates = [os.environ.get("CHROMIUM"), shutil.which("chromium"), shutil.which("chromium-browser")]
    return next((c for c in candidates if c and Path(c).exists()), None)


def _chromium(binary: str, args: list[str], timeout: float = 120) -> subprocess.CompletedProcess:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [binary, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def check(report: Path, out_dir: Path, binary: str) -> dict:
    """Render ``report`` and return the findings; ``ok`` is False when anything is broken or blank."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html = report.read_text(encoding="utf-8")
    probe = out_dir / f"{report.stem}.probe.html"
    probe.write_text(html.replace("</body>", PROBE + "</body>", 1), encoding="utf-8")
    dom = _chromium(
        binary, ["--virtual-time-budget=10000", f"--window-size={WIDTH},1000", "--dump-dom", probe.resolve().as_uri()]
    )
    probe.unlink()
    match = re.search(r"<title>RENDER (.*?)</title>", dom.stdout, flags=re.S)
    if match is None:
        return {"ok": False, "error": "the page did not finish loading", "stderr": dom.stderr[-2000:]}
    facts = json.loads(match.group(1).replace("&quot;", '"'))
    height = min(max(facts["height"], 600), MAX_HEIGHT)
    screenshot = out_dir / f"{report.stem}.png"
    shot = _chromium(
        binary, [f"--screenshot={screenshot}", f"--window-size={WIDTH},{height}", report.resolve().as_uri()]
    )
    if not screenshot.exists():
        return {"ok": False, "error": "no screenshot was written", "stderr": shot.stderr[-2000:]}
    blank = _blank_bands(screenshot)
    return {
        "ok": facts["images"] > 0 and not facts["broken"] and not blank,
        "images": facts["images"],
        "broken_images": facts["broken"],
        "page_height": facts["height"],
        "screenshot": str(screenshot),
        "blank_bands": blank,
        "chromium": _version(binary),
    }


def _blank_bands(screenshot: Path) -> list[str]:
    """Pixel ranges of 400 px bands that hold nothing but one flat colour."""
    from matplotlib.image import imread

    pixels = imread(screenshot)[..., :3]
    blank = []
    for top in range(0, pixels.shape[0] - BAND // 2, BAND):
        band = pixels[top : top + BAND]
        if band.std() < 0.01:
            blank.append(f"{top}-{top + len(band)}")
    return blank


def _version(binary: str) -> str:
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def sample_report(path: Path) -> Path:
    """A report on embedded Adult: train, holdout and a perturbed 'synthetic' third, all real rows."""
    import numpy as np

    from synthgan import datasets, evaluate

    table = datasets.load("adult").sample(6000, random_state=0).reset_index(drop=True)
    train, holdout, fake = table.iloc[:2000], table.iloc[2000:4000], table.iloc[4000:].copy()
    fake["age"] = np.random.default_rng(0).permutation(fake["age"].to_numpy())
    report = evaluate(train, fake, holdout, target="income", sensitive=["sex", "race"])
    report.to_html(path)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", nargs="?", type=Path, help="HTML report to check (default: build one on Adult)")
    parser.add_argument("--out", type=Path, default=None, help="folder for the screenshot")
    args = parser.parse_args(argv)
    binary = find_chromium()
    if binary is None:
        print(json.dumps({"ok": False, "error": "chromium not found: apt-get install chromium (or set CHROMIUM)"}))
        return 1
    out_dir = args.out or Path(tempfile.mkdtemp(prefix="synthgan-render-"))
    report = args.report or sample_report(out_dir / "report.html")
    result = check(report, out_dir, binary)
    print(json.dumps(result, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
