"""Small network building blocks shared by the models."""

from synthgan.nn.blocks import Critic, ResidualGenerator
from synthgan.nn.heads import LayoutHead
from synthgan.nn.images import ImageCritic, ImageGenerator, ImageHead

__all__ = ["Critic", "ImageCritic", "ImageGenerator", "ImageHead", "LayoutHead", "ResidualGenerator"]
