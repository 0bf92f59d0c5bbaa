"""Refinement of an autoregressive model after likelihood training: whole sampled rows are judged.

Likelihood scores each column given the others one at a time; these phases score rows the model
draws itself, column by column in the table's order, so errors that compound along the order can
be seen and paid for. Drawing stays differentiable by the straight-through Gumbel-softmax: each
column's token is an exact one-hot in the forward pass and the softmax's gradient in the backward
pass (Jang et al. 2017). Every step also takes a likelihood step on real rows, so the refinement
corrects the model instead of replacing it (adversarially trained text generators lost to
likelihood-trained ones; as a term on top of likelihood they help).

Two judges of the sampled rows:

- ``adversarial``: a PacGAN critic (Lin et al. 2018) over the rows' one-hot tokens, trained by the
  Wasserstein loss with a gradient penalty; the model pays ``weight * -critic(rows)``;
- ``pairs``: the squared gap between the batch's contingency table of every pair of columns and the
  real one, on at most ten groups of tokens per column (the coarse tables SDMetrics scores).
"""

from __future__ import annotations

import itertools

import numpy as np
import torch
import torch.nn.functional as F

from synthgan.data.rules import TokenCounts
from synthgan.errors import ParameterError
from synthgan.losses import GradientPenalty, WassersteinLoss
from synthgan.nn.autoregressive import ColumnHeads
from synthgan.nn.blocks import Critic
from synthgan.randomness import rand
from synthgan.training.batches import ShuffledRows
from synthgan.training.distributed import SINGLE, Shard
from synthgan.training.likelihood import batch_nll

__all__ = ["PAIR_GROUPS", "RefinementPhase", "sample_one_hots", "token_groups"]

PAIR_GROUPS = 10


def sample_one_hots(
    network: ColumnHeads, rows: int, temperature: float, random: torch.Generator, device: torch.device
) -> list[torch.Tensor]:
    """Straight-through one-hots ``(rows, vocabulary)`` of every column, drawn in the table's order."""
    order = list(range(network.columns))
    empty, deltas = network.sampling_tables(order)
    state = empty.expand(rows, -1)
    drawn = []
    for position, column in enumerate(order):
        logits = network.column_logits(state, column, position)
        uniform = rand(logits.shape, random, device).clamp(1e-10, 1 - 1e-7)
        soft = F.softmax((logits - torch.log(-torch.log(uniform))) / temperature, dim=1)
        hard = F.one_hot(soft.argmax(dim=1), soft.shape[1]).to(soft.dtype)
        one_hot = hard - soft.detach() + soft
        drawn.append(one_hot)
        start = (position + 1) * network.hidden
        if start < state.shape[1]:
            state = torch.cat([state[:, :start], state[:, start:] + one_hot @ deltas[column][:-1, start:]], dim=1)
    return drawn


def token_groups(counts: np.ndarray, value_order: np.ndarray | None, groups: int = PAIR_GROUPS) -> np.ndarray:
    """The group of each token of a column in the pair tables.

    ``counts`` holds the real rows of each token. A category keeps its own group. A number's tokens,
    taken in ``value_order`` (the column's tokens from the smallest value to the largest), fall into
    at most ``groups`` ranges of about equal real frequency, like the ten bins SDMetrics gives a
    number in its pair scores.
    """
    vocabulary = len(counts)
    if value_order is None or vocabulary <= groups:
        return np.arange(vocabulary)
    counts = np.asarray(counts, dtype=float)[value_order]
    position = (np.cumsum(counts) - counts / 2) / max(counts.sum(), 1.0)
    group = np.empty(vocabulary, dtype=np.int64)
    group[value_order] = np.minimum((position * groups).astype(int), groups - 1)
    return group


class RefinementPhase:
    """One step: a likelihood step on real rows plus ``weight`` times the judge of sampled rows."""

    def __init__(
        self,
        *,
        judge: str,
        network: ColumnHeads,
        optimizer: torch.optim.Optimizer,
        tokens: torch.Tensor,
        batch_size: int,
        epochs: int,
        fixed_share: float,
        weight: float,
        random: torch.Generator,
        value_orders: list[np.ndarray | None] | None = None,
        counts: TokenCounts | None = None,
        temperature: float = 0.5,
        pac: int = 8,
        critic_learning_rate: float = 2e-4,
        shard: Shard = SINGLE,
    ) -> None:
        if judge == "adversarial" and shard.world > 1:
            raise ParameterError(
                "refine='adversarial' trains in one process only (its critic would need its own averaging); "
                "use refine='pairs' (the default) or 'none' with several processes."
            )
        self.name, self.shard = judge, shard
        self.network, self.optimizer, self.tokens = network, optimizer, tokens
        self.epochs, self.fixed_share, self.weight, self.random = epochs, fixed_share, weight, random
        self.temperature, self.pac = temperature, pac
        self.batch_size = max(pac, min(batch_size, len(tokens)) // pac * pac)
        self.steps_per_epoch = max(1, len(tokens) // self.batch_size)
        self._rows = ShuffledRows(len(tokens), self.batch_size, random)
        self.device = tokens.device
        self.vocabularies = network.vocabularies
        if judge == "adversarial":
            width = sum(self.vocabularies)
            self.critic = Critic(width, (256, 256), pac=pac, dropout=0.0).to(self.device)
            self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), critic_learning_rate, betas=(0.5, 0.9))
            self.loss, self.penalty = WassersteinLoss(), GradientPenalty(10.0, pac)
        elif judge == "pairs":
            orders = value_orders or [None] * len(self.vocabularies)
            self._build_pair_tables(counts or TokenCounts.of(tokens.cpu().numpy(), self.vocabularies), orders)
        else:
            raise ValueError(f"unknown refinement judge {judge!r}")

    def _build_pair_tables(self, counts: TokenCounts, value_orders: list[np.ndarray | None]) -> None:
        """The real rows' pair tables over token groups, from the exact token pair counts."""
        maps = [token_groups(counts.columns[j], value_orders[j]) for j in range(len(self.vocabularies))]
        self.group_maps = [F.one_hot(torch.from_numpy(m), int(m.max()) + 1).float().to(self.device) for m in maps]
        self.pairs = list(itertools.combinations(range(len(maps)), 2))
        self.real_tables = []
        for a, b in self.pairs:
            table = np.zeros((int(maps[a].max()) + 1, int(maps[b].max()) + 1))
            rows, columns = np.meshgrid(maps[a], maps[b], indexing="ij")
            np.add.at(table, (rows, columns), counts.pair(a, b))
            self.real_tables.append(torch.from_numpy(table / max(counts.rows, 1)).float().to(self.device))

    def step(self) -> dict[str, float]:
        # Each process scores its share of the real rows; the pair tables of sampled rows are a
        # statistic of the whole batch, so every process computes them alike (identical gradients).
        real, nll = batch_nll(self.network, self.tokens, self._rows, self.fixed_share, self.random, self.shard)
        logs = {"nll_loss": nll.item() / real.shape[1]}
        if self.name == "adversarial":
            judged, logs["critic_loss"] = self._adversarial(real)
        else:
            judged = self._pairs()
        logs[f"{self.name}_loss"] = judged.item()
        loss = nll + self.weight * judged
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.shard.average_gradients(self.network.parameters())
        self.optimizer.step()
        return logs

    def _fake(self) -> list[torch.Tensor]:
        return sample_one_hots(self.network, self.batch_size, self.temperature, self.random, self.device)

    def _adversarial(self, real_tokens: torch.Tensor) -> tuple[torch.Tensor, float]:
        real = torch.cat([F.one_hot(real_tokens[:, j], size).float() for j, size in enumerate(self.vocabularies)], 1)
        fake = torch.cat(self._fake(), dim=1)
        critic_loss = self.loss.critic_loss(self.critic, real, fake.detach())
        critic_loss = critic_loss + self.penalty(self.loss, self.critic, real, fake.detach(), None, self.random)
        self.critic_optimizer.zero_grad(set_to_none=True)
        critic_loss.backward()
        self.critic_optimizer.step()
        return self.loss.generator_loss(self.critic, real, fake), critic_loss.item()

    def _pairs(self) -> torch.Tensor:
        grouped = [one_hot @ groups for one_hot, groups in zip(self._fake(), self.group_maps, strict=True)]
        gaps = [
            ((grouped[a].T @ grouped[b]) / self.batch_size - table).square().sum()
            for (a, b), table in zip(self.pairs, self.real_tables, strict=True)
        ]
        return torch.stack(gaps).mean() * self.batch_size
