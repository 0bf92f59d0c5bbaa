"""argan sampled in float32 (its default) and in bfloat16 from the same fitted model: do the faster
rows keep the quality? One fit per seed on the Adult 80/20 split; each precision samples as many
rows as the training split; the peers' judge scores quality and TSTR, synthgan's detector the rest.

    python benchmarks/argan_precision.py            # seeds 0 and 1; benchmarks/results/argan_bfloat16_quality.json

Speed is measured by ``flagship.py --sampling`` (``--models argan,argan:sample_precision=bfloat16``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, load_split, machine, write_json
from peers import judge

from synthgan import Synthesizer, evaluate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1")
    args = parser.parse_args()
    train, test, _ = load_split("adult")
    discrete = [c for c in train.columns if train[c].dtype == object]
    positive = judge.positive_class(train, "income")
    document: dict = {"machine": machine(), "runs": {}}
    for seed in (int(s) for s in args.seeds.split(",")):
        model = Synthesizer("argan", seed=seed, verbose=False).fit(train)
        for precision in ("float32", "bfloat16"):
            model.params_["sample_precision"] = precision
            fake = model.sample(len(train), seed=seed)
            scores = judge.quality(train, fake, discrete)
            scores["detection_auc"] = evaluate(train, fake, sections=["detection"], seed=0).to_dict()["detection_auc"]
            scores["tstr_auc"] = judge.tstr_auc(fake, test, "income", discrete, positive)
            document["runs"][f"{seed}/{precision}"] = scores
            print(seed, precision, scores, flush=True)
            write_json(document, RESULTS / "argan_bfloat16_quality.json")


if __name__ == "__main__":
    main()
