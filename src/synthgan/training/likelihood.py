"""The likelihood phase of autoregressive models: teacher-forced, any-order, all heads in one pass.

Each row of a batch gets its own order of columns and a cut ``t``: the first ``t`` columns of its
order are known, and every head of an unknown column is scored on its real token (the order-
agnostic training of Uria et al. 2014 and Hoogeboom et al. 2022). Scaling each row's sum of
losses by ``columns / unknown columns`` makes the batch mean an unbiased estimate of the row's
negative log-likelihood in nats, whatever order it is generated in.

``fixed_share`` of the rows use the table's own column order instead of a random one: unconditional
sampling runs in that order, so its heads get extra practice, while the random orders keep every
other order (conditions on any column, imputation) well trained.
"""

from __future__ import annotations

import torch

from synthgan.nn.autoregressive import ColumnHeads, Tap
from synthgan.training.batches import ShuffledRows
from synthgan.training.distributed import SINGLE, Shard

__all__ = ["MIN_STEPS_PER_EPOCH", "LikelihoodPhase", "batch_nll", "draw_known", "row_nll"]

# An "epoch" of a small table is at least this many steps, so early stopping and learning-rate
# patience (counted in epochs) do not end training before the model has seen enough batches.
MIN_STEPS_PER_EPOCH = 50


def draw_known(rows: int, columns: int, fixed_share: float, generator: torch.Generator) -> torch.Tensor:
    """Which columns each row knows: the first ``t`` of its order, ``t`` uniform in ``[0, columns)``."""
    ranks = torch.rand(rows, columns, generator=generator).argsort(dim=1).argsort(dim=1)
    fixed = torch.rand(rows, 1, generator=generator) < fixed_share
    ranks = torch.where(fixed, torch.arange(columns).expand(rows, -1), ranks)
    cut = torch.randint(columns, (rows, 1), generator=generator)
    return ranks < cut


def row_nll(
    network: ColumnHeads, tokens: torch.Tensor, known: torch.Tensor, taps: list[Tap] | None = None
) -> torch.Tensor:
    """Per-row estimate of the negative log-likelihood (nats, summed over columns); ``taps``
    collects the network's linear maps for DP-SGD (:meth:`ColumnHeads.token_nll`)."""
    unknown = ~known
    weight = tokens.shape[1] / unknown.sum(1).clamp_min(1)
    return (network.token_nll(tokens, known, taps) * unknown).sum(1) * weight


def batch_nll(
    network: ColumnHeads,
    tokens: torch.Tensor,
    rows: ShuffledRows,
    fixed_share: float,
    generator: torch.Generator,
    shard: Shard = SINGLE,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The next batch of real rows, each with its own random known columns, and its mean NLL estimate.

    Under data parallelism every process draws the same global batch and keeps its ``shard``'s part.
    """
    index = rows.next()
    known = draw_known(len(index), tokens.shape[1], fixed_share, generator)
    part = shard.part(len(index))
    batch = tokens[index[part].to(tokens.device)].long()  # stored narrow (one byte a cell)
    return batch, row_nll(network, batch, known[part].to(batch.device)).mean()


class LikelihoodPhase:
    """One step: a fresh batch of real rows, random known sets, one Adam step on the mean NLL.

    An epoch is one pass over the rows, or ``MIN_STEPS_PER_EPOCH`` steps if that is more.
    """

    name = "likelihood"

    def __init__(
        self,
        *,
        network: ColumnHeads,
        optimizer: torch.optim.Optimizer,
        tokens: torch.Tensor,
        batch_size: int,
        epochs: int,
        fixed_share: float,
        random: torch.Generator,
        shard: Shard = SINGLE,
    ) -> None:
        self.network, self.optimizer, self.tokens = network, optimizer, tokens
        self.epochs, self.fixed_share, self.random, self.shard = epochs, fixed_share, random, shard
        self.batch_size = min(batch_size, len(tokens))  # the global batch: all processes together
        self.steps_per_epoch = max(MIN_STEPS_PER_EPOCH, len(tokens) // self.batch_size)
        self._rows = ShuffledRows(len(tokens), self.batch_size, random)

    def step(self) -> dict[str, float]:
        batch, loss = batch_nll(self.network, self.tokens, self._rows, self.fixed_share, self.random, self.shard)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.shard.average_gradients(self.network.parameters())
        self.optimizer.step()
        return {"nll_loss": loss.item() / batch.shape[1]}
