"""Privacy: does the synthetic table leak the training rows?

* **Exact copies**: synthetic rows equal to a training row on every compared column, counted on all
  rows, next to how often a fresh real row (the holdout) equals a training row by chance.
* **Distance to closest record (DCR)**: for each synthetic row, the distance to its nearest training
  row and to its nearest holdout row, with equally many training and holdout rows; the share of
  synthetic rows closer to the training set should be near 50%. Higher means the generator memorized.
* **Nearest-neighbour distance ratio (NNDR)**: closest / second-closest training distance; values near 0
  single out one real record (0/0 counts as 1: the row matches several real rows equally).
* **Membership inference**: an attacker holding the synthetic table guesses that records lying close to
  a synthetic row were in the training set; ROC AUC of that guess on training vs holdout records
  (0.5 = no better than chance).
* **DOMIAS** (van Breugel et al., AISTATS 2023): an attacker who also holds real rows from the same
  population (half of the holdout) scores each record by the density ratio
  ``p_synthetic(x) / p_reference(x)``: rows the generator over-represents relative to the population
  are guessed members. ROC AUC on training rows vs the other half of the holdout. Densities are
  nearest-neighbour estimates in the distance encoding.
* **Attribute inference**: an attacker who knows every other column of a real record guesses a
  discrete secret column (the target and sensitive columns) from its nearest synthetic row. Risk
  = (success on training records - success on holdout records) / (1 - success on holdout records),
  as anonymeter defines it.

Distances are Euclidean over the Gower-style encoding of :class:`~synthgan.evaluation.encoding.DistanceEncoder`
on seeded subsamples. anonymeter's own three attacks (singling out, linkability, inference) run too
when it is installed (:mod:`synthgan.evaluation.anonymeter_risks`). Every attack gets its own verdict
(table ``attacks``); the section's verdict is the worst of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synthgan.evaluation.anonymeter_risks import FAIR_RISK, GOOD_RISK, anonymeter_risks
from synthgan.evaluation.encoding import DistanceEncoder, row_hashes
from synthgan.evaluation.inputs import Tables
from synthgan.evaluation.metrics import FAIR, GOOD, INFO, LOWER, POOR, TARGET, Section, Verdict, grade

__all__ = ["privacy"]

GOOD_EXCESS_COPIES, FAIR_EXCESS_COPIES = 0.01, 0.05
GOOD_DCR_DEVIATION, FAIR_DCR_DEVIATION = 0.05, 0.10
GOOD_MIA, FAIR_MIA = 0.55, 0.60
DISTANCE_DECIMALS = 6  # distances are rounded so that equal rows tie exactly despite float error
MAX_SECRETS = 3
DOMIAS_NEIGHBOURS = 1


def privacy(tables: Tables, guarantee: Mapping[str, Any] | None = None) -> Section:
    """The privacy section; ``guarantee`` is the ``privacy_`` record of a model fitted with ``dp_epsilon``."""
    section = Section("privacy", "Privacy")
    _exact_copies(tables, section)
    _distances(tables, section)
    anonymeter_risks(tables, section)
    attacks = _attack_verdicts(section)
    section.tables["attacks"] = attacks
    statuses = [row["verdict"] for row in attacks]
    worst = POOR if POOR in statuses else FAIR if FAIR in statuses else GOOD
    figure = [f"copies {section.value('exact_copy_share'):.1%}"]
    if section.value("dcr_share") is not None:
        figure.append(f"DCR share {section.value('dcr_share'):.2f}")
    if section.value("membership_inference_auc") is not None:
        figure.append(f"MIA AUC {section.value('membership_inference_auc'):.2f}")
    if section.value("domias_auc") is not None:
        figure.append(f"DOMIAS AUC {section.value('domias_auc'):.2f}")
    if guarantee:
        _guarantee(section, guarantee)
        figure.insert(0, f"({guarantee['spent_epsilon']:.3g}, {guarantee['delta']:.0e})-DP")
    section.verdict = Verdict(worst, " · ".join(figure), "the worst of the attacks' verdicts (table 'attacks')")
    return section


# What each attack's verdict reads, and the rule: (attack, metric, how far from no leak, good, fair, result).
_GRADED = (
    (
        "exact copies",
        "exact_copy_share",
        lambda s: s.value("exact_copy_share") - s.value("exact_copy_share_reference"),
        GOOD_EXCESS_COPIES,
        FAIR_EXCESS_COPIES,
        "copies above the rate of fresh real rows",
        lambda s: (
            f"{s.value('exact_copy_share'):.2%} of synthetic rows copy a training row "
            f"(fresh real rows: {s.value('exact_copy_share_reference'):.2%})"
        ),
    ),
    (
        "distance to closest record",
        "dcr_share",
        lambda s: abs(s.value("dcr_share") - 0.5),
        GOOD_DCR_DEVIATION,
        FAIR_DCR_DEVIATION,
        "|DCR share - 0.5|",
        lambda s: f"{s.value('dcr_share'):.1%} of synthetic rows lie closer to a training row than to a holdout row",
    ),
    (
        "membership inference (distance)",
        "membership_inference_auc",
        lambda s: s.value("membership_inference_auc"),
        GOOD_MIA,
        FAIR_MIA,
        "ROC AUC",
        lambda s: f"ROC AUC {s.value('membership_inference_auc'):.3f} telling training from holdout rows",
    ),
    (
        "membership inference (DOMIAS)",
        "domias_auc",
        lambda s: s.value("domias_auc"),
        GOOD_MIA,
        FAIR_MIA,
        "ROC AUC",
        lambda s: f"ROC AUC {s.value('domias_auc'):.3f} telling training from holdout rows",
    ),
)
_MEANING = {GOOD: "no measurable leak", FAIR: "a small leak", POOR: "leaks the training rows"}


def _attack_verdicts(section: Section) -> list[dict[str, Any]]:
    """One row per attack that ran: what it found, its verdict in plain words, and the rule."""
    rows = []
    for attack, key, distance, good, fair, measure, result in _GRADED:
        if section.value(key) is None:
            continue
        status = grade(distance(section), good, fair)
        rows.append(_verdict_row(attack, result(section), status, f"{measure} ≤ {good} good, ≤ {fair} fair"))
    for metric in section.metrics:
        if metric.name.endswith("_risk") or metric.name.startswith("attribute_inference_risk["):
            status = grade(metric.value, GOOD_RISK, FAIR_RISK)
            attack = metric.name.removesuffix("_risk").replace("_", " ")
            source = "anonymeter" if metric.name.endswith("_risk") else "nearest synthetic row"
            rows.append(
                _verdict_row(
                    f"{attack} ({source})",
                    f"risk {metric.value:.3f}",
                    status,
                    f"risk ≤ {GOOD_RISK} good, ≤ {FAIR_RISK} fair",
                )
            )
    return rows


def _verdict_row(attack: str, result: str, status: str, rule: str) -> dict[str, Any]:
    return {"attack": attack, "result": result, "verdict": status, "meaning": _MEANING[status], "rule": rule}


def _guarantee(section: Section, record: Mapping[str, Any]) -> None:
    """The model's differential-privacy record: what holds whatever the attacks find."""
    section.add("dp_epsilon", float(record["spent_epsilon"]), INFO, note=f"target {record['target_epsilon']:g}")
    section.add("dp_delta", float(record["delta"]), INFO)
    keys = (
        "target_epsilon",
        "spent_epsilon",
        "delta",
        "accountant",
        "noise_multiplier",
        "max_grad_norm",
        "sample_rate",
        "steps",
        "data_layer_epsilon",
        "data_noise",
        "declared_columns",
    )
    section.tables["guarantee"] = [{"field": key, "value": record.get(key)} for key in keys if key in record]
    section.notes.insert(
        0,
        f"The model was trained with differential privacy: ({record['spent_epsilon']:.3g}, {record['delta']:.1e})-DP "
        f"over its training rows ({record['accountant']} accountant). The guarantee bounds what any attack can learn "
        "about one person; the attacks below measure what this table leaks in practice.",
    )


def _exact_copies(tables: Tables, section: Section) -> str:
    train = row_hashes(tables, "real")
    copies = np.isin(row_hashes(tables, "synthetic"), train)
    share = float(copies.mean())
    section.add("exact_copies", int(copies.sum()), LOWER, note="synthetic rows equal to a training row")
    section.add("exact_copy_share", share, LOWER)
    if tables.has("holdout"):
        reference = float(np.isin(row_hashes(tables, "holdout"), train).mean())
        note = "share of holdout rows equal to a training row: the rate a fresh real sample shows by chance"
    else:
        reference = float(pd.Series(train).duplicated(keep=False).mean())
        note = "share of training rows with an exact twin in the training table (no holdout given)"
    section.add("exact_copy_share_reference", reference, INFO, note=note)
    excess = share - reference
    section.notes.append(f"Exact copies are counted on all rows over the compared columns ({len(tables.columns)}).")
    return grade(excess, GOOD_EXCESS_COPIES, FAIR_EXCESS_COPIES)


def _distances(tables: Tables, section: Section) -> list[str]:
    from sklearn.metrics import roc_auc_score

    settings = tables.settings
    encoder = tables.cache.get("distance_encoder") or DistanceEncoder(tables)
    tables.cache["distance_encoder"] = encoder
    n = settings.privacy_rows
    has_holdout = tables.has("holdout")
    synthetic_rows = tables.sample("synthetic", n, "privacy")
    m = min(n, tables.rows("real"), tables.rows("holdout")) if has_holdout else min(n, tables.rows("real"))
    if m < 3 or len(synthetic_rows) < 2:
        section.notes.append("Distance-based measures need at least 3 training rows; skipped.")
        return []
    train_rows = tables.sample("real", m, "privacy")
    holdout_rows = tables.sample("holdout", m, "privacy") if has_holdout else None

    def encode(table, rows, enc=encoder):
        return enc.transform(table, rows).astype(np.float64)

    synthetic, train = encode("synthetic", synthetic_rows), encode("real", train_rows)
    to_train = _neighbours(train, synthetic, 2)
    dcr_train, nndr = to_train[:, 0], _ratio(to_train)
    artifacts = {"synthetic_to_train": dcr_train}
    statuses = []
    if has_holdout:
        holdout = encode("holdout", holdout_rows)
        dcr_holdout = _neighbours(holdout, synthetic, 1)[:, 0]
        reference = _neighbours(train, holdout, 2)
        share = float(np.mean(dcr_train < dcr_holdout) + 0.5 * np.mean(dcr_train == dcr_holdout))
        section.add(
            "dcr_share",
            share,
            TARGET,
            target=0.5,
            note="share of synthetic rows closer to a training row than to a holdout row (ties count half)",
        )
        deviation = abs(share - 0.5)
        statuses.append(grade(deviation, GOOD_DCR_DEVIATION, FAIR_DCR_DEVIATION))
        artifacts["synthetic_to_holdout"] = dcr_holdout
        reference_label = "holdout → train"
        # Membership inference: members (training rows) should not sit closer to the synthetic rows.
        to_synthetic = _neighbours(synthetic, np.vstack([train, holdout]), 1)[:, 0]
        labels = np.r_[np.ones(m), np.zeros(m)]
        auc = float(roc_auc_score(labels, -to_synthetic))
        section.add(
            "membership_inference_auc",
            auc,
            TARGET,
            target=0.5,
            note="ROC AUC of 'closer to a synthetic row means member' on training vs holdout rows",
        )
        section.add("membership_advantage", max(0.0, 2 * auc - 1), LOWER)
        statuses.append(grade(auc, GOOD_MIA, FAIR_MIA))
        domias = _domias(synthetic, train, holdout)
        if domias is not None:
            section.add(
                "domias_auc",
                domias,
                TARGET,
                target=0.5,
                note="ROC AUC of DOMIAS' density ratio p_synthetic / p_reference on training vs holdout rows",
            )
            statuses.append(grade(domias, GOOD_MIA, FAIR_MIA))
    else:
        reference = _neighbours(train, None, 2)
        reference_label = "train → other train rows"
        section.notes.append("No holdout: DCR share and membership inference need real rows the generator never saw.")
    artifacts["reference"] = reference[:, 0]
    artifacts["reference_label"] = reference_label
    section.add(
        "dcr_synthetic_p5",
        float(np.percentile(dcr_train, 5)),
        INFO,
        note="5th percentile of synthetic → train distances (0 = copies)",
    )
    section.add("dcr_synthetic_median", float(np.median(dcr_train)), INFO)
    section.add(
        "dcr_reference_p5", float(np.percentile(reference[:, 0], 5)), INFO, note=f"real reference: {reference_label}"
    )
    section.add("dcr_reference_median", float(np.median(reference[:, 0])), INFO)
    section.add(
        "nndr_synthetic_median", float(np.median(nndr)), INFO, note="closest / second-closest training distance"
    )
    section.add(
        "nndr_reference_median", float(np.median(_ratio(reference))), INFO, note=f"real reference: {reference_label}"
    )
    section.tables["distances"] = _distance_rows(dcr_train, artifacts, reference, nndr)
    section.artifacts["dcr"] = artifacts
    section.notes.append(
        f"Distances on seeded subsamples: {len(synthetic_rows):,} synthetic rows against {m:,} training rows"
        + (f" and {m:,} holdout rows (equal sizes, so 50% is the no-memorization share)." if has_holdout else ".")
    )
    if has_holdout and tables.rows("real") > 2 * m:
        section.notes.append(
            f"The DCR share and the membership attack see {m:,} of the {tables.rows('real'):,} training rows (as "
            "many as the holdout offers), so copies of the other training rows are invisible to them; the exact-copy "
            "count covers every row."
        )
    if has_holdout:
        _attribute_inference(tables, section, synthetic_rows, train_rows, holdout_rows)
    return statuses


def _domias(synthetic: np.ndarray, train: np.ndarray, holdout: np.ndarray) -> float | None:
    """DOMIAS' ROC AUC: half the holdout is the attacker's reference data, the other half the non-members.

    Densities are k-nearest-neighbour estimates, ``log p(x) = -d log r_k(x) + const``, so the log
    ratio ranks records by ``log r_k(reference) - log r_k(synthetic)`` (plus the sizes' log ratio,
    the same for every record); unlike a fixed-bandwidth kernel they stay sharp where the generator
    put its mass on one training row.
    """
    from sklearn.metrics import roc_auc_score

    half = len(holdout) // 2
    if half < 10 or len(synthetic) < DOMIAS_NEIGHBOURS + 1:
        return None
    reference, outsiders = holdout[:half], holdout[half:]
    members = train[: len(outsiders)]
    queries = np.vstack([members, outsiders])
    radius = [_neighbours(fitted, queries, DOMIAS_NEIGHBOURS)[:, -1] for fitted in (synthetic, reference)]
    floor = 1e-6
    score = np.log(radius[1] + floor) - np.log(radius[0] + floor)
    labels = np.r_[np.ones(len(members)), np.zeros(len(outsiders))]
    return float(roc_auc_score(labels, score))


def _neighbours(reference: np.ndarray, queries: np.ndarray | None, k: int) -> np.ndarray:
    """Sorted distances from each query row to its k nearest reference rows (None: reference to itself)."""
    from sklearn.neighbors import NearestNeighbors

    k = min(k, len(reference) - (queries is None))
    index = NearestNeighbors(n_neighbors=k, algorithm="brute").fit(reference)
    distances, _ = index.kneighbors(queries)
    return np.round(distances, DISTANCE_DECIMALS)


def _ratio(distances: np.ndarray) -> np.ndarray:
    if distances.shape[1] < 2:
        return np.ones(len(distances))
    first, second = distances[:, 0], distances[:, 1]
    return np.divide(first, second, out=np.ones_like(first), where=second > 0)


def _distance_rows(dcr_train, artifacts, reference, nndr) -> list[dict]:
    def row(label, values):
        return {
            "distances": label,
            "p5": np.percentile(values, 5),
            "median": np.median(values),
            "mean": np.mean(values),
        }

    rows = [row("synthetic → train (DCR)", dcr_train)]
    if "synthetic_to_holdout" in artifacts:
        rows.append(row("synthetic → holdout", artifacts["synthetic_to_holdout"]))
    rows.append(row(f"{artifacts['reference_label']} (real reference)", reference[:, 0]))
    rows.append(row("NNDR synthetic → train", nndr))
    return rows


def _attribute_inference(tables: Tables, section: Section, synthetic_rows, train_rows, holdout_rows) -> None:
    from sklearn.neighbors import NearestNeighbors

    secrets = [c for c in [tables.target, *tables.sensitive] if c is not None and not tables.is_numeric(c)]
    secrets = secrets[:MAX_SECRETS]
    rows = []
    for secret in secrets:
        known = [c for c in tables.columns if c != secret]
        if not known:
            continue
        encoder = DistanceEncoder(tables, known)
        synthetic = encoder.transform("synthetic", synthetic_rows).astype(np.float64)
        # One query for the training and the holdout records: the first m answers are the training ones.
        queries = np.vstack(
            [encoder.transform(name, rows_) for name, rows_ in (("real", train_rows), ("holdout", holdout_rows))]
        )
        index = NearestNeighbors(n_neighbors=1, algorithm="brute").fit(synthetic)
        nearest = index.kneighbors(queries.astype(np.float64), return_distance=False)[:, 0]
        guesses = tables.codes["synthetic"][secret][synthetic_rows][nearest]
        truth = np.r_[tables.codes["real"][secret][train_rows], tables.codes["holdout"][secret][holdout_rows]]
        hits = guesses == truth
        success = {"real": float(hits[: len(train_rows)].mean()), "holdout": float(hits[len(train_rows) :].mean())}
        baseline = success["holdout"]
        risk = max(0.0, (success["real"] - baseline) / (1 - baseline)) if baseline < 1 else 0.0
        section.add(
            f"attribute_inference_risk[{secret}]",
            risk,
            LOWER,
            note="(success on training rows - success on holdout rows) / (1 - success on holdout rows)",
        )
        rows.append({"secret": secret, "success_training": success["real"], "success_holdout": baseline, "risk": risk})
    if rows:
        section.tables["attribute_inference"] = rows
