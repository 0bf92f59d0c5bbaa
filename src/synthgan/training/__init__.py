"""The one training loop, its phases and its callbacks."""

from synthgan.training.loop import Callback, Run, train

__all__ = ["Callback", "Run", "train"]
