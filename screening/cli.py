"""The ``znscreen`` command line.

Errors the user can fix are printed as one line, ``znscreen: error: ...``,
with exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from dataclasses import asdict
from pathlib import Path

from ase.io import write

from screening import __version__
from screening.calculators.levels import all_levels, get_level
from screening.descriptors.table import COLUMNS, DEFAULT_GROUPS, GROUP_NAMES, describe
from screening.errors import ScreeningError
from screening.library.catalog import FAMILIES, Catalog, file_stem
from screening.library.intake import AddRequest, add_candidate, remove_candidate
from screening.library.surfaces import build_slab_models, slab_spec
from screening.recipes.context import Context
from screening.recipes.references import REFERENCE_NAMES
from screening.recipes.references import summary as reference_summary
from screening.recipes.validation import validate
from screening.settings import Settings, get_settings
from screening.store.database import Store, redact
from screening.tables import FORMATS, render

CANDIDATE_COLUMNS = ["name", "family", "formula", "surface", "kind", "source"]


def cmd_candidates(args: argparse.Namespace, settings: Settings) -> int:
    rows = [c.summary() for c in Catalog(settings).select(args.family)]
    columns = None if args.format == "json" else CANDIDATE_COLUMNS
    print(render(rows, args.format, columns))
    if args.format == "table":
        families = sorted({r["family"] for r in rows})
        print(f"\n{len(rows)} candidates in {len(families)} families ({', '.join(families)})")
    return 0


def cmd_add(args: argparse.Namespace, settings: Settings) -> int:
    kind = "sheet" if args.sheet else "slab" if args.slab else "bulk"
    request = AddRequest(path=Path(args.path), name=args.name,
                         miller=tuple(args.miller) if args.miller else None, kind=kind,
                         family=args.family, force=args.force)
    candidate = add_candidate(request, settings)
    print(f"added {candidate.name} ({candidate.formula}, {candidate.structure.kind},"
          f" surface {candidate.surface}) to {settings.user_catalog}")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    remove_candidate(args.name, settings)
    print(f"removed {args.name} from {settings.user_catalog}")
    return 0


def cmd_slab(args: argparse.Namespace, settings: Settings) -> int:
    catalog = Catalog(settings)
    if args.all == bool(args.names):
        raise ScreeningError("give candidate NAMEs or --all, not both or neither")
    candidates = list(catalog) if args.all else [catalog.get(n) for n in args.names]
    out_dir = Path(args.out_dir) if args.out_dir else settings.results_dir / "slabs"
    if args.min_lateral is not None and args.min_lateral <= 0:
        raise ScreeningError(f"--min-lateral must be positive, got {args.min_lateral}")
    if args.out and len(candidates) != 1:
        raise ScreeningError("--out takes one candidate; use --out-dir for several")
    rows = []
    start = time.perf_counter()
    for candidate in candidates:
        spec = slab_spec(settings, candidate, min_lateral=args.min_lateral)
        models = build_slab_models(candidate, spec)
        for i, model in enumerate(models):
            suffix = f"-t{i}" if len(models) > 1 else ""
            path = Path(args.out) if args.out else out_dir / f"{file_stem(candidate.name)}{suffix}.extxyz"
            path.parent.mkdir(parents=True, exist_ok=True)
            write(path, model.atoms, format="extxyz")
            rows.append({"name": candidate.name, **model.summary(), "file": str(path)})
    print(render(rows, args.format))
    if args.format == "table":
        print(f"\n{len(rows)} slab models in {time.perf_counter() - start:.1f} s")
    return 0


def cmd_settings(args: argparse.Namespace, settings: Settings) -> int:
    rows = [{"setting": k, "value": str(v)} for k, v in asdict(settings).items()]
    print(render(rows, args.format))
    return 0


def _context(settings: Settings, level: str, geometry: str | None = None) -> Context:
    return Context(Store(settings.store_url, settings.stale_after),
                   get_level(level, settings.levels), settings,
                   geometry=get_level(geometry, settings.levels)
                   if geometry and geometry != level else None)


def cmd_levels(args: argparse.Namespace, settings: Settings) -> int:
    rows = [{"level": name, "engine": lvl.engine, "description": lvl.description,
             "parameters": ", ".join(f"{k}={v}" for k, v in lvl.as_dict().items()
                                     if k != "engine")}
            for name, lvl in all_levels(settings.levels).items()]
    print(render(rows, args.format))
    return 0


def cmd_validate(args: argparse.Namespace, settings: Settings) -> int:
    report = validate(_context(settings, args.level))
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
    rows = reference_summary(_context(settings, args.level), tuple(args.only or REFERENCE_NAMES))
    print(render(rows, args.format))
    return 0


def _candidates(args: argparse.Namespace, settings: Settings) -> list:
    catalog = Catalog(settings)
    if args.all == bool(args.names) and not args.family:
        raise ScreeningError("give candidate NAMEs, --family F or --all")
    if args.names:
        return [catalog.get(n) for n in args.names]
    return catalog.select(args.family)


def cmd_descriptors(args: argparse.Namespace, settings: Settings) -> int:
    candidates = _candidates(args, settings)
    ctx = _context(settings, args.level, args.geometry_level)
    rows, details = [], []
    for candidate in candidates:
        described = describe(ctx, candidate, tuple(args.groups or DEFAULT_GROUPS))
        rows.append(described.row())
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


def cmd_calculations(args: argparse.Namespace, settings: Settings) -> int:
    store = Store(settings.store_url, settings.stale_after)
    selection = {k: v for k, v in (("level", args.level), ("status", args.status)) if v}
    rows = [{"id": r.id, "label": r.get("label", ""), "level": r.get("level", ""),
             "task": r.get("task", ""), "status": r.get("status", ""),
             "energy": round(r.energy, 5) if r.get("energy") is not None else "",
             "converged": r.get("converged", ""), "steps": r.get("n_steps", ""),
             "wall_s": round(r.wall_time, 1) if r.get("wall_time") is not None else "",
             "host": r.get("host", ""), "key": r.calc_key[:12], "error": r.get("error", "")}
            for r in store.rows(**selection)]
    print(render(rows, args.format))
    if args.format == "table":
        print(f"\n{len(rows)} calculations in {redact(store.url)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="znscreen",
        description="Screen protective interlayers for zinc-metal anodes.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("candidates", help="list the candidate library (bundled + user)")
    p.add_argument("--family", choices=FAMILIES)
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_candidates)

    p = sub.add_parser("add", help="register your own structure file as a candidate")
    p.add_argument("path", help="CIF, POSCAR/CONTCAR, extxyz or ASE trajectory file")
    p.add_argument("--name", required=True)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--miller", nargs=3, type=int, metavar=("H", "K", "L"),
                      help="the file is a bulk: cut this surface")
    what.add_argument("--slab", action="store_true",
                      help="the file is a ready slab (bottom layers get fixed)")
    what.add_argument("--sheet", action="store_true",
                      help="the file is a free-standing 2D sheet (nothing fixed)")
    p.add_argument("--family", choices=FAMILIES, default="other")
    p.add_argument("--force", action="store_true", help="replace a user candidate of that name")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="remove one of your own candidates")
    p.add_argument("name")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("slab", help="build and write slab models")
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--all", action="store_true", help="every candidate in the library")
    p.add_argument("--min-lateral", type=float, metavar="L",
                   help="minimum in-plane periodic length in Angstrom (default: settings)")
    p.add_argument("--out", help="output file for one candidate (extxyz keeps constraints)")
    p.add_argument("--out-dir", help="output folder (default: RESULTS/slabs)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_slab)

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
    p.add_argument("names", nargs="*", metavar="NAME")
    p.add_argument("--all", action="store_true", help="every candidate in the library")
    p.add_argument("--family", choices=FAMILIES)
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

    p = sub.add_parser("calculations", help="list the calculations in the results store")
    p.add_argument("--level")
    p.add_argument("--status", choices=("running", "done", "failed"))
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_calculations)

    p = sub.add_parser("settings", help="show the settings in effect")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    warnings.filterwarnings("ignore")
    try:
        return args.func(args, get_settings())
    except ScreeningError as exc:
        print(f"znscreen: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("znscreen: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into e.g. head
        sys.stdout = open(os.devnull, "w")
        return 0


if __name__ == "__main__":
    sys.exit(main())
