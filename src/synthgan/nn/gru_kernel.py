"""A GRU layer with a hand-written backward pass, for training small recurrent networks fast on a CPU.

torch's CPU GRU records a dozen autograd nodes per layer and time step and replays them one by one
backwards, with three small matrix products per step. Here a whole layer is one autograd node:

- forward: the input projection of every step is one matrix product; the loop over steps does one
  product with the recurrent weights and six element-wise ops, writing gates and states into
  preallocated buffers; ``tanh(a)`` is computed as ``2 sigmoid(2a) - 1`` (the same function, and
  several times cheaper than ``tanh`` on a CPU), the factor 2 folded into the n-gate weights;
- backward: the derivatives of the state with respect to every gate are computed for all steps at
  once from the saved gates; the loop over steps then only carries the state gradient back (one
  product and four element-wise ops a step); the weight gradients are one matrix product each,
  over all steps together.

The loops run as TorchScript, so no Python runs per step. Same function and parameters as
``torch.nn.GRU`` (gate order r, z, n; ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``), checked
against it by the tests. Where TorchScript is not available, :data:`AVAILABLE` is False and callers
use torch's own GRU.
"""

from __future__ import annotations

import warnings

import torch

__all__ = ["AVAILABLE", "gru_layer"]


def _forward(gi: torch.Tensor, w_hh_t: torch.Tensor, b_hh: torch.Tensor, minus_one: torch.Tensor):
    """The loop over steps. The n-gate columns of ``gi``, ``w_hh_t`` and ``b_hh`` come scaled by 2, so
    the loop computes ``n = 2 sigmoid(2a) - 1 = tanh(a)`` without a scalar op. Per-step views are
    taken once, before the loop: indexing inside it would cost an op each time."""
    steps, batch = gi.shape[0], gi.shape[1]
    hidden = w_hh_t.shape[0]
    states = gi.new_zeros(steps + 1, batch, hidden)
    gh = gi.new_empty(steps, batch, 3 * hidden)
    rz = gi.new_empty(steps, batch, 2 * hidden)
    n = gi.new_empty(steps, batch, hidden)
    state, gh_t, rz_t, n_t = states.unbind(0), gh.unbind(0), rz.unbind(0), n.unbind(0)
    gi_rz, gi_n = gi[:, :, : 2 * hidden].unbind(0), gi[:, :, 2 * hidden :].unbind(0)
    gh_rz, gh_n = gh[:, :, : 2 * hidden].unbind(0), gh[:, :, 2 * hidden :].unbind(0)
    r, z = rz[:, :, :hidden].unbind(0), rz[:, :, hidden:].unbind(0)
    for t in range(steps):
        torch.addmm(b_hh, state[t], w_hh_t, out=gh_t[t])
        torch.sigmoid(gi_rz[t] + gh_rz[t], out=rz_t[t])
        half = torch.sigmoid(torch.addcmul(gi_n[t], r[t], gh_n[t]))
        torch.add(minus_one, half, alpha=2.0, out=n_t[t])
        torch.addcmul(n_t[t], z[t], state[t] - n_t[t], out=state[t + 1])
    return states, gh, rz, n


def _backward(
    grad: torch.Tensor, w_hh: torch.Tensor, states: torch.Tensor, gh: torch.Tensor, rz: torch.Tensor, n: torch.Tensor
):
    """The loop back over steps; ``gh`` as saved by the forward loop (its n-gate block scaled by 2)."""
    steps, batch, hidden = grad.shape[0], grad.shape[1], grad.shape[2]
    r = rz[:, :, :hidden]
    z = rz[:, :, hidden:]
    keep = 1.0 - z
    # d h_t / d (pre-activation of each gate), for every step at once.
    dn = keep * (1.0 - n * n)
    q = grad.new_empty(steps, batch, 3 * hidden)  # d h_t / d gh_t, gate blocks r, z, n
    torch.mul(dn * gh[:, :, 2 * hidden :], 0.5 * r * (1.0 - r), out=q[:, :, :hidden])
    torch.mul((states[:-1] - n) * z, keep, out=q[:, :, hidden : 2 * hidden])
    torch.mul(dn, r, out=q[:, :, 2 * hidden :])
    tiled = grad.new_empty(steps, batch, 3 * hidden)  # total gradient of h_t, repeated per gate block
    carried = grad.new_zeros(batch, hidden)
    grad_t, z_t, q_t, tiled_t = grad.unbind(0), z.unbind(0), q.unbind(0), tiled.unbind(0)
    for i in range(steps):
        t = steps - 1 - i
        total = carried + grad_t[t]
        torch.cat([total, total, total], 1, out=tiled_t[t])
        carried = torch.addmm(total * z_t[t], tiled_t[t] * q_t[t], w_hh)
    d_gh = tiled * q
    d_gi = d_gh.clone()
    torch.mul(tiled[:, :, 2 * hidden :], dn, out=d_gi[:, :, 2 * hidden :])
    return d_gi, d_gh


def _script(function):
    with warnings.catch_warnings():  # TorchScript is deprecated in torch 2.x but still the fastest loop
        warnings.simplefilter("ignore")
        return torch.jit.script(function)


try:
    _forward_loop = _script(_forward)
    _backward_loop = _script(_backward)
    AVAILABLE = True
except Exception:  # pragma: no cover - a torch without TorchScript
    AVAILABLE = False


class _GRULayer(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, w_ih, w_hh, b_ih, b_hh):
        steps, batch, _ = x.shape
        hidden = w_hh.shape[1]
        double_n = torch.ones(3 * hidden, dtype=x.dtype, device=x.device)
        double_n[2 * hidden :] = 2.0
        gi = torch.addmm(b_ih * double_n, x.reshape(steps * batch, -1), (w_ih * double_n[:, None]).t())
        gi = gi.view(steps, batch, -1)
        minus_one = torch.full((), -1.0, dtype=x.dtype, device=x.device)
        states, gh, rz, n = _forward_loop(gi, (w_hh * double_n[:, None]).t(), b_hh * double_n, minus_one)
        ctx.save_for_backward(x, w_ih, w_hh, states, gh, rz, n)
        return states[1:]

    @staticmethod
    def backward(ctx, grad):
        x, w_ih, w_hh, states, gh, rz, n = ctx.saved_tensors
        steps, batch, hidden = grad.shape
        d_gi, d_gh = _backward_loop(grad.contiguous(), w_hh, states, gh, rz, n)
        d_gi = d_gi.view(steps * batch, 3 * hidden)
        d_gh = d_gh.view(steps * batch, 3 * hidden)
        need = ctx.needs_input_grad
        dx = (d_gi @ w_ih).view(steps, batch, -1) if need[0] else None
        dw_ih = d_gi.t() @ x.reshape(steps * batch, -1) if need[1] else None
        dw_hh = d_gh.t() @ states[:-1].reshape(steps * batch, hidden) if need[2] else None
        db_ih = d_gi.sum(0) if need[3] else None
        db_hh = d_gh.sum(0) if need[4] else None
        return dx, dw_ih, dw_hh, db_ih, db_hh


def gru_layer(
    x: torch.Tensor, w_ih: torch.Tensor, w_hh: torch.Tensor, b_ih: torch.Tensor, b_hh: torch.Tensor
) -> torch.Tensor:
    """One GRU layer from a zero state over time-major ``x`` (steps, batch, features): (steps, batch, hidden)."""
    return _GRULayer.apply(x, w_ih, w_hh, b_ih, b_hh)
