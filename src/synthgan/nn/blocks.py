"""Generator and critic networks for tables.

The generator is CTGAN's residual MLP: each block concatenates its input to its output, so late
layers still see the noise and the condition. The critic is an MLP with LeakyReLU and dropout that
can judge ``pac`` rows at once (PacGAN), which makes mode collapse visible to it.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


class Residual(nn.Module):
    """Linear -> BatchNorm -> ReLU, concatenated with the block's input."""

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, out_features)
        self.norm = nn.BatchNorm1d(out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([torch.relu(self.norm(self.linear(x))), x], dim=1)


class ResidualGenerator(nn.Module):
    """Noise (+ condition) -> raw layout-shaped output (activations are applied by a LayoutHead)."""

    def __init__(self, in_features: int, hidden: Sequence[int], out_features: int) -> None:
        super().__init__()
        blocks: list[nn.Module] = []
        width = in_features
        for size in hidden:
            blocks.append(Residual(width, size))
            width += size
        self.body = nn.Sequential(*blocks)
        self.out = nn.Linear(width, out_features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.body(x))


class Critic(nn.Module):
    """MLP critic over groups of ``pac`` rows; outputs one score per group.

    ``output_features`` > 1 gives a vector output (Cramer GAN's critic embeds rows in a space).
    """

    def __init__(
        self,
        in_features: int,
        hidden: Sequence[int],
        pac: int = 1,
        dropout: float = 0.5,
        output_features: int = 1,
    ) -> None:
        super().__init__()
        self.pac = pac
        layers: list[nn.Module] = []
        width = in_features * pac
        for size in hidden:
            layers += [nn.Linear(width, size), nn.LeakyReLU(0.2)]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        layers.append(nn.Linear(width, output_features))
        self.body = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x.reshape(-1, x.shape[1] * self.pac))
