"""The contract of the image models (dcgan, cdcgan) on tiny data, and the pieces they are built from.

scikit-learn's embedded 8x8 digits (0-16 pixels, 10 classes) stand in for real images; 2 epochs with
narrow networks keep it fast. Sample quality is measured in benchmarks/images.py, not here.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from torch import nn

from synthgan import Synthesizer, available_models
from synthgan.errors import ConditionError, NotFittedError, ParameterError
from synthgan.families.image import ImageSynthesizer
from synthgan.nn.images import ImageGenerator, ImageHead, refresh_batch_norm, upsampling_plan
from synthgan.training.images import ImageBatches

FAST = {"epochs": 2, "batch_size": 32, "width": 8, "seed": 3, "verbose": False}


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    data = load_digits()
    return data.images[:320].astype(np.int64), data.target[:320]


@pytest.fixture(scope="module", params=available_models("image"))
def fitted(request, digits) -> ImageSynthesizer:
    images, labels = digits
    synthesizer = Synthesizer(request.param, **FAST)
    assert synthesizer.fit(images, labels=labels) is synthesizer  # fit returns self
    return synthesizer


def test_the_image_family():
    assert available_models("image") == ["dcgan", "cdcgan"]
    assert isinstance(Synthesizer("dcgan"), ImageSynthesizer) and Synthesizer("cdcgan").family == "image"
    assert "dcgan" not in available_models("table")


@pytest.mark.parametrize("model", ["dcgan", "cdcgan"])
def test_sample_before_fit_raises(model):
    with pytest.raises(NotFittedError, match="not fitted"):
        Synthesizer(model).sample(3)


def test_images_have_the_input_shape_dtype_and_range(fitted, digits):
    images = fitted.sample(40)
    assert images.shape == (40, 8, 8) and images.dtype == np.int64
    assert images.min() >= 0 and images.max() <= 16
    assert fitted.sample(0).shape == (0, 8, 8)
    assert len(fitted.history) == 2 and {"critic_loss", "generator_loss"} <= set(fitted.history.columns)


def test_same_seed_same_images(fitted, digits):
    images, labels = digits
    again = Synthesizer(fitted.model, **FAST).fit(images, labels=labels)
    assert np.array_equal(fitted.sample(50), again.sample(50))
    assert not np.array_equal(fitted.sample(50, seed=1), fitted.sample(50, seed=2))


def test_save_then_load_gives_same_images(fitted, tmp_path):
    path = tmp_path / "model.synth"
    fitted.save(path)
    loaded = Synthesizer.load(path)
    assert isinstance(loaded, ImageSynthesizer) and loaded.classes_ == fitted.classes_
    assert np.array_equal(loaded.sample(60), fitted.sample(60))
    assert loaded.history.equals(fitted.history)


def test_conditional_labels_are_exact(fitted):
    if fitted.model == "cdcgan":
        images, labels = fitted.sample(30, conditions={"label": 7}, return_labels=True)
        assert images.shape == (30, 8, 8) and (labels == 7).all()
        assert np.array_equal(fitted.sample(30, conditions={"label": "7"}), images)  # "7" from the CLI means 7
        _, drawn = fitted.sample(400, return_labels=True)
        assert set(drawn) == set(range(10))  # unconditioned: labels drawn with the real frequencies
        with pytest.raises(ConditionError, match="no value 11"):
            fitted.sample(3, conditions={"label": 11})
        with pytest.raises(ConditionError, match="'label' only"):
            fitted.sample(3, conditions={"digit": 1})
    else:
        assert fitted.sample(4, return_labels=True)[1] is None
        with pytest.raises(ConditionError, match="learned no labels"):
            fitted.sample(3, conditions={"label": 1})


def test_conditioning_steers_the_generator():
    """Two classes, all-dark and all-bright images: images asked for 'bright' must be brighter."""
    rng = np.random.default_rng(0)
    labels = np.array(["dark", "bright"] * 64)
    images = np.where(labels[:, None, None] == "bright", 0.85, 0.15) + rng.normal(0, 0.05, (128, 8, 8))
    params = {**FAST, "epochs": 30, "ema_decay": 0, "generator_lr": 2e-3, "critic_lr": 2e-3}
    synthesizer = Synthesizer("cdcgan", **params).fit(images.clip(0, 1), labels=labels)
    bright = synthesizer.sample(64, conditions={"label": "bright"}).mean()
    dark = synthesizer.sample(64, conditions={"label": "dark"}).mean()
    assert bright > dark + 0.4, (bright, dark)


def test_colour_and_odd_sizes(tmp_path):
    images = np.random.default_rng(0).random((40, 3, 13, 10)).astype(np.float32)
    synthesizer = Synthesizer("dcgan", **{**FAST, "epochs": 1}).fit(images)
    fake = synthesizer.sample(6)
    assert fake.shape == (6, 3, 13, 10) and fake.dtype == np.float32 and fake.min() >= 0 and fake.max() <= 1


def test_cdcgan_needs_labels_and_parameters_are_validated(digits):
    images, _ = digits
    with pytest.raises(ParameterError, match="one label per image"):
        Synthesizer("cdcgan", **FAST).fit(images)
    with pytest.raises(ParameterError, match="no parameter 'pac'"):
        Synthesizer("dcgan", pac=10).fit(images)
    with pytest.raises(ParameterError, match="'width' must be >= 1"):
        Synthesizer("dcgan", width=0).fit(images)
    assert "spectral_norm" in Synthesizer.parameters("dcgan") and "pac" not in Synthesizer.parameters("dcgan")


def test_inputs_and_global_random_state_are_left_alone(digits):
    images, labels = digits
    before_images, before_labels = images.copy(), labels.copy()
    states = torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate()
    Synthesizer("cdcgan", **{**FAST, "epochs": 1}).fit(images, labels=labels).sample(10)
    assert np.array_equal(images, before_images) and np.array_equal(labels, before_labels)
    assert torch.equal(states[0], torch.get_rng_state()) and np.array_equal(states[1], np.random.get_state()[1])
    assert states[2] == random.getstate()


@pytest.mark.parametrize(
    "size, doublings, start",
    [((28, 28), 2, (7, 7)), ((32, 32), 3, (4, 4)), ((64, 64), 4, (4, 4)), ((8, 8), 1, (4, 4)), ((27, 13), 1, (14, 7))],
)
def test_architecture_follows_the_image_size(size, doublings, start):
    plan = upsampling_plan(*size)
    assert (plan.doublings, plan.start) == (doublings, start)
    generator = ImageGenerator(10, 1, plan, width=4)
    raw = generator(torch.randn(2, 10))
    assert raw.shape[2:] == plan.padded
    assert ImageHead(*size, plan)(raw).shape[2:] == size


def test_image_batches_pair_real_and_fake_labels():
    labels = torch.arange(40) % 4
    data = labels.float()[:, None, None, None].expand(40, 1, 5, 5).contiguous()
    batches = ImageBatches(data, labels, 4, 8, torch.Generator().manual_seed(0))
    real, real_conditions, fake_conditions, target = batches.critic_batch()
    assert target is None and torch.equal(real_conditions, fake_conditions)
    assert torch.equal(real_conditions.argmax(dim=1).float(), real[:, 0, 0, 0])  # each image with its own label
    joined = batches.join(real, real_conditions)
    assert joined.shape == (8, 5, 5, 5) and torch.equal(joined[:, 1:, 2, 3], real_conditions)
    assert batches.conditions()[0].shape == (8, 4)


def test_refresh_batch_norm_measures_the_statistics_again():
    module = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    inputs = torch.randn(4, 64, 2, generator=torch.Generator().manual_seed(0))
    batches = iter(inputs)
    refresh_batch_norm(module, lambda: next(batches), batches=4)
    with torch.no_grad():
        expected = module[0](inputs.reshape(-1, 2)).mean(dim=0)
    assert torch.allclose(module[1].running_mean, expected, atol=1e-5)
    assert module[1].momentum == 0.1 and module.training
