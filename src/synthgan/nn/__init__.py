"""Small network building blocks shared by the models."""

from synthgan.nn.blocks import Critic, ResidualGenerator
from synthgan.nn.heads import LayoutHead
from synthgan.nn.images import ImageCritic, ImageGenerator, ImageHead
from synthgan.nn.recurrent import GRUStack, RecurrentNet, TimeGANNetworks

__all__ = [
    "Critic",
    "GRUStack",
    "ImageCritic",
    "ImageGenerator",
    "ImageHead",
    "LayoutHead",
    "RecurrentNet",
    "ResidualGenerator",
    "TimeGANNetworks",
]
