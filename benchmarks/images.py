"""Image GANs on the 10,000 MNIST test images: training time, FID-style scores, conditional accuracy.

    python benchmarks/images.py                                  # cdcgan, then dcgan, at the settings below
    python benchmarks/images.py --models cdcgan --epochs 30 --width 32
    python benchmarks/images.py --quick                          # 1,000 images, 1 epoch: keeps the script working

The images (``../shared/datasets``, IDX files) are split 80/20 with seed 0: the models train on the
8,000, the evaluation's judge (a small CNN, see synthgan/evaluation/image_judge.py) trains on the same
8,000, and the 2,000 held-out images give the real-vs-real floor of the FID-style score and the
judge's own accuracy. Each model then generates 2,000 images (labels drawn with the real class
frequencies for cdcgan); the figures: fit seconds and seconds per epoch (with the load average),
sampling images/s, FID and its floor, the judge's accuracy on held-out real digits, the accuracy of
conditional samples (does a generated 7 look like a 7?) and the classes produced. One process per
model, one torch thread (the project default). A class-by-class sample grid goes into docs/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))

from common import emit, machine, peak_rss_mb

IMAGES, LABELS = "mnist_t10k-images-idx3-ubyte.gz", "mnist_t10k-labels-idx1-ubyte.gz"
DOCS = Path(__file__).resolve().parent.parent / "docs"
SAMPLES = 2_000


def load_split(quick: bool):
    from synthgan import datasets
    from synthgan.data.image import read_images

    folder = datasets.shared_datasets_dir()
    if folder is None:
        sys.exit("../shared/datasets not found (set SYNTHGAN_DATASETS): the MNIST files are needed.")
    images, labels = read_images(folder / IMAGES, folder / LABELS)
    images = images[:, 0]  # (N, 28, 28), as MNIST is usually held
    order = np.random.default_rng(0).permutation(len(images))
    if quick:
        order = order[:1_000]
    cut = int(0.8 * len(order))
    train, held = np.sort(order[:cut]), np.sort(order[cut:])
    return images[train], labels[train], images[held], labels[held]


def run_one(model: str, quick: bool, epochs: int, width: int, batch_size: int) -> dict:
    from synthgan import Synthesizer, evaluate_images
    from synthgan.data.image import image_grid, write_png

    train, train_labels, held, held_labels = load_split(quick)
    params = {"epochs": 1 if quick else epochs, "width": 16 if quick else width, "batch_size": batch_size}
    synthesizer = Synthesizer(model, seed=0, verbose=False, **params)
    load_before = os.getloadavg()
    start = time.perf_counter()
    synthesizer.fit(train, labels=train_labels if model == "cdcgan" else None)
    fit_seconds = time.perf_counter() - start
    history = synthesizer.history
    start = time.perf_counter()
    synthetic, labels = synthesizer.sample(SAMPLES if not quick else 200, return_labels=True)
    sample_seconds = time.perf_counter() - start
    start = time.perf_counter()
    report = evaluate_images(
        train, synthetic, real_labels=train_labels, synthetic_labels=labels, holdout=held, holdout_labels=held_labels
    )
    evaluate_seconds = time.perf_counter() - start
    figures = report.to_dict()
    if model == "cdcgan":
        per_class = [synthesizer.sample(10, conditions={"label": digit}, seed=digit) for digit in range(10)]
        grid = image_grid(np.concatenate(per_class)[:, None], 10, scale=2)
    else:
        grid = image_grid(synthetic[:100, None], 10, scale=2)
    if not quick:
        write_png(DOCS / f"images_{model}_mnist.png", grid)
    conditional = report["conditional"].tables.get("per_class", [])
    return {
        "model": model,
        "train_images": len(train),
        "held_out_images": len(held),
        "params": {key: synthesizer.params_[key] for key in ("epochs", "batch_size", "width", "ema_decay")},
        "epochs_run": int(history["epoch"].max()),
        "stop_reason": synthesizer.stop_reason_,
        "fit_s": round(fit_seconds, 1),
        "s_per_epoch": round(float(history["seconds"].diff().fillna(history["seconds"]).median()), 2),
        "sample_images_per_s": round(len(synthetic) / sample_seconds),
        "evaluate_s": round(evaluate_seconds, 1),
        "synthetic_images": len(synthetic),
        "fid": round(figures["fid"], 3),
        "fid_floor": round(figures["fid_floor"], 3),
        "fid_ratio": round(figures["fid_ratio"], 2),
        "judge_accuracy": round(figures["judge_accuracy"], 4),
        "conditional_accuracy": None if model != "cdcgan" else round(figures["conditional_accuracy"], 4),
        "per_class_accuracy": {str(row["class"]): round(row["accuracy"], 3) for row in conditional}
        if model == "cdcgan"
        else None,
        "classes_produced": figures["classes_produced"],
        "class_distribution_tv": round(report["coverage"].value("class_distribution_tv"), 4),
        "synthetic_class_shares": {
            str(row["class"]): round(row["synthetic_share"], 3) for row in report["coverage"].tables["classes"]
        },
        "losses_last_epoch": {k: round(v, 3) for k, v in history.iloc[-1].items() if "loss" in k},
        "peak_mem_mb": round(peak_rss_mb()),
        "threads": synthesizer.params_["threads"],
        "load_avg_before_after": [round(load_before[0], 2), round(os.getloadavg()[0], 2)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="cdcgan,dcgan", help="Comma-separated: cdcgan, dcgan.")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--width", type=int, default=32, help="Base channels of both networks.")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--quick", action="store_true", help="1,000 images, 1 epoch, width 16: a smoke run.")
    parser.add_argument("--one", default=None, help=argparse.SUPPRESS)  # internal: one model in-process
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.quick, args.epochs, args.width, args.batch_size)))
        return
    results = []
    for model in args.models.split(","):
        command = [sys.executable, __file__, "--one", model, "--epochs", str(args.epochs), "--width", str(args.width)]
        command += ["--batch-size", str(args.batch_size)] + (["--quick"] if args.quick else [])
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            results.append({"model": model, "error": done.stderr.strip().splitlines()[-3:]})
        else:
            results.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), file=sys.stderr)
    emit(
        {"benchmark": "images", "dataset": "mnist_test", "quick": args.quick, "machine": machine(), "results": results},
        None if args.quick else "images",
    )


if __name__ == "__main__":
    main()
