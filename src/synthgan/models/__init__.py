"""GAN models as small strategies on the shared engine."""

from synthgan.models.base import COMMON_PARAMS, GANModel, Param
from synthgan.models.registry import MODELS, available_models, get_model

__all__ = ["COMMON_PARAMS", "MODELS", "GANModel", "Param", "available_models", "get_model"]
