"""Recurrent building blocks for sequence models: a GRU stack with a per-step output layer.

TimeGAN's five networks (embedder, recovery, generator, supervisor, discriminator) are each a stack
of GRU layers followed by one linear map applied at every time step. :class:`RecurrentNet` is that
network. Its ``forward(x, frozen=True)`` runs the same function on detached weights: gradients reach
the input but not the network's own weights, which is what a training step needs when one loss
should move another network *through* this one (TimeGAN's generator is trained through the recovery
and the discriminator, whose weights it must not move). Freezing by detaching costs nothing and,
unlike toggling ``requires_grad``, lets the same network appear live and frozen in one graph.
"""

from __future__ import annotations

import torch
from torch import nn

from synthgan.nn import gru_kernel

__all__ = ["GRUStack", "RecurrentNet", "TimeGANNetworks"]


class GRUStack(nn.Module):
    """``layers`` GRU layers of width ``hidden`` over ``(batch, time, features)`` input, batch first.

    Same parameters, initialization and function as ``torch.nn.GRU(batch_first=True)``. While
    gradients are recorded on a CPU, the layers run on :mod:`synthgan.nn.gru_kernel` (one autograd
    node per layer, a faster backward pass); otherwise on torch's own GRU.
    """

    # Class switch for benchmarks and tests: False always uses torch's GRU.
    fused = gru_kernel.AVAILABLE

    def __init__(self, in_features: int, hidden: int, layers: int) -> None:
        super().__init__()
        self.gru = nn.GRU(in_features, hidden, layers, batch_first=True)
        self.hidden, self.layers = hidden, layers

    def forward(self, x: torch.Tensor, frozen: bool = False) -> torch.Tensor:
        weights = self.gru._flat_weights
        if frozen:
            weights = [weight.detach() for weight in weights]
        if self.fused and torch.is_grad_enabled() and x.device.type == "cpu":
            states = x.transpose(0, 1)
            for layer in range(self.layers):
                states = gru_kernel.gru_layer(states, *weights[4 * layer : 4 * layer + 4])
            return states.transpose(0, 1)
        initial = x.new_zeros(self.layers, x.shape[0], self.hidden)
        outputs, _ = torch.gru(x, initial, weights, True, self.layers, 0.0, self.training, False, True)
        return outputs


class RecurrentNet(nn.Module):
    """A GRU stack, then one linear layer at every step (and a sigmoid when ``squash``)."""

    def __init__(self, in_features: int, hidden: int, layers: int, out_features: int, squash: bool = True) -> None:
        super().__init__()
        self.rnn = GRUStack(in_features, hidden, layers)
        self.out = nn.Linear(hidden, out_features)
        self.squash = squash

    def forward(self, x: torch.Tensor, frozen: bool = False) -> torch.Tensor:
        states = self.rnn(x, frozen)
        weight, bias = self.out.weight, self.out.bias
        if frozen:
            weight, bias = weight.detach(), bias.detach()
        y = torch.nn.functional.linear(states, weight, bias)
        return torch.sigmoid(y) if self.squash else y


class TimeGANNetworks(nn.Module):
    """TimeGAN's five networks over sequences of ``width`` features with ``hidden``-wide latents.

    - embedder: data -> latent sequence; recovery: latent -> data (raw; ``head`` applies the layout's
      activations), together an autoencoder;
    - generator: noise -> latent; supervisor: latent up to step t -> latent at step t + 1 (one layer
      fewer, as in the paper's code);
    - discriminator: latent -> one real/fake logit per step.
    """

    def __init__(self, width: int, noise_dim: int, hidden: int, layers: int, head: nn.Module) -> None:
        super().__init__()
        self.embedder = RecurrentNet(width, hidden, layers, hidden)
        self.recovery = RecurrentNet(hidden, hidden, layers, width, squash=False)
        self.generator = RecurrentNet(noise_dim, hidden, layers, hidden)
        self.supervisor = RecurrentNet(hidden, hidden, max(1, layers - 1), hidden)
        self.discriminator = RecurrentNet(hidden, hidden, layers, 1, squash=False)
        self.head = head
        self.width, self.noise_dim = width, noise_dim

    def recover(self, latent: torch.Tensor, frozen: bool = False) -> torch.Tensor:
        """Data-space sequences from latent ones: recovery, then the layout's activations at every step."""
        raw = self.recovery(latent, frozen)
        return self.head(raw.reshape(-1, self.width)).reshape(raw.shape)

    @torch.no_grad()
    def generate(self, noise: torch.Tensor) -> torch.Tensor:
        """Synthetic sequences (activated, data space) from noise: generator, supervisor, recovery."""
        return self.recover(self.supervisor(self.generator(noise)))
