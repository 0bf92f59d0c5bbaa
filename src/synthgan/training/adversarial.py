"""The adversarial phase: ``n_critic`` critic steps, then one generator step, on fresh batches.

Every step draws new random rows (never the same batch twice in a row, unlike ydata-synthetic's
classic GANs). With conditioning, each fake row gets a condition vector and the critic sees real
rows that match a permutation of those conditions, as in CTGAN's training-by-sampling.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from synthgan.data.sampler import ConditionSampler
from synthgan.losses import AdversarialLoss, Penalty
from synthgan.losses.auxiliary import TargetClassifierLoss
from synthgan.nn import LayoutHead
from synthgan.randomness import randn
from synthgan.training.batches import ShuffledRows


class TabularBatches:
    """Draws real rows and condition vectors from a transformed training matrix."""

    def __init__(
        self,
        data: torch.Tensor,
        batch_size: int,
        sampler: ConditionSampler | None,
        log_frequency: bool,
        generator: torch.Generator,
    ) -> None:
        self.data = data
        self.batch_size = batch_size
        self.sampler = sampler if sampler is not None and sampler.spans else None
        self.log_frequency = log_frequency
        self.generator = generator
        self.condition_width = self.sampler.width if self.sampler else 0
        self._rows = ShuffledRows(len(data), batch_size, generator)
        if self.sampler:
            self._build_condition_index()

    def conditions(self) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor] | None]:
        """Condition vectors for a fake batch and the ``(span, level)`` targets they encode."""
        if not self.sampler:
            return torch.zeros(self.batch_size, 0, device=self.data.device), None
        span, level = self.sampler.sample_levels(self.batch_size, self.generator, self.log_frequency)
        vectors = self.sampler.condition_vectors(span, level).to(self.data.device)
        return vectors, (span.to(self.data.device), level.to(self.data.device))

    def critic_batch(self):
        """``(real, real conditions, fake conditions, targets)`` for one critic step."""
        fake_conditions, target = self.conditions()
        if not self.sampler:
            return self.rows(), fake_conditions, fake_conditions, None
        perm = torch.randperm(self.batch_size, generator=self.generator)
        span, level = target
        rows = self.sampler.sample_rows(span.cpu()[perm], level.cpu()[perm], self.generator)
        perm = perm.to(self.data.device)
        return self.data[rows.to(self.data.device)], fake_conditions[perm], fake_conditions, target

    def rows(self) -> torch.Tensor:
        """The next batch of real rows, unconditioned (every row once per pass)."""
        return self.data[self._rows.next().to(self.data.device)]

    @staticmethod
    def join(rows: torch.Tensor, conditions: torch.Tensor) -> torch.Tensor:
        """What the critic sees: each row with its condition vector appended."""
        return torch.cat([rows, conditions], dim=1)

    def _build_condition_index(self) -> None:
        spans = self.sampler.spans
        width = max(span.width for span in spans)
        index = torch.zeros(len(spans), width, dtype=torch.long)
        valid = torch.zeros(len(spans), width, dtype=torch.bool)
        for j, span in enumerate(spans):
            index[j, : span.width] = torch.arange(span.start, span.stop)
            valid[j, : span.width] = True
        self.span_index, self.span_valid = index.to(self.data.device), valid.to(self.data.device)

    def condition_loss(self, raw: torch.Tensor, target) -> torch.Tensor:
        """Cross-entropy between the generator's raw logits on each conditioned span and the asked level."""
        span, level = target
        logits = torch.gather(raw, 1, self.span_index[span])
        logits = logits.masked_fill(~self.span_valid[span], float("-inf"))
        return F.cross_entropy(logits, level)


class WeightAverage:
    """Exponential moving average of the generator's weights (samples come from the average).

    The decay warms up as ``min(decay, (1 + t) / (10 + t))`` after ``t`` updates, so the average
    forgets the random initial weights within the first few hundred steps instead of carrying them
    for thousands (with decay 0.995 alone, 2 epochs of 50 steps still leave 60% of them).
    """

    def __init__(self, module: nn.Module, decay: float) -> None:
        self.decay = decay
        self.updates = 0
        self.module = copy.deepcopy(module).requires_grad_(False)
        self._averages = list(self.module.parameters())
        self._average_buffers = list(self.module.buffers())

    @torch.no_grad()
    def update(self, module: nn.Module) -> None:
        decay = min(self.decay, (1 + self.updates) / (10 + self.updates))
        self.updates += 1
        # One fused call per list instead of one op per tensor (the generator has ~20 tensors).
        torch._foreach_lerp_(self._averages, list(module.parameters()), 1 - decay)
        torch._foreach_copy_(self._average_buffers, list(module.buffers()))


class AdversarialPhase:
    """One step = ``n_critic`` critic updates and one generator update."""

    name = "adversarial"

    def __init__(
        self,
        *,
        generator: nn.Module,
        critic: nn.Module,
        head: LayoutHead,
        loss: AdversarialLoss,
        penalties: list[Penalty],
        optimizers: tuple[torch.optim.Optimizer, torch.optim.Optimizer],
        batches: TabularBatches,
        noise_dim: int,
        n_critic: int,
        epochs: int,
        random: torch.Generator,
        average: WeightAverage | None,
        classifier: TargetClassifierLoss | None = None,
    ) -> None:
        self.generator, self.critic, self.head = generator, critic, head
        self.loss, self.penalties = loss, penalties
        self.generator_optimizer, self.critic_optimizer = optimizers
        self.batches, self.noise_dim, self.n_critic = batches, noise_dim, n_critic
        self.epochs = epochs
        self.steps_per_epoch = max(1, len(batches.data) // batches.batch_size)
        self.random, self.average = random, average
        self.classifier = classifier

    def _fake(self, conditions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Raw generator output, the activated rows, and the rows joined with their conditions."""
        noise = randn((len(conditions), self.noise_dim), self.random, conditions.device)
        raw = self.generator(torch.cat([noise, conditions], dim=1))
        rows = self.head(raw, gumbel=True, generator=self.random)
        return raw, rows, self.batches.join(rows, conditions)

    def step(self) -> dict[str, float]:
        for _ in range(self.n_critic):
            real_rows, real_conditions, fake_conditions, _ = self.batches.critic_batch()
            with torch.no_grad():
                fake = self._fake(fake_conditions)[2]
                fake2 = self._fake(fake_conditions)[2] if self.loss.needs_second_fake else None
            real = self.batches.join(real_rows, real_conditions)
            critic_loss = self.loss.critic_loss(self.critic, real, fake, fake2)
            for penalty in self.penalties:
                term = penalty(self.loss, self.critic, real, fake, fake2, self.random)
                if term is not None:
                    critic_loss = critic_loss + term
            self.critic_optimizer.zero_grad(set_to_none=True)
            critic_loss.backward()
            self.critic_optimizer.step()
            for penalty in self.penalties:
                penalty.after_critic_step(self.critic)

        logs = {"critic_loss": critic_loss.item()}
        if self.classifier is not None:
            # Rows drawn without regard to conditions: the classifier learns the real P(target | rest).
            logs["classifier_loss"] = self.classifier.update(self.batches.rows())

        self.critic.requires_grad_(False)  # the generator step needs no critic gradients
        conditions, target = self.batches.conditions()
        raw, rows, fake = self._fake(conditions)
        fake2 = self._fake(conditions)[2] if self.loss.needs_second_fake else None
        generator_loss = self.loss.generator_loss(self.critic, real, fake, fake2)
        logs["generator_loss"] = generator_loss.item()
        if self.classifier is not None:
            target_loss = self.classifier.generator_loss(rows, raw)
            generator_loss = generator_loss + target_loss
            logs["target_loss"] = target_loss.item()
        if target is not None:
            condition_loss = self.batches.condition_loss(raw, target)
            generator_loss = generator_loss + condition_loss
            logs["condition_loss"] = condition_loss.item()
        self.generator_optimizer.zero_grad(set_to_none=True)
        generator_loss.backward()
        self.generator_optimizer.step()
        self.critic.requires_grad_(True)
        if self.average is not None:
            self.average.update(self.generator)
        return logs
