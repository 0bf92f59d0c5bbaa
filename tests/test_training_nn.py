"""Network pieces the engine relies on: the segmented head, the fast sampling path, threads."""

from __future__ import annotations

import pandas as pd
import torch

from synthgan import Synthesizer
from synthgan.data.layout import Layout, Span
from synthgan.nn import LayoutHead, ResidualGenerator
from synthgan.training.runtime import sample_dtype


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


def test_sampling_head_draws_levels_at_the_generators_rates():
    layout = _layout()
    rows = 40_000
    raw = torch.zeros(rows, layout.width)
    probabilities = {3: [0.7, 0.2, 0.1], 4: [0.5, 0.25, 0.249, 0.001], 2: [0.3, 0.7]}
    for span in layout:
        if span.kind == "onehot" and span.width > 1:
            raw[:, span.start : span.stop] = torch.log(torch.tensor(probabilities[span.width]))
    raw[:, 0] = 0.5  # a scalar
    out = LayoutHead(layout).sample(raw, torch.Generator().manual_seed(0))
    for span in layout:
        block = out[:, span.start : span.stop]
        if span.kind == "scalar":
            assert torch.equal(block, torch.tanh(raw[:, span.start : span.stop]))
            continue
        assert torch.equal(block.sum(1), torch.ones(rows)) and set(block.unique().tolist()) <= {0.0, 1.0}
        shares = block.mean(0)
        expected = torch.tensor(probabilities.get(span.width, [1.0]))
        assert torch.allclose(shares, expected, atol=0.01)  # not always the likeliest level


def test_sampling_head_survives_extreme_logits_and_wide_layouts():
    spans = [Span(f"c{i}", "onehot", 5, 5 * i, "category") for i in range(400)]  # 2,000 columns
    layout = Layout(tuple(spans))
    raw = torch.full((20_000, layout.width), -1e4)
    raw[:, 3::5] = 1e4  # every span's fourth level is certain
    raw[:, -5:] = torch.log(torch.tensor([0.01, 0.01, 0.01, 0.01, 0.96]))  # the last span, after 399 others
    out = LayoutHead(layout).sample(raw, torch.Generator().manual_seed(0))
    assert torch.equal(out[:, 3:-5:5], torch.ones(20_000, 399))
    assert abs(out[:, -5:-1].mean().item() - 0.01) < 0.002  # rare levels keep their rate far along the row


def test_bfloat16_sampling_stays_close_to_float32():
    torch.manual_seed(0)
    generator = ResidualGenerator(16 + 5, (32, 24), 11).eval()
    noise, index = torch.randn(500, 16), torch.randint(5, (500,))
    exact = generator.infer(noise, index, 5)
    rough = generator.infer(noise, index, 5, torch.bfloat16)
    assert rough.dtype == torch.float32 and not torch.equal(rough, exact)
    assert torch.allclose(rough, exact, atol=0.05 * exact.abs().max().item())
    scalars = torch.tensor([0, 7])
    mixed = generator.infer(noise, index, 5, torch.bfloat16, exact_outputs=scalars)
    on_grid = lambda values: torch.equal(values.bfloat16().float(), values)  # noqa: E731
    assert on_grid(rough[:, 0]) and not on_grid(mixed[:, 0]) and not on_grid(mixed[:, 7])
    assert torch.equal(mixed[:, 1:7], rough[:, 1:7])
    assert torch.allclose(mixed[:, scalars], exact[:, scalars], atol=0.05 * exact.abs().max().item())


def test_auto_precision_is_bfloat16_only_on_a_cpu_with_amx(monkeypatch):
    cpu, cuda = torch.device("cpu"), torch.device("cuda")
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: True, raising=False)
    assert sample_dtype("auto", cpu) == torch.bfloat16 and sample_dtype("auto", cuda) == torch.float32
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    assert sample_dtype("auto", cpu) == torch.float32
    assert sample_dtype("bfloat16", cpu) == torch.bfloat16 and sample_dtype("float32", cpu) == torch.float32


def test_each_sampling_precision_is_reproducible_and_decodes_alike(adult_small):
    synthesizer = Synthesizer("ctgan", epochs=1, sample_precision="float32", verbose=False).fit(adult_small)
    exact = synthesizer.sample(2_000)
    synthesizer.params_["sample_precision"] = "bfloat16"
    rough = synthesizer.sample(2_000)
    pd.testing.assert_frame_equal(rough, synthesizer.sample(2_000))
    assert list(rough.dtypes) == list(exact.dtypes)
    for column in adult_small.select_dtypes("number"):
        assert abs(rough[column].median() - exact[column].median()) <= 0.1 * adult_small[column].std()


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


def test_sampling_gives_the_same_rows_whatever_the_thread_count(adult_small):
    synthesizer = Synthesizer("ctgan", epochs=1, sample_threads=1, verbose=False).fit(adult_small)
    one = synthesizer.sample(25_000)  # more than one generation chunk
    synthesizer.params_["sample_threads"] = 2
    pd.testing.assert_frame_equal(one, synthesizer.sample(25_000))
