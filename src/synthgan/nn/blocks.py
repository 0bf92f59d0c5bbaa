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

    @torch.no_grad()
    def infer(
        self,
        noise: torch.Tensor,
        condition: torch.Tensor | None,
        condition_width: int,
        dtype: torch.dtype = torch.float32,
        exact_outputs: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Eval-mode output for ``[noise, one_hot(condition)]``, computed for sampling speed.

        Same function as ``forward`` in eval mode, arranged for speed: BatchNorm is folded into
        the linear layers; each layer multiplies the pieces of its concatenated input
        (``h_k, ..., h_1, noise``) separately into one accumulator instead of copying them into a
        new concatenation; and the one-hot condition (``condition`` holds the index of each row's 1)
        becomes a row lookup in the layer's condition weights instead of a product with a mostly-zero
        matrix. About 1.5x faster than ``forward`` on a CPU.

        ``dtype=torch.bfloat16`` runs the products in bfloat16 (about 3 significant digits), which
        CPUs with AMX multiply several times faster. The outputs listed in ``exact_outputs`` (the
        layout's scalars) are then computed in float32 from the bfloat16 hidden layers, so that
        generated values do not fall on bfloat16's coarse grid. The result is float32 either way.
        """
        pieces = [noise.to(dtype)]
        for block in self.body:
            weight, bias = _fold_batch_norm(block.linear, block.norm)
            hidden = _linear_pieces(pieces, weight.to(dtype), bias.to(dtype), condition, condition_width)
            pieces.insert(0, hidden.relu_())
        weight, bias = self.out.weight, self.out.bias
        out = _linear_pieces(pieces, weight.to(dtype), bias.to(dtype), condition, condition_width).float()
        if dtype != torch.float32 and exact_outputs is not None and len(exact_outputs):
            pieces = [piece.float() for piece in pieces]
            rows = exact_outputs
            out[:, rows] = _linear_pieces(pieces, weight[rows], bias[rows], condition, condition_width)
        return out


def _fold_batch_norm(linear: nn.Linear, norm: nn.BatchNorm1d) -> tuple[torch.Tensor, torch.Tensor]:
    """Weights and bias of ``norm(linear(x))`` in eval mode as one linear layer."""
    scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
    return linear.weight * scale[:, None], (linear.bias - norm.running_mean) * scale + norm.bias


def _linear_pieces(
    pieces: list[torch.Tensor], weight: torch.Tensor, bias: torch.Tensor, condition: torch.Tensor | None, width: int
) -> torch.Tensor:
    """``[*pieces, one_hot(condition, width)] @ weight.T + bias``, accumulated piece by piece."""
    columns = sum(piece.shape[1] for piece in pieces)
    if condition is None or width == 0:
        out = bias.expand(len(pieces[0]), -1).contiguous()
    else:
        out = weight[:, columns : columns + width].T.contiguous().index_select(0, condition).add_(bias)
    start = 0
    for piece in pieces:
        out.addmm_(piece, weight[:, start : start + piece.shape[1]].T)
        start += piece.shape[1]
    return out


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
