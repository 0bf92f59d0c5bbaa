"""Anomaly scores of the adversarial table models: how unreal their critic finds each row.

The critic was trained to score real rows above generated ones, so a low critic value is a row that
looks unlike the training table. Scores are ``-critic value``, higher = more anomalous.

The critic judges PacGAN groups of ``pac`` rows at once, so a row cannot be judged alone: in each of
``CRITIC_ROUNDS`` seeded rounds the rows are shuffled into groups, every member of a group gets the
group's score, and a row's score is its mean over the rounds (the other members' share averages
out). Conditional critics see each row with the condition it carries itself (one of its discrete
columns, drawn per row and round, at the row's own level), as real rows were shown in training.
Cells the model never saw (:mod:`synthgan.data.surprise`) add their surprise in nats on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import torch

from synthgan.data.surprise import encode_for_scoring
from synthgan.errors import ModelFileError
from synthgan.models import get_model
from synthgan.randomness import seed_or_random
from synthgan.training.runtime import torch_threads

if TYPE_CHECKING:
    from synthgan.families.table import TableSynthesizer

__all__ = ["CRITIC_ROUNDS", "critic_scores"]

CRITIC_ROUNDS = 8
SCORE_CHUNK = 10_000


def critic_scores(model: TableSynthesizer, data: pd.DataFrame, seed: int | None) -> tuple[np.ndarray, pd.DataFrame]:
    """``(-critic value per row, surprise per cell)`` for the rows of ``data``."""
    critic = getattr(model, "critic_", None)
    if critic is None:
        raise ModelFileError(
            "This model file holds no critic (it was saved by an older synthgan), so it cannot score "
            "rows. Fit the model again to score with it."
        )
    matrix, surprise = encode_for_scoring(model.transformer_, data)
    n = len(matrix)
    if n == 0:
        return np.zeros(0), surprise
    random = torch.Generator().manual_seed(seed_or_random(seed))
    rows = torch.from_numpy(matrix)
    loss, pac = get_model(model.model)(model.params_).loss(), critic.pac
    second_fake = _second_fake(model, n, seed) if loss.needs_second_fake else None
    total = torch.zeros(n, dtype=torch.float64)
    with torch.no_grad(), torch_threads(model.params_["sample_threads"]):
        critic.eval()
        for _ in range(CRITIC_ROUNDS):
            order = torch.randperm(n, generator=random)
            groups = -(-n // pac)
            padded = order.repeat(pac)[: groups * pac]  # groups of pac; the first rows fill the last group
            inputs = torch.cat([rows[padded], _own_conditions(model, rows[padded], random)], dim=1)
            values = []
            for start in range(0, len(inputs), SCORE_CHUNK * pac):
                chunk = inputs[start : start + SCORE_CHUNK * pac].to(model.device_)
                fake2 = None
                if second_fake is not None:
                    fake2 = second_fake[torch.randint(n, (len(chunk),), generator=random)].to(model.device_)
                values.append(loss.critic_value(critic, chunk, fake2).reshape(-1).double().cpu())
            per_group = torch.cat(values)
            total[order] += -per_group.repeat_interleave(pac)[:n]
    return (total / CRITIC_ROUNDS).numpy(), surprise


def _own_conditions(model: TableSynthesizer, rows: torch.Tensor, random: torch.Generator) -> torch.Tensor:
    """Each row's condition vector: one of the model's condition columns at the row's own level."""
    sampler = model.sampler_
    if not sampler.spans:
        return torch.zeros(len(rows), 0)
    span = torch.randint(len(sampler.spans), (len(rows),), generator=random)
    level = torch.empty(len(rows), dtype=torch.long)
    for j, s in enumerate(sampler.spans):
        chosen = span == j
        level[chosen] = rows[chosen, s.start : s.stop].argmax(dim=1)
    return sampler.condition_vectors(span, level)


def _second_fake(model: TableSynthesizer, n: int, seed: int | None) -> torch.Tensor:
    """Generated rows with their conditions, as the Cramér critic compares against (encoded exactly)."""
    generated = model.transformer_.transform(model.sample(min(n, 10_000), seed=seed), dtype=np.float32)
    rows = torch.from_numpy(generated)
    return torch.cat([rows, _own_conditions(model, rows, torch.Generator().manual_seed(seed_or_random(seed)))], 1)
