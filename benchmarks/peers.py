"""synthgan against the synthesizers users know: same data, same split, same judge, same machine.

    python benchmarks/peers.py --setup                 # make the peers' environments (benchmarks/.envs/)
    python benchmarks/peers.py                         # full run (hours to days on 2 cores, see docs)
    python benchmarks/peers.py --quick                 # 2,000 training rows, 5 epochs, Adult: minutes
    python benchmarks/peers.py --models synthgan_ctgan,ctgan_pkg --datasets adult,credit
    python benchmarks/peers.py --list                  # models, datasets, environments
    python benchmarks/peers.py --report                # docs/benchmarks_peers.md + docs/peers_scatter.png

Results: benchmarks/results/peers.json (full) or peers_quick.json (--quick). Each (model, dataset)
runs in its own process with its library's Python; a peer that does not install, crashes or times
out gets a row that says so and why. See benchmarks/peers/ and docs/benchmarks_peers.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from peers import envs, harness, report


def _names(text: str | None) -> list[str] | None:
    return [name.strip() for name in text.split(",") if name.strip()] if text else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="2,500 rows (2,000 to train), 5 epochs, Adult only")
    parser.add_argument("--models", help="comma-separated model names (see --list); default: all")
    parser.add_argument("--datasets", help="comma-separated dataset names (see --list); default: all (--quick: adult)")
    parser.add_argument("--epochs", type=int, help="epochs for every model that takes them (default: each library's)")
    parser.add_argument("--rows", type=int, help="subsample each dataset to this many rows before the split")
    parser.add_argument("--timeout", type=float, help="seconds per (model, dataset) run (default 6 h; quick 600 s)")
    parser.add_argument("--output", type=Path, help="results JSON (default benchmarks/results/peers[_quick].json)")
    parser.add_argument("--resume", action="store_true", help="keep the pairs that already succeeded in --output")
    parser.add_argument("--fresh", action="store_true", help="start a new results file instead of updating it")
    parser.add_argument("--no-report", action="store_true", help="do not re-render the docs after the run")
    parser.add_argument("--setup", nargs="*", metavar="ENV", help="create the peers' environments (all if none named)")
    parser.add_argument("--force", action="store_true", help="with --setup: recreate the environments")
    parser.add_argument("--report", action="store_true", help="only re-render the docs from the results")
    parser.add_argument("--results", type=Path, help="with --report: the results JSON to render")
    parser.add_argument("--list", action="store_true", help="list models, datasets and environment status")
    args = parser.parse_args(argv)

    if args.setup is not None:
        names = args.setup or envs.peer_envs()
        statuses = [envs.setup(name, force=args.force) for name in names]
        for status in statuses:
            versions = ", ".join(f"{k} {v}" for k, v in (status.get("versions") or {}).items())
            print(f"{status['env']:10s} {'ok' if status['ok'] else 'FAILED'}  {versions or status.get('reason', '')}")
        return 0
    if args.list:
        for model in harness.known_models().values():
            status = envs.status_of(model.env)
            print(f"{model.name:22s} {model.env:10s} {'ready' if status.get('ok') else status.get('reason', '')}")
        print(
            "datasets:",
            ", ".join(
                f"{d.name} ({d.source}{f', {d.rows:,} rows' if d.rows else ''})" for d in harness.DATASETS.values()
            ),
        )
        return 0
    if args.report:
        print(report.render(args.results))
        return 0

    harness.run(
        models=_names(args.models),
        datasets=_names(args.datasets),
        quick=args.quick,
        epochs=args.epochs,
        rows=args.rows,
        timeout=args.timeout,
        output=args.output,
        resume=args.resume,
        fresh=args.fresh,
    )
    if not args.no_report and args.output is None:
        print(report.render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
