"""The reversible data layer: schema inference and the table <-> matrix transformer."""

from synthgan.data.layout import Layout, Span
from synthgan.data.schema import ColumnKind, ColumnSpec, Schema, infer_schema
from synthgan.data.transformer import Transformer

__all__ = ["ColumnKind", "ColumnSpec", "Layout", "Schema", "Span", "Transformer", "infer_schema"]
