"""The image family: ``dcgan`` and the label-conditional ``cdcgan``, for small gray or colour images.

``fit(images, labels=None)`` validates the parameters and the images, maps pixels to [-1, 1]
(remembering the caller's dtype and range), builds the model's convolutional networks from the
image size and trains them in the one training loop, with the same adversarial phase, weight
averaging, callbacks and seeds as the tabular family. ``sample(n, conditions={"label": 7})``
returns ``n`` images shaped and typed like the training images (and, with ``return_labels=True``,
the label of each).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from synthgan.data.image import PixelScale, encode_labels, image_array, read_images, read_labels
from synthgan.errors import ConditionError, ParameterError
from synthgan.models import GANModel, get_model
from synthgan.nn.images import ImageHead, refresh_batch_norm, upsampling_plan
from synthgan.randomness import local_torch_rng, seed_or_random
from synthgan.synthesizer import Synthesizer
from synthgan.training import train
from synthgan.training.adversarial import AdversarialPhase, WeightAverage
from synthgan.training.callbacks import DivergenceGuard, History, ProgressBar, TimeBudget
from synthgan.training.images import ImageBatches
from synthgan.training.runtime import torch_threads

__all__ = ["ImageSynthesizer"]

# Images generated per forward pass when sampling.
SAMPLE_CHUNK = 1_000
# Forward passes (of this many images) that re-measure the averaged generator's BatchNorm statistics.
REFRESH_BATCHES, REFRESH_SIZE = 8, 256
LABEL = "label"


class ImageSynthesizer(Synthesizer):
    """The image family (``dcgan``, ``cdcgan``); ``Synthesizer("dcgan")`` returns one of these.

    Learned state: ``generator_``, ``image_shape_`` (C, H, W), ``pixels_`` (the caller's pixel
    range and dtype), ``classes_`` (the label values, None for ``dcgan``) and ``class_frequency_``.
    """

    family = "image"

    @property
    def classes(self) -> list[Any] | None:
        """The label values the model learned (None for an unconditional model)."""
        self._check_fitted()
        return self.classes_

    # ------------------------------------------------------------------ fit
    def fit(
        self, images: np.ndarray | str | Path, labels: np.ndarray | list | str | Path | None = None
    ) -> ImageSynthesizer:
        """Learn ``images``: an array ``(N, H, W)`` or ``(N, C, H, W)``, or a file or folder (see
        :func:`synthgan.data.image.read_images`). ``labels`` (one class per image; an array or a
        labels file) are required by ``cdcgan`` and ignored by ``dcgan``. Inputs are not modified.
        """
        model = self._begin_fit()
        model_class, params = type(model), self.params_
        if isinstance(images, str | Path):
            images, found = read_images(images)
            labels = found if labels is None else labels
        if isinstance(labels, str | Path):
            labels = read_labels(labels)
        array = image_array(images)
        self.squeeze_ = np.ndim(images) == 3
        self.image_shape_ = tuple(int(size) for size in array.shape[1:])
        self.pixels_ = PixelScale.infer(array)
        codes = self._learn_labels(model_class, labels, len(array))

        seed = params["seed"]
        cpu_random = torch.Generator().manual_seed(seed_or_random(seed))
        data = torch.from_numpy(self.pixels_.to_unit(array)).to(self.device_)
        label_tensor = None if codes is None else torch.from_numpy(codes).to(self.device_)
        classes = 0 if self.classes_ is None else len(self.classes_)
        batches = ImageBatches(data, label_tensor, classes, params["batch_size"], cpu_random)
        with local_torch_rng(seed, self.device_), torch_threads(params["threads"]):
            self._train(model, batches, cpu_random)
        return self

    def _learn_labels(self, model_class: type[GANModel], labels: Any, n: int) -> np.ndarray | None:
        if model_class.conditioning != "label":
            self.classes_, self.class_frequency_ = None, None
            return None
        if labels is None:
            raise ParameterError(
                f"Model {model_class.name!r} learns one class per image: give one label per image (labels=... "
                "in Python, --labels FILE on the command line), or use 'dcgan', which needs none."
            )
        self.classes_, codes = encode_labels(labels, n)
        self.class_frequency_ = (np.bincount(codes, minlength=len(self.classes_)) / n).tolist()
        return codes

    def _train(self, model: GANModel, batches: ImageBatches, cpu_random: torch.Generator) -> None:
        params = self.params_
        generator, critic, head = self._build(model, batches.condition_width)
        average = WeightAverage(generator, params["ema_decay"]) if params["ema_decay"] > 0 else None
        phase = AdversarialPhase(
            generator=generator,
            critic=critic,
            head=head,
            loss=model.loss(),
            penalties=model.penalties(),
            optimizers=model.optimizers(generator, critic),
            batches=batches,
            noise_dim=params["noise_dim"],
            n_critic=params["n_critic"],
            epochs=params["epochs"],
            random=cpu_random,
            average=average,
        )
        history = History()
        callbacks = [
            DivergenceGuard(),
            history,
            TimeBudget(params["max_minutes"]),
            ProgressBar(params["verbose"], len(batches.data), unit="images"),
        ]
        generator.train()
        critic.train()
        run = train([phase], callbacks)
        sampling_generator = average.module if average else generator
        if average is not None:
            refresh_seed = int(torch.randint(2**31 - 1, (1,), generator=cpu_random))
            refresh_batch_norm(sampling_generator, self._refresh_inputs(refresh_seed), REFRESH_BATCHES)
        sampling_generator.eval()
        self.generator_, self.head_ = sampling_generator, head
        self.history_ = history.records
        self.stop_reason_ = run.stop_reason or "all epochs done"

    def _refresh_inputs(self, seed: int):
        random = torch.Generator().manual_seed(seed)

        def inputs() -> torch.Tensor:
            codes = self._draw_labels(REFRESH_SIZE, random)
            return self._generator_input(REFRESH_SIZE, codes, random)

        return inputs

    def _build(self, model: GANModel, condition_width: int):
        _, height, width = self.image_shape_
        noise_dim = self.params_["noise_dim"]
        generator = model.build_generator(noise_dim + condition_width, self.image_shape_).to(self.device_)
        critic = model.build_critic(self.image_shape_, condition_width).to(self.device_)
        head = ImageHead(height, width, upsampling_plan(height, width)).to(self.device_)
        return generator, critic, head

    # ------------------------------------------------------------------ sample
    def sample(
        self,
        n: int,
        conditions: Mapping[str, Any] | None = None,
        seed: int | None = None,
        return_labels: bool = False,
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray | None]:
        """Generate ``n`` images shaped, typed and ranged like the training images.

        ``conditions={"label": 7}`` asks a conditional model for ``n`` images of that class (the
        label is given to the generator, so every image is asked for a 7); without it, labels are
        drawn with the real class frequencies. ``return_labels=True`` returns ``(images, labels)``,
        labels being None for an unconditional model. ``seed`` defaults to the fit seed, so the
        same call gives the same images.
        """
        images, labels = Synthesizer.sample(self, n, conditions=conditions, seed=seed)
        return (images, labels) if return_labels else images

    noun = "images"
    block_size = 10_000

    def _cells_per_item(self) -> int:
        return int(np.prod(self.image_shape_)) // 16

    def _sample_block(
        self, n: int, conditions: Mapping[str, Any] | None, seed: int, start: int
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """``(images, labels)``; labels are None for an unconditional model."""
        random = torch.Generator().manual_seed(seed)
        wanted = self._resolve_conditions(conditions)
        if self.classes_ is None:
            codes = None
        elif wanted is None:
            codes = self._draw_labels(n, random)
        else:
            codes = torch.full((n,), wanted, dtype=torch.long)
        with torch_threads(self.params_["threads"]):
            unit = self._generate(n, codes, random)
        images = self.pixels_.from_unit(unit)
        if self.squeeze_:
            images = images[:, 0]
        labels = None if codes is None else np.array(self.classes_)[codes.numpy()]
        return images, labels

    @staticmethod
    def _cut(items, start, stop):
        images, labels = items
        return images[start:stop], None if labels is None else labels[start:stop]

    @staticmethod
    def _length(items) -> int:
        return len(items[0])

    @staticmethod
    def _join(parts):
        images = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
        labels = None if parts[0][1] is None else np.concatenate([p[1] for p in parts])
        return images, labels

    def _resolve_conditions(self, conditions: Mapping[str, Any] | None) -> int | None:
        """The class index asked for by ``{"label": value}``, or None."""
        if not conditions:
            return None
        if not isinstance(conditions, Mapping):
            raise ConditionError(
                f"conditions must be a mapping such as {{'label': 7}}, got {type(conditions).__name__}."
            )
        unknown = [key for key in conditions if key != LABEL]
        if unknown:
            raise ConditionError(
                f"Images are conditioned on 'label' only, not {unknown[0]!r}: ask for {{'label': value}} "
                "(--condition label=VALUE on the command line)."
            )
        if self.classes_ is None:
            raise ConditionError(
                f"Model {self.model!r} learned no labels, so it cannot generate a given class. "
                "Fit 'cdcgan' with labels=... to ask for one."
            )
        value = conditions[LABEL]
        for index, known in enumerate(self.classes_):
            if value == known or str(value) == str(known):
                return index
        raise ConditionError(f"label has no value {value!r}. Known labels: {self.classes_}.")

    def _draw_labels(self, n: int, random: torch.Generator) -> torch.Tensor | None:
        if self.classes_ is None:
            return None
        frequency = torch.tensor(self.class_frequency_, dtype=torch.float64)
        if n == 0:
            return torch.zeros(0, dtype=torch.long)
        return torch.multinomial(frequency, n, replacement=True, generator=random)

    def _generator_input(self, n: int, codes: torch.Tensor | None, random: torch.Generator) -> torch.Tensor:
        noise = torch.randn(n, self.params_["noise_dim"], generator=random)
        if codes is not None:
            noise = torch.cat([noise, F.one_hot(codes, len(self.classes_)).float()], dim=1)
        return noise.to(self.device_)

    @torch.no_grad()
    def _generate(self, n: int, codes: torch.Tensor | None, random: torch.Generator) -> np.ndarray:
        """``n`` images as float32 in [-1, 1], ``(n, C, H, W)``."""
        out = np.empty((n, *self.image_shape_), dtype=np.float32)
        generator = self.generator_
        was_training = generator.training
        generator.eval()
        for start in range(0, n, SAMPLE_CHUNK):
            size = min(SAMPLE_CHUNK, n - start)
            chunk = None if codes is None else codes[start : start + size]
            raw = generator(self._generator_input(size, chunk, random))
            out[start : start + size] = self.head_(raw).cpu().numpy()
        generator.train(was_training)
        return out

    # ------------------------------------------------------------------ files
    def _file_state(self) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
        tensors = {f"generator.{name}": value for name, value in self.generator_.state_dict().items()}
        meta = {
            "image_shape": list(self.image_shape_),
            "squeeze": self.squeeze_,
            "pixels": self.pixels_.to_state(),
            "classes": self.classes_,
            "class_frequency": self.class_frequency_,
        }
        return meta, tensors

    def _restore(self, meta: dict[str, Any], tensors: dict[str, torch.Tensor]) -> None:
        self.image_shape_ = tuple(int(size) for size in meta["image_shape"])
        if len(self.image_shape_) != 3:
            raise ValueError(f"image_shape {meta['image_shape']} is not (C, H, W)")
        self.squeeze_ = bool(meta["squeeze"])
        self.pixels_ = PixelScale.from_state(meta["pixels"])
        self.classes_ = meta["classes"]
        self.class_frequency_ = meta["class_frequency"]
        model = get_model(self.model)(self.params_)
        width = 0 if self.classes_ is None else len(self.classes_)
        generator, _, head = self._build(model, width)
        prefix = "generator."
        weights = {key[len(prefix) :]: value for key, value in tensors.items() if key.startswith(prefix)}
        generator.load_state_dict(weights, strict=True)
        generator.eval()
        self.generator_, self.head_ = generator, head
