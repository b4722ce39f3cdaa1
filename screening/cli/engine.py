"""Commands on calculations: levels, validate, references, descriptors, converge, terminations,
view, calculations, settings."""

from __future__ import annotations

import argparse
import json
import sys
import time

from screening.calculators.levels import all_levels
from screening.cli.common import add_candidate_selection, selected_candidates
from screening.errors import ScreeningError
from screening.descriptors.registry import COLUMNS, DEFAULT_GROUPS, GROUP_NAMES, REFERENCE_NAMES
from screening.settings import Settings
from screening.tables import FORMATS, render


def cmd_levels(args: argparse.Namespace, settings: Settings) -> int:
    rows = [{"level": name, "engine": lvl.engine, "description": lvl.description,
             "hydrated_zn": f"charge {lvl.cluster_charge}, "
                            + (f"solvent {lvl.solvent}" if lvl.solvent else "vacuum"),
             "parameters": ", ".join(f"{k}={v}" for k, v in lvl.as_dict().items()
                                     if k != "engine")}
            for name, lvl in all_levels(settings.levels).items()]
    print(render(rows, args.format))
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    from screening.recipes.context import open_context
    from screening.recipes.validation import validate

    report = validate(open_context(settings, args.level))
    if args.format == "json":
        print(json.dumps(report, indent=2))
    else:
        rows = [{**c, "ok": "yes" if c["ok"] else "OUTSIDE"} for c in report["checks"]]
        print(render(rows, args.format))
        if args.format == "table":
            print(f"\nlevel {report['level']}: c/a = {report['zn_c_over_a']}; "
                  f"{report['calculations']} calculations, {report['computed_now']} computed now"
                  f" ({report['wall_time_s']} s of compute in total)")
            if report["note"]:
                print(f"note: {report['note']}")
            print("PASSED" if report["passed"] else "FAILED: a value is outside its window")
    return 0 if report["passed"] else 1


def cmd_references(args: argparse.Namespace, settings: Settings) -> int:
    from screening.recipes.context import open_context
    from screening.recipes.references import summary

    rows = summary(open_context(settings, args.level), tuple(args.only or REFERENCE_NAMES))
    print(render(rows, args.format))
    return 0


def cmd_descriptors(args: argparse.Namespace, settings: Settings) -> int:
    from screening.descriptors.compute import describe
    from screening.descriptors.table import table_row
    from screening.recipes.context import open_context

    candidates = selected_candidates(args, settings)
    ctx = open_context(settings, args.level, args.geometry_level)
    rows, details = [], []
    for candidate in candidates:
        described = describe(ctx, candidate, tuple(args.groups or DEFAULT_GROUPS))
        rows.append(table_row(described))
        details += [{"name": candidate.name, "descriptor": column, "value": value.value,
                     "unit": value.unit, "details": value.details, "keys": value.keys,
                     "flags": value.flags, "reason": value.reason}
                    for column, value in described.values.items()]
    if args.format == "json":
        print(json.dumps({"rows": rows, "details": details} if args.details else rows,
                         indent=2, default=str))
        return 0
    columns = None if args.format == "csv" else ["name", "level", *COLUMNS, "n_calculations"]
    print(render(rows, args.format, columns))
    if args.format == "table":
        for row in rows:
            for label, text in (("flags", row["flags"]), ("missing", row["missing"])):
                if text:
                    print(f"{row['name']} {label}: {text}")
        if args.details:
            for item in details:
                if item["details"]:
                    print(f"\n{item['name']} {item['descriptor']}: {item['details']}")
    return 0


def _write_record(out_dir, candidate: str, level: str, doc: dict) -> None:
    """One candidate's outcome at one level as ``out_dir/NAME-LEVEL.json``."""
    from screening.files import write_json
    from screening.library.catalog import file_stem

    write_json(out_dir / f"{file_stem(candidate)}-{file_stem(level)}.json", doc)


def cmd_converge(args: argparse.Namespace, settings: Settings) -> int:
    from screening.recipes.context import open_context
    from screening.recipes.convergence import converge

    if args.tolerance <= 0:
        raise ScreeningError(f"--tolerance must be positive, got {args.tolerance}")
    if args.max_steps < 1:
        raise ScreeningError(f"--max-steps must be at least 1, got {args.max_steps}")
    candidates = selected_candidates(args, settings)
    ctx = open_context(settings, args.level)
    out_dir = settings.results_dir / "convergence"
    rows, docs, skipped = [], [], []
    for candidate in candidates:
        start = time.perf_counter()
        try:
            result = converge(ctx, candidate, args.tolerance, args.max_steps)
        except ScreeningError as exc:
            if len(candidates) == 1:
                raise
            skipped.append(f"{candidate.name}: not checked ({exc})")
            continue
        doc = {**result.doc(), "wall_s": round(time.perf_counter() - start, 1)}
        _write_record(out_dir, candidate.name, ctx.name, doc)
        docs.append(doc)
        for point in result.points:
            rows.append({"name": candidate.name, "step": point.direction,
                         "layers": "-" if point.layers is None else str(point.layers),
                         "min_lateral_A": f"{point.min_lateral:.2f}",
                         "supercell": "x".join(map(str, point.supercell)),
                         "atoms": point.n_atoms,
                         "e_ads_zn": None if point.e_ads_zn is None else round(point.e_ads_zn, 3)})
    for line in skipped:  # on stderr, whatever the format
        print(f"znscreen: {line}", file=sys.stderr)
    if args.format == "json":
        print(json.dumps(docs, indent=2))
        return 1 if skipped else 0
    print(render(rows, args.format))
    if args.format == "table":
        print()
        for doc in docs:
            open_ = [d for d, ok in (("thickness", doc["thickness_converged"]),
                                     ("lateral size", doc["lateral_converged"])) if not ok]
            verdict = ("converged" if not open_ else "NOT converged (" + "; ".join(
                f"{d}: {doc['limits'][d]}" if d in doc["limits"]
                else f"{d} after {args.max_steps} steps" for d in open_) + ")")
            size = f"layers = {doc['layers']}, min_lateral = {doc['min_lateral']:.2f} A"
            change = ("default kept" if not doc["changed"] else f"default grows to {size}"
                      if not open_ else f"largest model tried: {size}")
            print(f"{doc['candidate']}: {verdict} within {args.tolerance} eV at {ctx.name}; "
                  f"{change} ({doc['wall_s']:.0f} s)")
        print(f"results: {out_dir}")
    return 1 if skipped else 0


def cmd_terminations(args: argparse.Namespace, settings: Settings) -> int:
    from screening.recipes.context import open_context
    from screening.recipes.terminations import survey

    candidates = selected_candidates(args, settings)
    if not args.names:  # --all / --family: the bulk cuts among them
        candidates = [c for c in candidates if c.structure.kind == "bulk"]
    ctx = open_context(settings, args.level)
    out_dir = settings.results_dir / "terminations"
    rows, docs = [], []
    for candidate in candidates:
        start = time.perf_counter()
        result = survey(ctx, candidate)
        doc = {**result.doc(), "wall_s": round(time.perf_counter() - start, 1)}
        _write_record(out_dir, candidate.name, ctx.name, doc)
        docs.append(doc)
        for t in result.terminations:
            rows.append({"name": candidate.name,
                         "rule": t.rule + (" (default)" if t.rule == result.default else ""),
                         "top": t.top, "atoms": t.n_atoms, "layers": t.n_layers,
                         "symmetric": t.symmetric, "broken_per_A2": t.broken_bonds_per_A2,
                         "gamma_cut_J_m2": t.gamma_cut, "gamma_J_m2": t.gamma,
                         "note": t.reason})
    if args.format == "json":
        print(json.dumps(docs, indent=2))
        return 0
    print(render(rows, args.format))
    if args.format == "table":
        print()
        for doc in docs:
            lowest = doc["lowest"]
            verdict = ("no surface energy computed" if lowest is None else
                       "the default is the lowest" if lowest == doc["default"] else
                       f"lowest is {lowest}, not the default {doc['default']} (catalog "
                       f"termination = \"{lowest}\" selects it)")
            print(f"{doc['candidate']}: {verdict} at {ctx.name} ({doc['wall_s']:.0f} s)")
        print(f"results: {out_dir}")
    return 0


def cmd_calculations(args: argparse.Namespace, settings: Settings) -> int:
    from screening.store.database import Store, redact

    store = Store(settings.store_url, settings.stale_after)
    selection = {k: v for k, v in (("level", args.level), ("status", args.status)) if v}

    def blank(value, digits: int | None = None):
        return "" if value is None else value if digits is None else round(value, digits)

    rows = [{"id": r.row_id, "label": r.label, "level": r.level, "task": r.task.value,
             "status": r.status.value, "energy": blank(r.energy, 5),
             "converged": blank(r.converged), "steps": blank(r.n_steps),
             "calls": blank(r.n_calls),
             "wall_s": blank(r.wall_time, 1), "host": r.host, "key": r.key[:12],
             "error": r.error}
            for r in store.records(**selection)]
    print(render(rows, args.format))
    if args.format == "table":
        print(f"\n{len(rows)} calculations in {redact(store.url)}")
    return 0


def cmd_view(args: argparse.Namespace, settings: Settings) -> int:
    from pathlib import Path

    from screening.analysis.pictures import write_picture
    from screening.store.database import Store

    store = Store(settings.store_url, settings.stale_after)
    calc = store.calculation(store.key_from_prefix(args.key))
    out = Path(args.out) if args.out else settings.results_dir / "pictures" / f"{calc.key[:12]}.png"
    if out.is_dir():
        raise ScreeningError(f"--out {out} is a folder: give a file name")
    write_picture(calc.atoms, out, f"{calc.label} at {calc.level} (key {calc.key[:12]}, "
                                   f"E = {calc.energy:.3f} eV)")
    print(out)
    return 0


def cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    rows = []
    for key, value in settings.as_dict().items():
        if key == "slurm":  # one row per field of the [slurm] table
            rows += [{"setting": f"slurm.{k}", "value": str(v)} for k, v in value.items()]
        else:
            rows.append({"setting": key, "value": str(value)})
    print(render(rows, args.format))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("levels", help="list the levels of theory and their parameters")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_levels)

    p = sub.add_parser("validate", help="check a level: Zn lattice and cohesive energy")
    p.add_argument("--level", required=True, help="level name (see `znscreen levels`)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("references", help="compute or show the shared reference energies")
    p.add_argument("--level", required=True, help="level name (see `znscreen levels`)")
    p.add_argument("--only", nargs="+", choices=REFERENCE_NAMES, metavar="NAME",
                   help=f"some of: {', '.join(REFERENCE_NAMES)}")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_references)

    p = sub.add_parser("descriptors", help="compute (or fetch) the descriptors of candidates")
    add_candidate_selection(p)
    p.add_argument("--level", required=True, help="level name (see `znscreen levels`)")
    p.add_argument("--geometry-level", metavar="LEVEL",
                   help="relax at this level, then single points at --level")
    p.add_argument("--groups", nargs="+", choices=GROUP_NAMES, metavar="GROUP",
                   help=f"some of: {', '.join(GROUP_NAMES)} (default: all but diffusion, "
                        "the NEB)")
    p.add_argument("--details", action="store_true",
                   help="also print per-site tables, profiles and calculation keys")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_descriptors)

    p = sub.add_parser("converge", help="check a slab model's size: E_ads(Zn) vs one more "
                                        "layer and one more repeat")
    add_candidate_selection(p)
    p.add_argument("--level", default="mlip", help="level name (default: mlip)")
    p.add_argument("--tolerance", type=float, default=0.05,
                   help="largest change of e_ads_zn accepted, eV (default: 0.05)")
    p.add_argument("--max-steps", type=int, default=2,
                   help="growths tried in each direction (default: 2)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_converge)

    p = sub.add_parser("terminations", help="surface energy of every distinct termination "
                                            "of bulk-cut candidates")
    add_candidate_selection(p)
    p.add_argument("--level", default="mlip", help="level name (default: mlip)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_terminations)

    p = sub.add_parser("view", help="a stored structure as a picture (PNG, top and side) "
                                    "or a 3D view (HTML)")
    p.add_argument("key", metavar="KEY", help="calculation key or its first characters "
                                              "(as `znscreen calculations` shows them)")
    p.add_argument("--out", metavar="FILE",
                   help="FILE.png or FILE.html (default: results/pictures/KEY.png)")
    p.set_defaults(func=cmd_view)

    p = sub.add_parser("calculations", help="list the calculations in the results store")
    p.add_argument("--level")
    p.add_argument("--status", choices=("running", "done", "failed"))
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_calculations)

    p = sub.add_parser("settings", help="show the settings in effect")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_settings)
