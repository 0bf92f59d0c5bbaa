"""The image batch source of the adversarial phase (the counterpart of ``TabularBatches``).

Real images are walked in a seeded permutation, a fresh batch every step. With labels, each real
batch comes with the one-hot labels of its images, and the fake batch of the same critic step is
asked for the same labels, so the critic compares real and generated images class for class. The
generator step draws labels with the real class frequencies.

The critic sees labels as constant maps, one channel per class, next to the image's own channels
(:meth:`ImageBatches.join`); the generator gets the one-hot vector next to its noise.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from synthgan.training.batches import ShuffledRows


class ImageBatches:
    """Draws real images ``(N, C, H, W)`` in [-1, 1] and their one-hot labels for the adversarial phase."""

    def __init__(
        self,
        data: torch.Tensor,
        labels: torch.Tensor | None,
        classes: int,
        batch_size: int,
        generator: torch.Generator,
    ) -> None:
        self.data = data
        self.labels = labels
        self.batch_size = batch_size
        self.generator = generator
        self.condition_width = classes if labels is not None else 0
        self._rows = ShuffledRows(len(data), batch_size, generator)

    def conditions(self) -> tuple[torch.Tensor, None]:
        """One-hot labels for a generator batch, drawn with the real class frequencies (no targets)."""
        if self.labels is None:
            return torch.zeros(self.batch_size, 0, device=self.data.device), None
        rows = torch.randint(len(self.labels), (self.batch_size,), generator=self.generator)
        return self._one_hot(rows), None

    def critic_batch(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, None]:
        """``(real, real conditions, fake conditions, targets)``: fakes are asked for the real batch's labels."""
        rows = self._rows.next()
        real = self.data[rows.to(self.data.device)]
        if self.labels is None:
            conditions = torch.zeros(len(rows), 0, device=self.data.device)
        else:
            conditions = self._one_hot(rows)
        return real, conditions, conditions, None

    @staticmethod
    def join(images: torch.Tensor, conditions: torch.Tensor) -> torch.Tensor:
        """What the critic sees: the image's channels, then one constant map per class (1 for its label)."""
        if conditions.shape[1] == 0:
            return images
        maps = conditions[:, :, None, None].expand(-1, -1, *images.shape[2:])
        return torch.cat([images, maps], dim=1)

    def _one_hot(self, rows: torch.Tensor) -> torch.Tensor:
        labels = self.labels[rows.to(self.labels.device)]
        return F.one_hot(labels, self.condition_width).to(self.data.dtype)
