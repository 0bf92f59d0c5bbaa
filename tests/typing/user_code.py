"""What a user writes, checked by ``mypy --strict`` in ``make test``: the public API is typed.

Not collected by pytest (nothing here is a test); mypy only reads it.
"""

import pandas as pd

from synthgan import Synthesizer, evaluate, load_dataset

table: pd.DataFrame = load_dataset("adult")
model: Synthesizer = Synthesizer("argan", epochs=1, seed=0).fit(table)
rows: pd.DataFrame = model.sample(100, conditions={"sex": "Female"}, seed=1)
for chunk in model.sample_chunks(1_000, chunk_size=100):
    print(len(chunk))
model.save("adult.synth")
again: Synthesizer = Synthesizer.load("adult.synth")
report = evaluate(real=table, synthetic=rows)
