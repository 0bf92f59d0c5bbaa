"""The likelihood phase under differential privacy (DP-SGD): what ``argan`` trains with ``dp_epsilon``.

Each step draws a Poisson sample of the rows (each row in with probability ``sample_rate``, the
sampling the accountant assumes), clips every row's gradient to ``max_grad_norm``
(:mod:`synthgan.privacy.clipping`), and lets Opacus' ``DPOptimizerFastGradientClipping`` add
Gaussian noise of ``noise_multiplier * max_grad_norm`` and divide by the expected batch size before
the Adam step. A batch larger than ``physical_rows`` is processed in chunks that add up to the same
clipped sum (what Opacus' ``BatchMemoryManager`` does), so memory stays flat whatever the sample
rate. Randomness (sampling, known columns, noise) comes from the phase's own generator.
"""

from __future__ import annotations

import torch
from opacus.optimizers import DPOptimizerFastGradientClipping

from synthgan.nn.autoregressive import ColumnHeads, Tap
from synthgan.privacy.budget import PrivacyBudget
from synthgan.privacy.clipping import clipped_backward
from synthgan.training.likelihood import draw_known, row_nll

__all__ = ["PrivateLikelihoodPhase"]

PHYSICAL_ROWS = 2_048


class PrivateLikelihoodPhase:
    """One DP-SGD step of the likelihood loss; ``budget.steps`` counts the steps taken."""

    name = "likelihood (DP-SGD)"

    def __init__(
        self,
        *,
        network: ColumnHeads,
        optimizer: torch.optim.Optimizer,
        tokens: torch.Tensor,
        budget: PrivacyBudget,
        expected_batch: int,
        steps_per_epoch: int,
        epochs: int,
        fixed_share: float,
        random: torch.Generator,
        physical_rows: int = PHYSICAL_ROWS,
    ) -> None:
        self.network, self.tokens, self.budget = network, tokens, budget
        self.epochs, self.steps_per_epoch = epochs, steps_per_epoch
        self.fixed_share, self.random, self.physical_rows = fixed_share, random, physical_rows
        self.expected_batch = expected_batch
        self.optimizer = DPOptimizerFastGradientClipping(
            optimizer,
            noise_multiplier=budget.noise_multiplier,
            max_grad_norm=budget.max_grad_norm,
            expected_batch_size=expected_batch,
            loss_reduction="mean",
            generator=random,
        )

    def step(self) -> dict[str, float]:
        if self.budget.steps >= self.budget.planned_steps:
            raise RuntimeError("the privacy budget is spent; training should have stopped")  # a bug, not user error
        rows = torch.rand(len(self.tokens), generator=self.random) < self.budget.sample_rate
        batch = self.tokens[rows.nonzero().squeeze(1).to(self.tokens.device)]
        known = draw_known(len(batch), batch.shape[1], self.fixed_share, self.random).to(batch.device)
        self.optimizer.zero_grad(set_to_none=False)
        for parameter in self.network.parameters():
            parameter.grad = torch.zeros_like(parameter)  # an empty batch still takes a noisy step
        loss, clipped = 0.0, 0
        for start in range(0, len(batch), self.physical_rows):
            part = slice(start, start + self.physical_rows)
            taps: list[Tap] = []
            losses = row_nll(self.network, batch[part], known[part], taps)
            norms = clipped_backward(losses, taps, self.budget.max_grad_norm)
            loss += float(losses.detach().sum())
            clipped += int((norms > self.budget.max_grad_norm).sum())
        self.optimizer.step()
        self.budget.steps += 1
        columns = self.tokens.shape[1]
        return {"nll_loss": loss / max(len(batch), 1) / columns, "clipped_share": clipped / max(len(batch), 1)}
