"""Anomaly scores of ``argan``: how many nats of surprise each row is to the fitted model.

A row's score is its negative log-likelihood under the autoregressive model, averaged over a few
column orders (the table's order, which sampling uses, and seeded random ones: any-order training
makes every order a model of the same table, and their mean is steadier than any one):

- each column's term is ``-log p(token | columns before it)``; for a number drawn from a quantile
  bin, the bin's width relative to the column's median bin width turns the bin's probability into
  a density (``+ log(width / median width)``), so a value in a sparse stretch of the range is more
  surprising than one where the real values crowd, as its density says;
- a value the fitted table never held (a new category, a number out of range) adds its surprise
  from :mod:`synthgan.data.surprise`; a pair of values that breaks an exact rule of the real rows
  adds ``UNSEEN_NATS`` to the later column of the rule.

The terms per column (``per_column=True``) sum to the score, so a user sees which cell made a row
unusual.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from synthgan.data.numeric import NumericEncoder
from synthgan.data.surprise import UNSEEN_NATS, encode_for_scoring
from synthgan.data.tokens import token_intervals
from synthgan.randomness import seed_or_random
from synthgan.training.runtime import torch_threads

if TYPE_CHECKING:
    from synthgan.families.argan import ARGANSynthesizer

__all__ = ["SCORE_CHUNK", "SCORE_ORDERS", "row_surprise"]

SCORE_CHUNK = 8_192
SCORE_ORDERS = 4  # the table's order and three seeded random ones


def row_surprise(model: ARGANSynthesizer, data: pd.DataFrame, seed: int | None) -> pd.DataFrame:
    """Per cell nats of surprise ``(rows of data, fitted columns)``; rows sum to the anomaly score."""
    matrix, surprise = encode_for_scoring(model.transformer_, data)
    layout = model.tokens_
    tokens = torch.from_numpy(layout.tokens(matrix))
    columns = len(layout)
    random = np.random.default_rng(seed_or_random(seed))
    orders = [list(range(columns))] + [list(random.permutation(columns)) for _ in range(SCORE_ORDERS - 1)]
    network = model.generator_
    nll = torch.zeros(tokens.shape, dtype=torch.float64)
    with torch.no_grad(), torch_threads(model.params_["sample_threads"]):
        for order in orders:
            parts = [network.ordered_nll(chunk.to(model.device_), order).cpu() for chunk in tokens.split(SCORE_CHUNK)]
            if parts:
                nll += torch.cat(parts).double()
    nll = (nll / len(orders)).numpy()
    nll += _density_terms(model, tokens.numpy())
    nll += _rule_breaks(model, tokens.numpy())
    for j, name in enumerate(layout.names):
        surprise[name] = surprise[name].to_numpy() + nll[:, j]
    return surprise


def _density_terms(model: ARGANSynthesizer, tokens: np.ndarray) -> np.ndarray:
    """``log(bin width / median bin width)`` of each number's bin (0 for exact values and categories)."""
    out = np.zeros(tokens.shape)
    for j, column in enumerate(model.tokens_.columns):
        encoder = model.transformer_.encoder(column.name)
        if not isinstance(encoder, NumericEncoder) or not encoder.n_modes:
            continue
        low, high = token_intervals(encoder)
        width = (high - low)[: encoder.n_modes]
        positive = width[width > 0]
        if not len(positive):
            continue
        log_ratio = np.zeros(len(low))
        log_ratio[: encoder.n_modes] = np.log(np.clip(width, positive.min(), None) / np.median(positive))
        out[:, j] = log_ratio[tokens[:, j]]
    return out


def _rule_breaks(model: ARGANSynthesizer, tokens: np.ndarray) -> np.ndarray:
    out = np.zeros(tokens.shape)
    for rule in model.rules_:
        broken = ~rule.allowed[tokens[:, rule.first], tokens[:, rule.second]]
        out[:, max(rule.first, rule.second)] += broken * UNSEEN_NATS
    return out
