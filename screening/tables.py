"""Render rows (a list of flat dicts) as a text table, CSV or JSON."""

from __future__ import annotations

import json

FORMATS = ("table", "csv", "json")


def render(rows: list[dict], fmt: str = "table", columns: list[str] | None = None) -> str:
    """Rows as text; ``columns`` limits and orders the table and CSV columns."""
    if fmt == "json":
        return json.dumps(rows, indent=2, default=str)
    import pandas as pd

    frame = pd.DataFrame(rows)
    if columns is not None and not frame.empty:
        frame = frame[columns]
    if fmt == "csv":
        return frame.to_csv(index=False).rstrip("\n")
    if frame.empty:
        return "(nothing to show)"
    return frame.astype(object).fillna("-").to_string(index=False)
