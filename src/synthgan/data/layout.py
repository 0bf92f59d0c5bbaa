"""The output layout: how a transformed row is laid out, span by span.

The transformer publishes a :class:`Layout`; generator heads read it to apply the right activation
to each span (tanh or identity for scalars, softmax / Gumbel-softmax for one-hot groups) and
conditional samplers read it to find the one-hot span of each discrete column. Models never branch
on column types: they only see spans.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

SpanKind = Literal["scalar", "onehot"]
# What a span encodes: a normalized value, the mode / point-mass / null component of a numeric
# column, or the levels of a discrete column (the spans a conditional model conditions on).
SpanRole = Literal["value", "component", "category"]


@dataclass(frozen=True)
class Span:
    """A contiguous block of the transformed matrix belonging to one column."""

    column: str
    kind: SpanKind
    width: int
    start: int
    role: SpanRole = "value"

    @property
    def stop(self) -> int:
        return self.start + self.width

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Layout:
    """The ordered spans of a transformed table; ``width`` is the matrix width."""

    spans: tuple[Span, ...]

    @property
    def width(self) -> int:
        return self.spans[-1].stop if self.spans else 0

    def __iter__(self):
        return iter(self.spans)

    def __len__(self) -> int:
        return len(self.spans)

    @property
    def discrete_spans(self) -> tuple[Span, ...]:
        """One-hot spans of discrete columns: what a conditional vector is built from."""
        return tuple(span for span in self.spans if span.role == "category")

    def spans_of(self, column: str) -> tuple[Span, ...]:
        return tuple(span for span in self.spans if span.column == column)

    def to_dict(self) -> dict[str, Any]:
        return {"spans": [span.to_dict() for span in self.spans]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Layout:
        return cls(tuple(Span(**item) for item in data["spans"]))
