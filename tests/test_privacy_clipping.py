"""Ghost clipping gives the same per-row gradient norms and clipped sum as explicit per-row gradients."""

import torch

from synthgan.nn.autoregressive import ColumnHeads
from synthgan.privacy.clipping import clipped_backward, row_gradient_norms
from synthgan.training.likelihood import draw_known, row_nll


def _batch(rows=12, vocabularies=(5, 3, 7, 2)):
    generator = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    network = ColumnHeads(list(vocabularies), embedding_dim=4, hidden=8)
    tokens = torch.stack([torch.randint(v, (rows,), generator=generator) for v in vocabularies], 1)
    known = draw_known(rows, len(vocabularies), 0.5, generator)
    return network, tokens, known


def _explicit_row_gradients(network, tokens, known):
    rows = []
    for i in range(len(tokens)):
        network.zero_grad()
        row_nll(network, tokens[i : i + 1], known[i : i + 1]).sum().backward()
        rows.append(torch.cat([p.grad.flatten() for p in network.parameters()]))
    return torch.stack(rows)


def test_ghost_norms_equal_the_norms_of_explicit_row_gradients():
    network, tokens, known = _batch()
    explicit = _explicit_row_gradients(network, tokens, known).norm(dim=1)
    taps = []
    losses = row_nll(network, tokens, known, taps)
    ghost = row_gradient_norms(losses, taps)
    torch.testing.assert_close(ghost, explicit, rtol=1e-4, atol=1e-6)


def test_clipped_backward_sums_rows_clipped_to_the_bound():
    network, tokens, known = _batch()
    per_row = _explicit_row_gradients(network, tokens, known)
    bound = float(per_row.norm(dim=1).median())  # about half the rows get clipped
    expected = (per_row * (bound / per_row.norm(dim=1, keepdim=True)).clamp(max=1)).sum(0)
    network.zero_grad()
    taps = []
    clipped_backward(row_nll(network, tokens, known, taps), taps, bound)
    got = torch.cat([p.grad.flatten() for p in network.parameters()])
    torch.testing.assert_close(got, expected, rtol=1e-4, atol=1e-6)
