"""``znscreen show``: everything known about one candidate, and where each number came from."""

from __future__ import annotations

from typing import Any

import pandas as pd

from screening.analysis.ranking import RELATIVE_SUFFIX
from screening.analysis.uncertainty import sigma_column
from screening.errors import ScreeningError
from screening.schemas import ProfileDetails, RowDetails, ValueDoc
from screening.store.database import Store, redact
from screening.tables import render


def _cell(row: pd.Series | None, column: str) -> Any:
    """A table cell, rounded, or "-" when absent."""
    if row is None or column not in row or pd.isna(row[column]):
        return "-"
    return round(float(row[column]), 4)


def value_rows(values: dict[str, ValueDoc], ranked: pd.Series | None) -> list[dict[str, Any]]:
    rows = []
    for column, v in values.items():
        value = v["value"]
        rows.append({"descriptor": column,
                     "value": "-" if value is None else round(value, 4),
                     "+-sigma": _cell(ranked, sigma_column(column)),
                     "vs Zn(0001)": _cell(ranked, column + RELATIVE_SUFFIX), "unit": v["unit"],
                     "flags / why missing": v["reason"] if value is None
                     else "; ".join(v["flags"])})
    return rows


def _profile(details: ProfileDetails) -> str:
    surface = {int(n): e for n, e in details["surface"].items()}
    free = {int(n): e for n, e in details["free"].items()}
    steps = sorted(set(surface) | set(free), reverse=True)
    rows = [{"n": n, "dE_n on surface (eV)": surface.get(n, "-"),
             "dE_n free cluster (eV)": free.get(n, "-")} for n in steps]
    model = details.get("convention", f"charge {details['charge']}")  # older runs: charge
    return (f"Desolvation profile, [Zn(H2O)n] -> [Zn(H2O)n-1] + H2O ({model}; slab of "
            f"{details['slab_atoms']} atoms):\n" + render(rows))


def calculation_rows(keys: list[str], store: Store) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        record = store.record(key)
        if record is None:
            rows.append({"key": key[:12], "label": "(not in this store)"})
            continue
        rows.append({"key": key[:12], "label": record.label, "level": record.level,
                     "task": record.task.value, "status": record.status.value,
                     "energy_eV": "-" if record.energy is None else round(record.energy, 4),
                     "converged": "-" if record.converged is None else record.converged,
                     "steps": "-" if record.n_steps is None else record.n_steps,
                     "wall_s": round(record.wall_time or 0.0, 1)})
    return rows


def show(name: str, details: dict[str, RowDetails], table: pd.DataFrame, store: Store,
         level: str | None = None) -> str:
    """A text report of one candidate: rows, per-site tables, profiles, provenance."""
    entries = [d for d in details.values()
               if d["name"] == name and (level is None or d["level"] == level)]
    if not entries:
        known = sorted({d["name"] for d in details.values()})
        where = f" at level {level!r}" if level else ""
        raise ScreeningError(f"no results for {name!r}{where} "
                             f"(candidates with results: {', '.join(known)})")
    c = entries[0]["candidate"]
    out = [f"{name}: {c['formula']} {c['surface']} ({c['family']}, {c['source']}); "
           f"structure: {c['reference']}"]
    for entry in entries:
        ranked = table[(table["name"] == name) & (table["level"] == entry["level"])]
        out.append(f"\n== level {entry['level']}")
        r = None if ranked.empty else ranked.iloc[0]
        if r is not None and r.get("baseline", False):
            out.append(f"baseline (bare Zn, not ranked): score {r['score']} "
                       f"(weight coverage {r['coverage']})")
        elif r is not None:
            at_level = table[table["level"] == entry["level"]]
            n_level = int(at_level["rank"].notna().sum())
            stability = ("" if pd.isna(r.get("p_top5")) else
                         f", in the top 5 in {r['p_top5']:.0%} of draws within the sigmas, "
                         f"score sd {r['score_sd']}")
            place = "-" if pd.isna(r["rank"]) else int(r["rank"])
            out.append(f"rank {place} of {n_level} coatings, score {r['score']} "
                       f"(weight coverage {r['coverage']}){stability}, Pareto front: "
                       f"{'yes' if r['pareto'] else 'no'}")
        out.append(render(value_rows(entry["values"], r)))
        shown: list[Any] = []
        for column, v in entry["values"].items():
            d = v["details"]
            if not d or d in shown:  # columns of one group may share their details
                continue
            shown.append(d)
            if d["kind"] == "sites":
                out.append(f"\nSites for {column} (reported: {d['site']}; binding = "
                           f"E(S+X) - E(S), eV):\n" + render(d["sites"]))
            elif d["kind"] == "profile":
                out.append("\n" + _profile(d))
            else:
                fields = ", ".join(f"{k} {x}" for k, x in d.items() if k != "kind")
                out.append(f"\n{column}: {fields}")
        keys = list(dict.fromkeys(k for v in entry["values"].values() for k in v["keys"]))
        out.append(f"\nCalculations behind these numbers ({len(keys)}, from "
                   f"{redact(store.url)}):\n" + render(calculation_rows(keys, store)))
        timings = ", ".join(f"{k} {s} s" for k, s in entry["timings_s"].items())
        out.append(f"\nwall time this run: {timings}; {entry['n_calculations']} calculations")
        for failure in entry["failures"]:
            out.append(f"failure: {failure}")
    return "\n".join(out)
