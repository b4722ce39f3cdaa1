"""``znscreen show``: everything known about one candidate, and where each number came from."""

from __future__ import annotations

from typing import Any

import pandas as pd

from screening.errors import ScreeningError
from screening.store.database import Store, redact
from screening.tables import render


def _value_rows(values: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for column, v in values.items():
        value = v["value"]
        rows.append({"descriptor": column,
                     "value": "-" if value is None else round(value, 4), "unit": v["unit"],
                     "flags / why missing": v["reason"] if value is None
                     else "; ".join(v["flags"])})
    return rows


def _profile(details: dict[str, Any]) -> str:
    surface = {int(n): e for n, e in details["surface"].items()}
    free = {int(n): e for n, e in details["free"].items()}
    steps = sorted(set(surface) | set(free), reverse=True)
    rows = [{"n": n, "dE_n on surface (eV)": surface.get(n, "-"),
             "dE_n free cluster (eV)": free.get(n, "-")} for n in steps]
    return (f"Desolvation profile, [Zn(H2O)n] -> [Zn(H2O)n-1] + H2O (charge "
            f"{details['charge']}, slab of {details['slab_atoms']} atoms):\n"
            + render(rows))


def _calculations(keys: list[str], store: Store) -> list[dict[str, Any]]:
    rows = []
    for key in keys:
        row = store.find(key)
        if row is None:
            rows.append({"key": key[:12], "label": "(not in this store)"})
            continue
        rows.append({"key": key[:12], "label": row.get("label", ""), "level": row.get("level"),
                     "task": row.get("task"), "status": row.get("status"),
                     "energy_eV": round(row.energy, 4) if row.get("energy") is not None else "-",
                     "converged": row.get("converged", "-"), "steps": row.get("n_steps", "-"),
                     "wall_s": round(row.get("wall_time") or 0.0, 1)})
    return rows


def show(name: str, details: dict[str, dict[str, Any]], table: pd.DataFrame, store: Store,
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
        if not ranked.empty:
            r = ranked.iloc[0]
            n_level = int((table["level"] == entry["level"]).sum())
            out.append(f"rank {r['rank']} of {n_level}, score {r['score']} "
                       f"(weight coverage {r['coverage']}), Pareto front: "
                       f"{'yes' if r['pareto'] else 'no'}")
        out.append(render(_value_rows(entry["values"])))
        for column, v in entry["values"].items():
            d = v.get("details")
            if not d:
                continue
            if isinstance(d, dict) and "sites" in d and column in ("e_ads_zn", "dg_h",
                                                                   "e_ads_h2o"):
                out.append(f"\nSites for {column} (reported: {d['site']}; binding = "
                           f"E(S+X) - E(S), eV):\n" + render(d["sites"]))
            elif column == "desolvation_total":
                out.append("\n" + _profile(d))
            elif column not in ("e_ads_zn_atom",):
                out.append(f"\n{column} details: {d}")
        keys = list(dict.fromkeys(k for v in entry["values"].values() for k in v["keys"]))
        out.append(f"\nCalculations behind these numbers ({len(keys)}, from "
                   f"{redact(store.url)}):\n" + render(_calculations(keys, store)))
        timings = ", ".join(f"{k} {s} s" for k, s in entry["timings_s"].items())
        out.append(f"\nwall time this run: {timings}; {entry['n_calculations']} calculations")
        for failure in entry["failures"]:
            out.append(f"failure: {failure}")
    return "\n".join(out)
