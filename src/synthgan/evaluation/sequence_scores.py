"""The two trained scores of the TimeGAN paper: post-hoc GRUs on windows scaled to [0, 1].

Kept apart from ``sequences.py`` so that importing ``synthgan.evaluation`` does not load torch.
Each call seeds its own generator and runs on one CPU thread, restoring torch's state afterwards.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from synthgan.errors import DataError

__all__ = ["discriminative", "predictive"]

BATCH = 128


class _GRUHead(nn.Module):
    """A GRU and a linear read-out: of the last state (``per_step=False``) or of every step."""

    def __init__(self, features: int, hidden: int, layers: int, per_step: bool) -> None:
        super().__init__()
        self.gru = nn.GRU(features, hidden, layers, batch_first=True)
        self.out = nn.Linear(hidden, 1)
        self.per_step = per_step

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        states, last = self.gru(x)
        return self.out(states if self.per_step else last[-1])


@contextmanager
def _isolated(seed: int):
    """One CPU thread and torch's default generator seeded, both restored afterwards."""
    threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.set_num_threads(1)
        try:
            yield torch.Generator().manual_seed(seed)
        finally:
            torch.set_num_threads(threads)


def _batch(data: torch.Tensor, random: torch.Generator) -> torch.Tensor:
    return data[torch.randint(len(data), (BATCH,), generator=random)]


def discriminative(real: np.ndarray, synthetic: np.ndarray, layers: int, iterations: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    size = min(len(real), len(synthetic))  # equal numbers of each: 0.5 is the accuracy of a coin
    real = real[rng.permutation(len(real))[:size]]
    synthetic = synthetic[rng.permutation(len(synthetic))[:size]]
    cut = max(1, int(0.8 * size))
    if cut >= size:
        raise DataError(f"The discriminative score needs at least 2 windows of each kind, got {size}.")
    with _isolated(seed) as random:
        train_real, test_real = torch.from_numpy(real[:cut]), torch.from_numpy(real[cut:])
        train_fake, test_fake = torch.from_numpy(synthetic[:cut]), torch.from_numpy(synthetic[cut:])
        features = real.shape[2]
        model = _GRUHead(features, max(1, features // 2), layers, per_step=False)
        optimizer = torch.optim.Adam(model.parameters())
        labels = torch.cat([torch.ones(BATCH, 1), torch.zeros(BATCH, 1)])
        for _ in range(iterations):
            x = torch.cat([_batch(train_real, random), _batch(train_fake, random)])
            loss = nn.functional.binary_cross_entropy_with_logits(model(x), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            right = (model(test_real) > 0).sum() + (model(test_fake) <= 0).sum()
        accuracy = float(right) / (len(test_real) + len(test_fake))
    return abs(accuracy - 0.5)


def predictive(train: np.ndarray, test: np.ndarray, target: int, iterations: int, seed: int) -> float:
    others = [j for j in range(train.shape[2]) if j != target]

    def split(windows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.from_numpy(np.ascontiguousarray(windows[:, :-1, others]))
        y = torch.from_numpy(np.ascontiguousarray(windows[:, 1:, target : target + 1]))
        return x, y

    with _isolated(seed) as random:
        x_train, y_train = split(train)
        x_test, y_test = split(test)
        model = _GRUHead(len(others), max(1, train.shape[2] // 2), 1, per_step=True)
        optimizer = torch.optim.Adam(model.parameters())
        for _ in range(iterations):
            index = torch.randint(len(x_train), (BATCH,), generator=random)
            loss = (torch.sigmoid(model(x_train[index])) - y_train[index]).abs().mean()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            error = (torch.sigmoid(model(x_test)) - y_test).abs().mean()
    return float(error)
