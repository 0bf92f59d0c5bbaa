"""Run by tests/test_distributed.py under torchrun: fit argan on the table at argv[1] (a CSV read
with pandas, or a Parquet file given as a path, so each process streams it) with the
parameters of argv[2] (JSON) and write this process's weights to argv[3] with its rank in the name.
argv[4], when given, is the least number of steps an epoch takes (a few, to compare weights before
float rounding has compounded over many optimizer steps)."""

from __future__ import annotations

import json
import os
import sys

import pandas as pd
from safetensors.torch import save_file

from synthgan import Synthesizer
from synthgan.training import likelihood

if len(sys.argv) > 4:
    likelihood.MIN_STEPS_PER_EPOCH = int(sys.argv[4])

table = sys.argv[1] if sys.argv[1].endswith(".parquet") else pd.read_csv(sys.argv[1])
params, output = json.loads(sys.argv[2]), sys.argv[3]
model = Synthesizer("argan", **params).fit(table)
weights = {name: tensor.contiguous() for name, tensor in model.generator_.state_dict().items()}
save_file(weights, output.replace("RANK", os.environ["RANK"]), metadata={"stop_reason": model.stop_reason_})
