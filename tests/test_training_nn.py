"""Network pieces the engine relies on: the segmented head, the fast sampling path, threads."""

from __future__ import annotations

import pandas as pd
import torch

from synthgan import Synthesizer
from synthgan.data.layout import Layout, Span
from synthgan.nn import LayoutHead, ResidualGenerator


def _layout() -> Layout:
    spans, start = [], 0
    for column, kind, width, role in [
        ("a", "scalar", 1, "value"),
        ("a", "onehot", 3, "component"),
        ("b", "onehot", 4, "category"),
        ("c", "onehot", 3, "category"),
        ("d", "scalar", 1, "value"),
        ("d", "onehot", 1, "component"),
        ("e", "onehot", 2, "category"),
    ]:
        spans.append(Span(column, kind, width, start, role))
        start += width
    return Layout(tuple(spans))


def test_head_is_tanh_and_a_softmax_per_span():
    layout = _layout()
    raw = 30 * torch.randn(16, layout.width, generator=torch.Generator().manual_seed(0))
    expected = torch.empty_like(raw)
    for span in layout:
        block = raw[:, span.start : span.stop]
        expected[:, span.start : span.stop] = torch.tanh(block) if span.kind == "scalar" else block.softmax(1)
    head = LayoutHead(layout)
    assert torch.allclose(head(raw), expected, atol=1e-6)
    logits = head(raw, onehot_probabilities=False)  # sampling: scalars activated, argmax kept
    for span in layout:
        if span.kind == "onehot":
            block = slice(span.start, span.stop)
            assert torch.equal(logits[:, block].argmax(1), expected[:, block].argmax(1))


def test_gumbel_head_gives_sharp_distributions_and_gradients():
    layout = _layout()
    raw = torch.randn(64, layout.width, requires_grad=True)
    out = LayoutHead(layout, tau=0.2)(raw, gumbel=True, generator=torch.Generator().manual_seed(1))
    for span in layout:
        if span.kind == "onehot":
            assert torch.allclose(out[:, span.start : span.stop].sum(1), torch.ones(64), atol=1e-5)
    (out**2).sum().backward()
    assert torch.isfinite(raw.grad).all() and raw.grad.abs().sum() > 0


def test_fast_sampling_path_matches_the_eval_forward():
    torch.manual_seed(0)
    generator = ResidualGenerator(16 + 5, (32, 24), 11)
    optimizer = torch.optim.SGD(generator.parameters(), 0.1)
    for _ in range(3):  # move BatchNorm's running statistics away from their start
        conditions = torch.nn.functional.one_hot(torch.randint(5, (40,)), 5).float()
        generator(torch.cat([torch.randn(40, 16), conditions], 1)).pow(2).mean().backward()
        optimizer.step()
    generator.eval()
    noise, index = torch.randn(50, 16), torch.randint(5, (50,))
    expected = generator(torch.cat([noise, torch.nn.functional.one_hot(index, 5).float()], 1))
    assert torch.allclose(generator.infer(noise, index, 5), expected, atol=1e-5)
    plain = ResidualGenerator(16, (32,), 7).eval()
    assert torch.allclose(plain.infer(noise, None, 0), plain(noise), atol=1e-5)


def test_threads_setting_is_restored(adult_small):
    before = torch.get_num_threads()
    table = adult_small.head(300)
    synthesizer = Synthesizer("wgangp", epochs=1, threads=1, verbose=False).fit(table)
    assert isinstance(synthesizer.sample(10), pd.DataFrame)
    assert torch.get_num_threads() == before
