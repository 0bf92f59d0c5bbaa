"""TimeGAN's three training phases, as phases of the one training loop.

1. **autoencoder**: embedder and recovery learn to reconstruct the data (``10 sqrt(L_R)``);
2. **supervised**: the supervisor learns to predict the next latent step of real sequences (``L_S``);
3. **joint**: each step makes ``generator_steps`` updates of the generator + supervisor (adversarial,
   supervised and moment losses) and of the embedder + recovery (reconstruction and supervised
   losses), then one discriminator update, made only while the discriminator's loss is above a
   threshold (it otherwise wins too easily), as in the authors' code (jsyoon0823/TimeGAN).

One step of a phase is one iteration of the paper's loops. Each optimizer has its own Adam state, as
the paper's five solvers do.

Speed: in the joint phase the generator and embedder updates of a batch share one forward and one
backward pass. Each loss must still move only its own networks (the generator is trained *through*
the recovery and the discriminator without moving them), so those networks run on detached weights
where the other's loss passes through them (``frozen=True``); the gradients are exactly those of
the two separate updates of the authors' code, computed on the same batch, before either moves.
The discriminator scores real, supervised-fake and raw-fake latents in one pass.
"""

from __future__ import annotations

import math

import torch

from synthgan.losses.timegan import (
    EMBEDDER_SUPERVISED_WEIGHT,
    MOMENT_WEIGHT,
    RECONSTRUCTION_WEIGHT,
    SUPERVISED_WEIGHT,
    discriminator_loss,
    generator_adversarial_loss,
    moment_loss,
    reconstruction_loss,
    supervised_loss,
)
from synthgan.nn.recurrent import TimeGANNetworks
from synthgan.training.batches import ShuffledRows

__all__ = ["AutoencoderPhase", "JointPhase", "SupervisedPhase", "WindowBatches", "iteration_epochs"]

# The loop reports (history, progress, time budget) once per "epoch" of at most this many iterations.
ITERATIONS_PER_EPOCH = 50


def iteration_epochs(iterations: int) -> tuple[int, int]:
    """``(epochs, steps_per_epoch)`` that cover ``iterations`` steps (rounded up to whole epochs)."""
    epochs = math.ceil(iterations / ITERATIONS_PER_EPOCH)
    return epochs, math.ceil(iterations / epochs)


class WindowBatches:
    """Batches of training windows ``(batch, time, features)`` drawn from the encoded rows.

    Windows are not materialized: ``rows`` holds each window's row positions into the encoded
    matrix, and a batch gathers its rows, then appends its windows' static vectors at every step.
    """

    def __init__(
        self,
        matrix: torch.Tensor,
        rows: torch.Tensor,
        statics: torch.Tensor,
        batch_size: int,
        generator: torch.Generator,
    ) -> None:
        self.matrix, self.rows, self.statics = matrix, rows, statics
        self.batch_size = batch_size
        self.sequence_length = rows.shape[1]
        self.width = matrix.shape[1] + statics.shape[1]
        self._order = ShuffledRows(len(rows), batch_size, generator)

    def __len__(self) -> int:
        return len(self.rows)

    def window(self, index: torch.Tensor) -> torch.Tensor:
        temporal = self.matrix[self.rows[index]]
        if self.statics.shape[1] == 0:
            return temporal
        static = self.statics[index].unsqueeze(1).expand(-1, self.sequence_length, -1)
        return torch.cat([temporal, static], dim=2)

    def next(self) -> torch.Tensor:
        return self.window(self._order.next().to(self.rows.device))


def _adam(parameters, learning_rate: float) -> torch.optim.Optimizer:
    # TensorFlow 1's Adam defaults, as the authors' code uses; fused: one kernel for every tensor.
    return torch.optim.Adam(list(parameters), learning_rate, betas=(0.9, 0.999), eps=1e-8, fused=True)


def _parameters(*modules: torch.nn.Module) -> list[torch.nn.Parameter]:
    return [parameter for module in modules for parameter in module.parameters()]


class _Phase:
    def __init__(self, nets: TimeGANNetworks, batches: WindowBatches, iterations: int) -> None:
        self.nets, self.batches = nets, batches
        self.epochs, self.steps_per_epoch = iteration_epochs(iterations)


class AutoencoderPhase(_Phase):
    """Phase 1: embedder + recovery minimize ``10 sqrt(L_R)``."""

    name = "autoencoder"

    def __init__(self, nets, batches, iterations: int, learning_rate: float) -> None:
        super().__init__(nets, batches, iterations)
        self.optimizer = _adam(_parameters(nets.embedder, nets.recovery), learning_rate)

    def step(self) -> dict[str, float]:
        x = self.batches.next()
        loss = reconstruction_loss(x, self.nets.recover(self.nets.embedder(x)))
        self.optimizer.zero_grad(set_to_none=True)
        (RECONSTRUCTION_WEIGHT * torch.sqrt(loss)).backward()
        self.optimizer.step()
        return {"reconstruction_loss": loss.item()}


class SupervisedPhase(_Phase):
    """Phase 2: the supervisor learns the next latent step of real sequences (``L_S``).

    The paper's solver lists the generator's weights too, but ``L_S`` does not depend on them.
    """

    name = "supervised"

    def __init__(self, nets, batches, iterations: int, learning_rate: float) -> None:
        super().__init__(nets, batches, iterations)
        self.optimizer = _adam(nets.supervisor.parameters(), learning_rate)

    def step(self) -> dict[str, float]:
        with torch.no_grad():
            h = self.nets.embedder(self.batches.next())
        loss = supervised_loss(h, self.nets.supervisor(h))
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        self.optimizer.step()
        return {"supervised_loss": loss.item()}


class JointPhase(_Phase):
    """Phase 3: the adversarial game with the supervised and moment losses."""

    name = "joint"

    def __init__(
        self,
        nets,
        batches,
        iterations: int,
        learning_rate: float,
        gamma: float,
        generator_steps: int,
        discriminator_threshold: float,
        random: torch.Generator,
    ) -> None:
        super().__init__(nets, batches, iterations)
        self.gamma, self.generator_steps, self.threshold = gamma, generator_steps, discriminator_threshold
        self.random = random
        self.generator_optimizer = _adam(_parameters(nets.generator, nets.supervisor), learning_rate)
        self.embedder_optimizer = _adam(_parameters(nets.embedder, nets.recovery), learning_rate)
        self.discriminator_optimizer = _adam(nets.discriminator.parameters(), learning_rate)

    def noise(self, like: torch.Tensor) -> torch.Tensor:
        """Uniform noise in [0, 1) per step, as in the paper (drawn on the CPU: the generator is a CPU one)."""
        shape = (like.shape[0], like.shape[1], self.nets.noise_dim)
        return torch.rand(shape, generator=self.random).to(like.device)

    def step(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for _ in range(self.generator_steps):
            for key, value in self._generator_and_embedder_step().items():
                totals[key] = totals.get(key, 0.0) + value / self.generator_steps
        discriminator = self._discriminator_step()
        # The adversarial pair first: a narrow progress bar keeps the leftmost figures.
        return {"generator_loss": totals.pop("generator_loss"), **discriminator, **totals}

    def _generator_and_embedder_step(self) -> dict[str, float]:
        x = self.batches.next()
        generator_loss, embedder_loss, logs = self.losses(x, self.noise(x))
        self.generator_optimizer.zero_grad(set_to_none=True)
        self.embedder_optimizer.zero_grad(set_to_none=True)
        (generator_loss + embedder_loss).backward()
        self.generator_optimizer.step()
        self.embedder_optimizer.step()
        return logs

    def losses(self, x: torch.Tensor, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, dict[str, float]]:
        """The generator's and the embedder's losses on one batch, built so that the backward pass of
        their sum gives each network the gradient of its own loss only."""
        nets, gamma = self.nets, self.gamma
        h = nets.embedder(x)
        e_hat = nets.generator(noise)
        # The supervisor runs live on the generator's output and on real latents (G's supervised
        # loss, moving the supervisor only), and frozen on real latents (E's supervised loss, moving
        # the embedder only).
        h_hat, h_next = nets.supervisor(torch.cat([e_hat, h.detach()])).chunk(2)
        x_hat = nets.recover(h_hat, frozen=True)
        fake, fake_e = nets.discriminator(torch.cat([h_hat, e_hat]), frozen=True).chunk(2)
        adversarial = generator_adversarial_loss(fake, fake_e, gamma)
        supervised = supervised_loss(h.detach(), h_next)
        moments = moment_loss(x, x_hat)
        generator_loss = adversarial + SUPERVISED_WEIGHT * torch.sqrt(supervised) + MOMENT_WEIGHT * moments

        reconstruction = reconstruction_loss(x, nets.recover(h))
        embedder_supervised = supervised_loss(h, nets.supervisor(h, frozen=True))
        embedder_loss = (
            RECONSTRUCTION_WEIGHT * torch.sqrt(reconstruction) + EMBEDDER_SUPERVISED_WEIGHT * embedder_supervised
        )
        logs = {
            "generator_loss": adversarial.item(),
            "supervised_loss": supervised.item(),
            "moment_loss": moments.item(),
            "reconstruction_loss": reconstruction.item(),
        }
        return generator_loss, embedder_loss, logs

    def _discriminator_step(self) -> dict[str, float]:
        nets = self.nets
        x = self.batches.next()
        with torch.no_grad():
            h = nets.embedder(x)
            e_hat = nets.generator(self.noise(x))
            h_hat = nets.supervisor(e_hat)
        real, fake, fake_e = nets.discriminator(torch.cat([h, h_hat, e_hat])).chunk(3)
        loss = discriminator_loss(real, fake, fake_e, self.gamma)
        value = loss.item()
        # Update only while the discriminator is not already winning (the authors' 0.15 rule).
        updated = value > self.threshold
        if updated:
            self.discriminator_optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.discriminator_optimizer.step()
        return {"discriminator_loss": value, "discriminator_updates": float(updated)}
