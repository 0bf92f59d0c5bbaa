"""anonymeter's three attacks (Giomi et al., PoPETs 2023): singling out, linkability, attribute inference.

Each attack is run twice, once against the training rows and once against control rows the
generator never saw (the holdout); anonymeter's risk is ``(attack rate - control rate) /
(1 - control rate)`` with a 95% confidence interval, so a risk near 0 means the synthetic rows
help the attacker no more against the people in the training set than against anyone else.

- **singling out**: predicates (``age == 37 and occupation == 'X'``) built from the synthetic rows
  that match exactly one training row (multivariate: 3 columns per predicate);
- **linkability**: the attacker holds two halves of a record's columns from two sources and links
  them through their nearest synthetic rows;
- **inference**: the attacker knows every other column of a record and reads a secret column
  (the target and the sensitive columns) off the nearest synthetic row.

anonymeter 1.1.0 pins ``numpy < 1.27`` but runs on numpy 2 unchanged; it is optional: install it
with ``pip install --no-deps anonymeter==1.1.0 polars numba`` (the pins would otherwise downgrade
numpy and pyarrow). Without it the report says so and the other privacy figures stand.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd

from synthgan.evaluation.inputs import Tables
from synthgan.evaluation.metrics import LOWER, Section, grade

__all__ = ["FAIR_RISK", "GOOD_RISK", "anonymeter_available", "anonymeter_risks"]

GOOD_RISK, FAIR_RISK = 0.05, 0.15
ATTACKS = 500  # per attack, as anonymeter's examples; fewer when the holdout has fewer rows
# Training rows attacked and control rows: equally many, so the control rate needs no size correction
# (anonymeter fits one for unequal sizes); synthetic rows the attacker searches.
REAL_ROWS, SYNTHETIC_ROWS = 2_000, 5_000
MAX_SECRETS = 3
# Random predicates tried per singling-out attack. anonymeter's default (10 million) keeps drawing for
# minutes on a table with few singling-out predicates; past ~40 per attack no new ones were found
# (4-column test table: 33 found after 20,000 tries and after 100,000).
ATTEMPTS_PER_ATTACK = 50
INSTALL = "pip install --no-deps anonymeter==1.1.0 polars numba"


def anonymeter_available() -> bool:
    try:
        import anonymeter.evaluators  # noqa: F401
    except ImportError:
        return False
    return True


def anonymeter_risks(tables: Tables, section: Section) -> None:
    """Add each attack's risk (metric ``<attack>_risk``) and confidence interval to ``section``."""
    if not tables.has("holdout"):
        return
    if not anonymeter_available():
        section.notes.append(f"anonymeter is not installed: singling-out and linkability risks skipped ({INSTALL}).")
        return
    real_rows = min(REAL_ROWS, tables.rows("holdout"), tables.rows("real"))
    control = _frame(tables, "holdout", real_rows)
    attacks = min(ATTACKS, real_rows // 2)
    if attacks < 20 or len(tables.columns) < 2:
        section.notes.append("anonymeter's attacks need at least 40 holdout rows and two columns; skipped.")
        return
    original, synthetic = _frame(tables, "real", real_rows), _frame(tables, "synthetic", SYNTHETIC_ROWS)
    # Linkability and inference draw their targets with pandas' unseeded ``sample``: handing them
    # exactly ``attacks`` seeded rows makes that draw a reordering, which their counts ignore.
    targets = _targets(tables, original, attacks, "real")
    control_targets = _targets(tables, control, attacks, "holdout")
    rows = []
    for name, run in _attacks(tables, attacks):
        whole_frames = name == "singling_out"  # a predicate must single out one row of the whole table
        with warnings.catch_warnings(), _global_numpy_state_kept():
            # "attack is as good or worse as baseline": its random baseline is not reported (see below);
            # the risk against the control rows is the finding.
            warnings.simplefilter("ignore", UserWarning)
            evaluator = run(
                original if whole_frames else targets, synthetic, control if whole_frames else control_targets
            )
            risk = evaluator.risk()
            rates = evaluator.results()
        value, (low, high) = float(risk.value), (float(risk.ci[0]), float(risk.ci[1]))
        status = grade(value, GOOD_RISK, FAIR_RISK)
        section.add(f"{name}_risk", value, LOWER, note=f"anonymeter risk, 95% CI {low:.3f} to {high:.3f}")
        rows.append(
            {
                "attack": name.replace("_", " "),
                "risk": value,
                "ci_low": low,
                "ci_high": high,
                "attack_rate": float(rates.attack_rate.value),
                "control_rate": float(rates.control_rate.value),
                "verdict": status,
            }
        )
    section.tables["anonymeter"] = rows
    section.notes.append(
        f"anonymeter: {attacks} attacks each on {len(original):,} training, {len(synthetic):,} synthetic and "
        f"{len(control):,} control (holdout) rows; risk = (attack rate - control rate) / (1 - control rate). "
        f"Good ≤ {GOOD_RISK}, fair ≤ {FAIR_RISK}."
    )


def _targets(tables: Tables, frame: pd.DataFrame, n: int, table: str) -> pd.DataFrame:
    """A seeded choice of ``n`` rows of ``frame``: the records an attack targets."""
    rows = tables.rng(f"anonymeter targets:{table}").choice(len(frame), size=min(n, len(frame)), replace=False)
    return frame.iloc[np.sort(rows)]


@contextmanager
def _global_numpy_state_kept() -> Iterator[None]:
    """anonymeter draws from numpy's global generator; the caller's state is put back afterwards.

    Its random-guess baselines (unseeded) are not reported: they vary from run to run and the risk
    does not use them.
    """
    state = np.random.get_state()
    try:
        yield
    finally:
        np.random.set_state(state)


def _frame(tables: Tables, table: str, n: int) -> pd.DataFrame:
    """A seeded subsample as anonymeter reads it: numbers as floats, every other column as text.

    Nulls of a discrete column become a level of their own; dates are the numbers the other
    measures compare.
    """
    rows = tables.sample(table, n, "anonymeter")
    frame = tables.frames[table].iloc[rows]
    columns = {}
    for name in tables.columns:
        if tables.is_numeric(name):
            columns[name] = tables.values[table][name][rows].astype(float)
        else:
            columns[name] = frame[name].astype(object).where(frame[name].notna(), "<null>").astype(str).to_numpy()
    return pd.DataFrame(columns)


def _attacks(tables: Tables, attacks: int) -> list[tuple[str, Any]]:
    from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator

    columns, seed = list(tables.columns), tables.seed

    def singling_out(original, synthetic, control):
        evaluator = SinglingOutEvaluator(
            ori=original,
            syn=synthetic,
            control=control,
            n_attacks=attacks,
            n_cols=min(3, len(columns)),
            seed=seed,
            max_attempts=ATTEMPTS_PER_ATTACK * attacks,
        )
        return evaluator.evaluate(mode="multivariate")

    def linkability(original, synthetic, control):
        halves = (columns[: len(columns) // 2], columns[len(columns) // 2 :])
        evaluator = LinkabilityEvaluator(
            ori=original, syn=synthetic, control=control, n_attacks=attacks, aux_cols=halves, n_neighbors=10
        )
        return evaluator.evaluate(n_jobs=1)

    def inference(secret):
        def run(original, synthetic, control):
            evaluator = InferenceEvaluator(
                ori=original,
                syn=synthetic,
                control=control,
                aux_cols=[c for c in columns if c != secret],
                secret=secret,
                regression=tables.is_numeric(secret),
                n_attacks=attacks,
            )
            return evaluator.evaluate(n_jobs=1)

        return run

    secrets = [c for c in [tables.target, *tables.sensitive] if c is not None][:MAX_SECRETS]
    return [
        ("singling_out", singling_out),
        ("linkability", linkability),
        *((f"inference[{secret}]", inference(secret)) for secret in secrets),
    ]
