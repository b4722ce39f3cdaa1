"""``znscreen report``: PNG plots of the ranked table and one self-contained HTML page.

Plots, for one level (default: the level with the most rows):

* ``ranking.png``: score of every candidate, coloured by family, bare
  Zn(0001) hatched, Pareto-front members starred;
* ``desolvation.png``: stepwise desolvation profiles dE_n of the top
  candidates against bare Zn(0001) and the free cluster, a step from or to
  a flagged state (a dissociated water, a fragmented shell) drawn open;
* ``zn_vs_h.png``: E_ads(Zn) against dG_H, the two main design axes;
* ``verification.png``: candidates also computed at another level (``run
  --verify-top``), E_ads(Zn) and dG_H at both levels side by side.

``report.html`` embeds the PNGs (base64) and the table, so it can be
mailed or archived as one file.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from screening.analysis.ranking import BASELINE  # noqa: E402
from screening.analysis.results import row_id  # noqa: E402
from screening.descriptors.desolvation import flagged_states  # noqa: E402
from screening.errors import ScreeningError  # noqa: E402
from screening.store.database import Store  # noqa: E402

FAMILY_COLOURS = {"zn": "#7f7f7f", "oxide": "#d62728", "mxene": "#9467bd",
                  "metal": "#ff7f0e", "alloy": "#8c564b", "inorganic": "#2ca02c",
                  "carbon": "#1f77b4", "other": "#17becf"}


def _colour(family: str) -> str:
    return FAMILY_COLOURS.get(family, "#bcbd22")


def _level(table: pd.DataFrame, level: str | None) -> str:
    levels = table["level"].value_counts()
    if level is None:
        return str(levels.index[0])
    if level not in levels:
        raise ScreeningError(f"no results at level {level!r} "
                             f"(levels in the table: {', '.join(map(str, levels.index))})")
    return level


def _sd(values: pd.Series) -> list[float]:
    """Error-bar half-widths: the column's values, 0 where there is none."""
    return pd.to_numeric(values, errors="coerce").fillna(0.0).tolist()


def ranking_plot(rows: pd.DataFrame, level: str, path: Path) -> None:
    rows = rows[rows["score"].notna()].sort_values("score")
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(rows) + 1.6))
    spread = _sd(rows.get("score_sd", pd.Series(0.0, index=rows.index)))
    bars = ax.barh(rows["name"], rows["score"], color=[_colour(f) for f in rows["family"]],
                   xerr=spread,
                   error_kw={"elinewidth": 0.8, "capsize": 2, "ecolor": "black"})
    for bar, sd, (_, r) in zip(bars, spread, rows.iterrows()):
        if r.get("baseline", r["name"] == BASELINE):
            bar.set_hatch("//")
            bar.set_edgecolor("black")
            label = f"{r['score']:.2f} baseline"
        else:
            label = f"{r['score']:.2f}" + (" *" if r["pareto"] else "")
            if sd > 0:
                label += f"  top-5 {r['p_top5']:.0%}"
        ax.text(bar.get_width() + sd + 0.01, bar.get_y() + bar.get_height() / 2, label,
                va="center", fontsize=8)
    families = list(dict.fromkeys(rows["family"]))
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=_colour(f)) for f in families], families,
              loc="lower right", fontsize=8, title="family")
    ax.set_xlim(0, 1.25)
    ax.set_xlabel("score (0-1); bars: sd over draws within the measured errors;\n"
                  "* = Pareto front; top-5: share of draws in which it is among the first 5")
    ax.set_title(f"Ranking at level {level} (bare Zn facets hatched: baselines, not ranked)")
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _steps(profile: dict[str, float]) -> tuple[list[int], list[float]]:
    ns = sorted((int(n) for n in profile), reverse=True)
    return ns, [profile[str(n)] if str(n) in profile else profile[n] for n in ns]


def _mark_flagged(ax: plt.Axes, ns: list[int], energies: list[float],
                  flagged: dict[int, list[str]], colour: str) -> bool:
    """Open markers on the steps dE_n whose state n or n - 1 is flagged
    (a dissociated water, a fragmented shell, ...); whether there was one."""
    points = [(n, e) for n, e in zip(ns, energies) if n in flagged or n - 1 in flagged]
    if points:
        ax.plot(*zip(*points), ls="none", marker="o", ms=8, mfc="white", mec=colour, mew=1.5,
                zorder=3)
    return bool(points)


def desolvation_plot(rows: pd.DataFrame, details: dict[str, Any], level: str, top: int,
                     path: Path) -> None:
    ranked = rows[rows["desolvation_total"].notna()].sort_values("rank")
    names = [n for n in ranked["name"] if n != BASELINE][:top]
    if BASELINE in set(ranked["name"]):
        names.append(BASELINE)
    if not names:
        raise ScreeningError(f"no desolvation profiles at level {level!r} to plot")
    fig, ax = plt.subplots(figsize=(7, 4.5))
    free, free_flags, marked = None, [], False
    for name in names:
        value = details[row_id(name, level)]["values"]["desolvation_total"]
        d = value["details"]
        free, free_flags = d["free"], value["flags"]
        ns, energies = _steps(d["surface"])
        style = {"color": "black", "lw": 2.5} if name == BASELINE else {"lw": 1.5}
        line, = ax.plot(ns, energies, marker="o", label=name, **style)
        marked |= _mark_flagged(ax, ns, energies, flagged_states(value["flags"]),
                                line.get_color())
    if free:
        ns, energies = _steps(free)
        ax.plot(ns, energies, ls="--", color="grey", marker="s", label="free cluster")
        marked |= _mark_flagged(ax, ns, energies, flagged_states(free_flags, free=True), "grey")
    if marked:
        ax.plot([], [], ls="none", marker="o", mfc="white", mec="black",
                label="open: a step from or to a flagged state")
    ax.set_xlabel("n in [Zn(H2O)n] -> [Zn(H2O)n-1] + H2O")
    ax.set_ylabel("dE_n (eV)")
    ax.invert_xaxis()
    ax.axhline(0, color="lightgrey", lw=0.8)
    ax.set_title(f"Stepwise desolvation at level {level}: top {len(names) - 1} vs bare Zn(0001)"
                 if BASELINE in names else f"Stepwise desolvation at level {level}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


#: Label offsets tried around a point (points), nearest first.
_OFFSETS = [(4, 3), (4, -9), (-4, 3), (-4, -9), (0, 8), (0, -14), (10, 10), (10, -16),
            (-10, 10), (-10, -16), (14, 0), (-14, 0)]


def _place_labels(ax: plt.Axes, points: list[tuple[str, float, float]]) -> None:
    """Annotate points, each label at the first offset that overlaps no label or marker.

    Greedy, in display space; a label that fits nowhere takes the offset with
    the least overlap and a thin leader line.
    """
    fig = ax.figure
    renderer = fig.canvas.get_renderer()
    xy = ax.transData.transform([(x, y) for _, x, y in points])
    taken = [(px - 4, py - 4, px + 4, py + 4) for px, py in xy]

    def overlap(box):
        return sum(max(0.0, min(box[2], t[2]) - max(box[0], t[0]))
                   * max(0.0, min(box[3], t[3]) - max(box[1], t[1])) for t in taken)

    scale = fig.dpi / 72
    for (name, x, y), (px, py) in zip(points, xy):
        weight = "bold" if name == BASELINE else "normal"
        text = ax.text(0, 0, name, fontsize=7, weight=weight)
        extent = text.get_window_extent(renderer)
        text.remove()
        width, height = extent.width, extent.height
        best = None
        for dx, dy in _OFFSETS:
            left = px + dx * scale - (width if dx < 0 else width / 2 if dx == 0 else 0)
            box = (left, py + dy * scale, left + width, py + dy * scale + height)
            cost = overlap(box)
            if best is None or cost < best[0]:
                best = (cost, dx, dy, box)
            if cost == 0:
                break
        cost, dx, dy, box = best
        ha = "right" if dx < 0 else "center" if dx == 0 else "left"
        arrow = {"arrowstyle": "-", "lw": 0.4, "color": "grey"} if cost else None
        ax.annotate(name, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                    va="bottom", fontsize=7, weight=weight, arrowprops=arrow)
        taken.append(box)


def zn_vs_h_plot(rows: pd.DataFrame, level: str, path: Path) -> None:
    rows = rows[rows["e_ads_zn"].notna() & rows["dg_h"].notna()]
    if rows.empty:
        raise ScreeningError(f"no candidate with both e_ads_zn and dg_h at level {level!r}")
    fig, ax = plt.subplots(figsize=(7, 5.5))
    for family, group in rows.groupby("family"):
        ax.errorbar(group["e_ads_zn"], group["dg_h"],
                    xerr=_sd(group.get("e_ads_zn_sigma", pd.Series(0.0, index=group.index))),
                    yerr=_sd(group.get("dg_h_sigma", pd.Series(0.0, index=group.index))),
                    fmt="none", ecolor=_colour(family), elinewidth=0.7, alpha=0.6)
        ax.scatter(group["e_ads_zn"], group["dg_h"], color=_colour(family), label=family,
                   s=40, edgecolor="black", lw=0.5)
    ax.axvline(0, color="lightgrey", lw=0.8)
    ax.axhline(0, color="lightgrey", lw=0.8)
    ax.margins(0.15)
    ax.set_xlabel("E_ads(Zn) vs bulk Zn (eV)   <- zincophilic")
    ax.set_ylabel("dG_H (eV)   (far from 0 = poor HER catalyst)")
    ax.set_title(f"Zn affinity vs HER activity at level {level}\n(bars: +-sigma, the level's "
                 "measured error against DFT)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    # labels are placed in display space, so after the layout is final
    _place_labels(ax, [(r["name"], r["e_ads_zn"], r["dg_h"]) for _, r in rows.iterrows()])
    fig.savefig(path, dpi=130)
    plt.close(fig)


#: Columns compared in ``verification.png`` (the default verify groups).
VERIFIED = {"e_ads_zn": "E_ads(Zn) vs bulk Zn (eV)", "dg_h": "dG_H (eV)"}


def verification_plot(table: pd.DataFrame, level: str, path: Path) -> None:
    """Candidates computed at ``level`` and at another level: their values side by side."""
    others = table[(table["level"] != level) & table["name"].isin(
        table.loc[table["level"] == level, "name"])]
    columns = [c for c in VERIFIED if c in others and others[c].notna().any()]
    if others.empty or not columns:
        raise ScreeningError(f"no candidate was verified at a level other than {level!r}")
    names = list(dict.fromkeys(others["name"]))
    levels = [level, *dict.fromkeys(others["level"])]
    fig, axes = plt.subplots(1, len(columns), figsize=(3.2 + 1.6 * len(names) * len(columns),
                                                     4.2), squeeze=False)
    width = 0.8 / len(levels)
    for ax, column in zip(axes[0], columns):
        for i, lvl in enumerate(levels):
            values = table[table["level"] == lvl].set_index("name")[column]
            heights = [values.get(n, float("nan")) for n in names]
            xs = [j + (i - (len(levels) - 1) / 2) * width for j in range(len(names))]
            bars = ax.bar(xs, heights, width, label=lvl, color=f"C{i}")
            for bar, h in zip(bars, heights):
                y = 0.0 if pd.isna(h) else h
                ax.text(bar.get_x() + bar.get_width() / 2, y,
                        "n/a" if pd.isna(h) else f"{h:.2f}", ha="center",
                        va="bottom" if y >= 0 else "top", fontsize=7)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(range(len(names)), names, fontsize=8)
        ax.set_ylabel(VERIFIED[column])
        ax.margins(y=0.12)
        ax.legend(fontsize=8, title="level")
    fig.suptitle(f"Verification: {level} against {', '.join(levels[1:])} "
                 "(n/a = not computed, see `znscreen show`)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=130)
    plt.close(fig)


def _embedded(path: Path) -> str:
    data = base64.b64encode(path.read_bytes()).decode()
    return f'<img alt="{path.stem}" src="data:image/png;base64,{data}">'


def _table(frame: pd.DataFrame) -> str:
    """``frame`` as an HTML table that scrolls sideways on its own when wider
    than the page (the ranked table has some 40 columns)."""
    return ("<div class='wide'>" + frame.to_html(index=False, na_rep="-", escape=True)
            + "</div>")


def _profile_table(entry: dict[str, Any], baseline: dict[str, Any] | None) -> str:
    """The candidate's desolvation steps beside bare Zn(0001)'s and the free cluster's."""
    d = entry["values"].get("desolvation_total", {}).get("details")
    if not d:
        return ""
    base = (baseline or {}).get("values", {}).get("desolvation_total", {}).get("details") or {}
    steps = sorted({int(n) for n in d["surface"]} | {int(n) for n in d["free"]}, reverse=True)

    def cell(profile: dict, n: int) -> str:
        value = (profile or {}).get(str(n), (profile or {}).get(n))
        return "-" if value is None else f"{value:+.2f}"

    rows = [{"n": n, entry["name"]: cell(d["surface"], n), BASELINE: cell(base.get("surface"), n),
             "free cluster": cell(d["free"], n)} for n in steps]
    return (f"<p>Desolvation steps dE_n (eV; {html.escape(d.get('convention', ''))}):</p>"
            + _table(pd.DataFrame(rows)))


def _candidate_section(row: pd.Series, entry: dict[str, Any], baseline: dict[str, Any] | None,
                       store: Store, out_dir: Path, drawn: set[Path]) -> str:
    """One candidate's section: values, pictures (each linked to its 3D page;
    ``drawn``: those already drawn for the report), profile against bare
    Zn(0001), the calculations behind the numbers."""
    from screening.analysis.gallery import write_gallery
    from screening.analysis.provenance import calculation_rows, value_rows

    name = entry["name"]
    c = entry["candidate"]
    place = "baseline" if row.get("baseline", False) else (
        "-" if pd.isna(row["rank"]) else f"rank {int(row['rank'])}")
    parts = [f"<h2 id='{html.escape(row_id(name, entry['level']))}'>{html.escape(name)}</h2>",
             f"<p>{html.escape(c['formula'])} {html.escape(c['surface'])} "
             f"({html.escape(c['family'])}); {place}, score {row['score']}</p>",
             _table(pd.DataFrame(value_rows(entry["values"], row)))]
    try:
        shown = write_gallery(entry, store, out_dir / "pictures", with_3d=True, drawn=drawn)
        parts.append("<div class='gallery'>")
        for shot, png, page in shown:
            parts.append(f"<figure><a href='pictures/{page.name}'><img src='pictures/{png.name}'"
                         f" alt='{html.escape(shot.stem)}'></a><figcaption>"
                         f"{html.escape(shot.caption)} (<a href='pictures/{page.name}'>3D</a>)"
                         "</figcaption></figure>")
        parts.append("</div>")
    except ScreeningError as exc:
        parts.append(f"<p>no pictures: {html.escape(str(exc))}</p>")
    parts.append(_profile_table(entry, baseline))
    keys = list(dict.fromkeys(k for v in entry["values"].values() for k in v["keys"]))
    parts += ["<details><summary>calculations behind these numbers</summary>",
              _table(pd.DataFrame(calculation_rows(keys, store))),
              "</details>"]
    return "\n".join(parts)


def write_report(table: pd.DataFrame, details: dict[str, Any], out_dir: Path, top: int = 5,
                 level: str | None = None, store: Store | None = None) -> list[Path]:
    """Write the plots and ``report.html`` (with ``store``: a section per candidate,
    its pictures in ``pictures/``); return their paths."""
    level = _level(table, level)
    rows = table[table["level"] == level]
    out_dir.mkdir(parents=True, exist_ok=True)
    plots = [(out_dir / "ranking.png", lambda p: ranking_plot(rows, level, p)),
             (out_dir / "desolvation.png", lambda p: desolvation_plot(rows, details, level,
                                                                       top, p)),
             (out_dir / "zn_vs_h.png", lambda p: zn_vs_h_plot(rows, level, p)),
             (out_dir / "verification.png", lambda p: verification_plot(table, level, p))]
    written, skipped = [], []
    for path, plot in plots:
        try:
            plot(path)
            written.append(path)
        except ScreeningError as exc:
            skipped.append(f"{path.name}: {exc}")
    others = table[table["level"] != level]
    page = ["<!doctype html><html><head><meta charset='utf-8'>",
            "<title>zn-screening report</title><style>body{font-family:sans-serif;"
            "max-width:1100px;margin:auto} table{border-collapse:collapse;font-size:12px}"
            "td,th{border:1px solid #ccc;padding:2px 5px} img{max-width:100%}"
            ".wide{overflow-x:auto;max-width:100%}"
            ".gallery figure{display:inline-block;width:48%;margin:0 1% 1em 0}"
            "figcaption{font-size:12px}</style>",
            "</head><body>", f"<h1>zn-screening: candidates ranked at level {html.escape(level)}"
            "</h1>", f"<p>{len(rows)} candidates. Scores use the ranking criteria of the run "
            "(see README, 'Ranking'); ranks and the Pareto front are within one level.</p>"]
    page += [_embedded(p) for p in written]
    page += [f"<p>not plotted: {html.escape(s)}</p>" for s in skipped]
    page += ["<h2>Ranked table</h2>", _table(rows)]
    if not others.empty:
        page += ["<h2>Other levels (verification)</h2>",
                 _table(others)]
    if store is not None:
        baseline = details.get(row_id(BASELINE, level))
        drawn: set[Path] = set()
        page.append("<h1>Candidates</h1><p>Pictures: top and side views of the stored "
                    "structures (click one for a 3D view); red titles mark flagged ones.</p>")
        for _, row in rows.sort_values("rank", na_position="last").iterrows():
            entry = details.get(row_id(row["name"], level))
            if entry is not None:
                page.append(_candidate_section(row, entry, baseline, store, out_dir, drawn))
    page.append("</body></html>")
    report = out_dir / "report.html"
    report.write_text("\n".join(page))
    return [*written, report]
