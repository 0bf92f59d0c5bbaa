"""Small network building blocks shared by the models."""

from synthgan.nn.blocks import Critic, ResidualGenerator
from synthgan.nn.heads import LayoutHead

__all__ = ["Critic", "LayoutHead", "ResidualGenerator"]
