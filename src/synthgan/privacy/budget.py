"""The privacy budget: how much noise each private release gets, and what was spent.

A DP fit makes two kinds of releases, both Gaussian mechanisms on data whose rows each move a
count (or a clipped gradient) by at most 1 (or ``max_grad_norm``):

- the data layer (:mod:`synthgan.privacy.data_layer`): one or two noisy histograms of every column
  (ranges and levels, then bins and frequencies), each over all rows (sample rate 1);
- training: DP-SGD steps on Poisson-sampled batches (sample rate ``q``).

Both go into one accountant history (Opacus' RDP accountant by default, or its PRV accountant),
so the spent epsilon is that of their composition, tighter than adding the two epsilons up. The
data layer's noise is set so that it would spend ``data_share`` of the target on its own; the
training noise is then the smallest that keeps the composition within the target for the planned
steps. Levels of a categorical column whose domain was not declared are released only when their
noisy count clears a threshold; the chance that a single row's own level passes is at most
``selection_delta``, which is added to the accountant's delta (the total stays ``delta``).
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

from opacus.accountants import create_accountant

from synthgan.errors import ParameterError

__all__ = ["ACCOUNTANTS", "PrivacyBudget", "default_delta", "spent_epsilon"]

ACCOUNTANTS = ("rdp", "prv")
# Share of the total delta set aside for releasing category levels found in the data.
SELECTION_DELTA_SHARE = 0.1
# Opacus' RDP orders stop at 63; a small epsilon (the data layer's share) needs larger ones.
RDP_ORDERS = [1 + x / 10.0 for x in range(1, 100)] + list(range(12, 64)) + [2**k for k in range(6, 14)]


def default_delta(rows: int) -> float:
    """``1 / (10 n)``: well below ``1 / n``, the delta at which releasing one random row outright
    would already be "private"; a delta of ``1 / n`` or more guarantees nothing for a table."""
    return 1.0 / (10 * max(rows, 1))


def spent_epsilon(history: list[tuple[float, float, int]], delta: float, accountant: str = "rdp") -> float:
    """Epsilon of the composition of Gaussian mechanisms ``(noise multiplier, sample rate, steps)``."""
    runs = [entry for entry in history if entry[2] > 0]
    if not runs:
        return 0.0
    counter = create_accountant(mechanism=accountant)
    counter.history = [(float(noise), float(rate), int(steps)) for noise, rate, steps in runs]
    # PRV at sample rate 1 takes log(0) on its way (the result is finite); RDP warns when the best
    # order is its largest, which only makes the bound looser (still valid).
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", UserWarning)
        if accountant == "rdp":
            return float(counter.get_epsilon(delta=delta, alphas=RDP_ORDERS))
        return float(counter.get_epsilon(delta=delta))


def _noise_for(
    target: float, history: list[tuple[float, float, int]], rate: float, steps: int, delta: float, accountant: str
) -> float:
    """The smallest noise multiplier whose ``steps`` at ``rate``, after ``history``, spend at most ``target``."""
    low, high = 0.05, 1.0
    while spent_epsilon([*history, (high, rate, steps)], delta, accountant) > target:
        low, high = high, high * 2
        if high > 1e5:
            raise ParameterError(
                f"dp_epsilon={target:g} cannot be met with {steps:,} steps at sample rate {rate:.3g}: "
                "raise dp_epsilon, or train fewer epochs."
            )
    while high - low > 1e-4 * high:
        middle = (low + high) / 2
        if spent_epsilon([*history, (middle, rate, steps)], delta, accountant) > target:
            low = middle
        else:
            high = middle
    return high


@dataclass
class PrivacyBudget:
    """A target ``(epsilon, delta)`` and the noise of each release that meets it.

    Call :meth:`plan_data_layer` with the number of data-layer releases, then :meth:`plan_training`
    with the sample rate and planned steps; :meth:`record` after training says what was spent.
    """

    epsilon: float
    delta: float
    data_share: float = 0.1
    accountant: str = "rdp"
    max_grad_norm: float = 1.0
    data_noise: float = 0.0
    data_releases: int = 0
    selection_delta: float = 0.0
    noise_multiplier: float = 0.0
    sample_rate: float = 0.0
    planned_steps: int = 0
    steps: int = 0
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.accountant not in ACCOUNTANTS:
            raise ParameterError(f"dp_accountant must be one of {list(ACCOUNTANTS)}, got {self.accountant!r}.")
        if not 0 < self.delta < 1:
            raise ParameterError(f"dp_delta must lie strictly between 0 and 1, got {self.delta!r}.")

    @property
    def accountant_delta(self) -> float:
        """The delta the accountant is asked for: the total less what category selection spends."""
        return self.delta - self.selection_delta

    def plan_data_layer(self, releases: int, selects_levels: bool) -> float:
        """The noise multiplier of the data layer's ``releases`` histograms (sample rate 1)."""
        self.data_releases = releases
        self.selection_delta = self.delta * SELECTION_DELTA_SHARE if selects_levels else 0.0
        if releases == 0:
            self.data_noise = 0.0
            return 0.0
        self.data_noise = _noise_for(
            self.epsilon * self.data_share, [], 1.0, releases, self.accountant_delta, self.accountant
        )
        return self.data_noise

    def plan_training(self, sample_rate: float, steps: int) -> float:
        """The training noise multiplier that spends the rest of the budget in ``steps`` steps."""
        self.sample_rate, self.planned_steps = float(sample_rate), int(steps)
        self.noise_multiplier = _noise_for(
            self.epsilon,
            self._data_history(),
            self.sample_rate,
            self.planned_steps,
            self.accountant_delta,
            self.accountant,
        )
        return self.noise_multiplier

    def _data_history(self) -> list[tuple[float, float, int]]:
        return [(self.data_noise, 1.0, self.data_releases)] if self.data_releases else []

    def history(self) -> list[tuple[float, float, int]]:
        """Every release so far, as the accountant sees it."""
        return [*self._data_history(), (self.noise_multiplier, self.sample_rate, self.steps)]

    def spent(self) -> float:
        """Epsilon spent so far (data layer and the training steps taken)."""
        return spent_epsilon(self.history(), self.accountant_delta, self.accountant)

    def record(self) -> dict[str, Any]:
        """What a model file, ``syn.privacy_`` and the report say about the guarantee (JSON-able)."""
        state = asdict(self)
        state.update(
            spent_epsilon=self.spent(),
            target_epsilon=self.epsilon,
            accountant_delta=self.accountant_delta,
            data_layer_epsilon=spent_epsilon(self._data_history(), self.accountant_delta, self.accountant),
        )
        del state["epsilon"]
        return state
