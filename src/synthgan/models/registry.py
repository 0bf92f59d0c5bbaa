"""The explicit registry of models: name -> strategy class. No plugin discovery, no globbing."""

from __future__ import annotations

import difflib

from synthgan.errors import ParameterError
from synthgan.models.argan import ARGAN
from synthgan.models.base import GANModel
from synthgan.models.images import DCGAN, ConditionalDCGAN
from synthgan.models.timegan import TimeGAN
from synthgan.models.zoo import CTGAN, DRAGAN, WGAN, WGANGP, ConditionalGAN, ConditionalWGANGP, CramerGAN, VanillaGAN

MODELS: dict[str, type[GANModel]] = {
    model.name: model
    for model in (
        ARGAN,  # the flagship (tables)
        *(VanillaGAN, ConditionalGAN, WGAN, WGANGP, DRAGAN, CramerGAN, ConditionalWGANGP, CTGAN),  # tables
        TimeGAN,  # sequences
        *(DCGAN, ConditionalDCGAN),  # images
    )
}


def available_models(family: str | None = None) -> list[str]:
    """Names accepted by ``Synthesizer(name)``; with ``family`` ("table", "sequence", "image"), that family's only."""
    return [name for name, model in MODELS.items() if family is None or model.family == family]


def get_model(name: str) -> type[GANModel]:
    """The strategy class for ``name``; a ParameterError with a suggestion if unknown."""
    if name in MODELS:
        return MODELS[name]
    close = difflib.get_close_matches(str(name), MODELS, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise ParameterError(f"Unknown model {name!r}.{hint} Available: {', '.join(MODELS)}.")
