"""Screening commands: run (the Prefect flow), query, show, report."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from screening.calculators.levels import Level, check_charged_slabs, get_level
from screening.cli.common import selected_candidates
from screening.descriptors.registry import DEFAULT_GROUPS, GROUP_NAMES, check_groups
from screening.errors import ScreeningError
from screening.library.catalog import FAMILIES, Catalog
from screening.schemas import VerifyChoice
from screening.settings import POSTGRES_PREFIXES, PROFILES, Settings
from screening.tables import FORMATS, render

#: Descriptor columns of the compact text table (everything is in CSV/JSON).
SHORT = ["e_ads_zn", "desolvation_vs_free", "desolvation_max_step", "dg_h",
         "e_ads_h2o", "mismatch_zn0001", "band_gap", "work_function", "n_calculations"]


def _short() -> list[str]:
    """The compact table's columns: the ranking's lead columns, then :data:`SHORT`."""
    from screening.analysis.ranking import LEAD

    return [*LEAD, *SHORT]


def _groups(values: list[str] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """Groups from ``--descriptors a b`` or ``--descriptors a,b``."""
    if not values:
        return default
    groups = tuple(g for v in values for g in v.split(",") if g)
    check_groups(groups)
    return groups


def _progress(stream=None):
    """A one-line progress bar on a terminal (stderr), one line per task otherwise."""
    stream = stream or sys.stderr
    tty = stream.isatty()

    def report(p) -> None:
        elapsed = time.perf_counter() - p.started
        width = 30
        filled = int(width * p.tasks_done / max(p.tasks_total, 1))
        text = (f"[{'#' * filled}{'.' * (width - filled)}] {p.tasks_done}/{p.tasks_total} tasks,"
                f" {p.calculations} calculations ({p.new} new), {elapsed:.0f} s  {p.last}")
        if tty:
            stream.write("\r" + text[:150].ljust(150))
            if p.tasks_done == p.tasks_total:
                stream.write("\n")
        else:
            stream.write(text + "\n")
        stream.flush()

    return report


def _note_neutral(level: Level) -> None:
    """Say before a run that ``level``'s desolvation profiles will not be ranked, if so."""
    from screening.descriptors.desolvation import not_the_ion

    if reason := not_the_ion(level):
        print(f"note: {reason.split(';')[0]}: its desolvation columns stay missing",
              flush=True)


def _criteria(settings: Settings):
    from screening.analysis.ranking import load_criteria

    return load_criteria(Path(settings.ranking_criteria) if settings.ranking_criteria else None)


def _for_workers(settings: Settings, profile: str | None) -> Settings:
    """The settings with ``profile`` and with absolute paths (workers elsewhere
    start in other directories)."""
    settings = settings.replace(profile=profile or settings.profile,
                       results_dir=settings.results_dir.resolve())
    if settings.work_dir:
        settings = settings.replace(work_dir=str(Path(settings.work_dir).resolve()))
    if settings.database and not settings.database.startswith(POSTGRES_PREFIXES):
        settings = settings.replace(database=str(Path(settings.database).resolve()))
    return settings


def _where(settings: Settings, workers: int) -> str:
    """Where the tasks run, for the first line of ``znscreen run``."""
    if settings.profile == "slurm":
        slurm = settings.slurm
        where = (f"SLURM jobs ({slurm.min_jobs}-{slurm.max_jobs} jobs of {slurm.cores} cores, "
                 f"{settings.mpi_ranks} MPI rank(s) per GPAW calculation)")
        if not settings.store_url.startswith(POSTGRES_PREFIXES):
            where += ("; note: the store is a SQLite file, which only jobs on this node "
                      "can share safely (use PostgreSQL across nodes)")
        return where
    kind = "Dask worker(s)" if settings.profile == "dask-local" else "worker(s)"
    return f"{workers} {kind}"


def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    from flows.screening import Job, Verify, run
    from screening.calculators.factory import check_level
    from screening.analysis.results import save
    from screening.analysis.ranking import uncertainty_lines
    from screening.analysis.uncertainty import error_model_for

    # everything the user gave is checked before the flow starts
    level = get_level(args.level, settings.levels)
    check_level(level)
    groups = _groups(args.descriptors, DEFAULT_GROUPS)
    if "desolvation" in groups:
        check_charged_slabs(level)
        _note_neutral(level)
    args.names = [*args.names, *(args.candidates or [])]
    if args.names or args.family or args.all:
        names = tuple(c.name for c in selected_candidates(args, settings))
    else:
        names = tuple(c.name for c in Catalog(settings))
    criteria = _criteria(settings)
    workers = args.workers if args.workers is not None else settings.workers
    if workers < 0:
        raise ScreeningError(f"--workers must be 0 (one per core) or more, got {workers}")
    workers = workers or os.cpu_count() or 1
    settings = _for_workers(settings, args.profile)
    verify = None
    if args.verify_top:
        if args.verify_top < 0:
            raise ScreeningError(f"--verify-top must be 0 or more, got {args.verify_top}")
        verify_level = get_level(args.verify_level, settings.levels)
        if args.verify_level == args.level:
            raise ScreeningError(f"--verify-level {args.verify_level} is the screening level")
        verify_groups = _groups(args.verify_descriptors, Verify.groups)
        if "desolvation" in verify_groups:
            check_charged_slabs(verify_level)
            _note_neutral(verify_level)
        verify = Verify(args.verify_top, args.verify_level, verify_groups, args.verify_relax,
                        args.verify_choose)

    if level.engine == "pair":
        print(f"note: level {args.level} is the pair test engine: its numbers are not physics",
              flush=True)
    job = Job(settings, args.level, names, groups)
    print(f"screening {len(names)} candidate{'s' * (len(names) != 1)} at {args.level} "
          f"({', '.join(groups)}) on {_where(settings, workers)}"
          + (f"; then the {'top' if verify.choose == 'best' else 'least certain'} "
             f"{verify.top} at {verify.level} ({', '.join(verify.groups)})"
             if verify else ""), flush=True)
    start = time.perf_counter()
    record = run(job, criteria, verify, workers, _progress())
    errors = error_model_for(settings)
    table = save(settings.results_dir, record, criteria, errors)
    total, new = len(record.used), sum(record.used.values())
    this_run = {(d.name, d.level) for d in record.described}
    shown = table[[(n, lv) in this_run for n, lv in zip(table["name"], table["level"])]]
    print(render(shown.to_dict("records"), "table", _short()))
    for line in uncertainty_lines(table, errors, list(dict.fromkeys(shown["level"]))):
        print(line)
    for name, reasons in record.failures.items():
        for reason in reasons:
            print(f"failed: {name}: {reason}")
    print(f"\n{total} calculations, {new} new, in {time.perf_counter() - start:.0f} s; "
          f"table: {settings.results_dir / 'ranking.csv'} (and .parquet); "
          f"ranking criteria: {criteria.source}")
    return 0


def cmd_query(args: argparse.Namespace, settings: Settings) -> int:
    from screening.analysis.results import load_table, query

    table = query(load_table(settings.results_dir), args.where, args.sort, args.top, args.level)
    if args.format == "json":
        rows = json.loads(table.to_json(orient="records"))
        print(json.dumps(rows, indent=2))
        return 0
    print(render(table.to_dict("records"), args.format,
                 None if args.format == "csv" else [c for c in _short() if c in table]))
    if args.format == "table":
        print(f"\n{len(table)} rows (all columns: --format csv or json)")
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings) -> int:
    from screening.analysis.provenance import show
    from screening.analysis.results import load_table, read_details
    from screening.store.database import Store

    details = read_details(settings.results_dir)
    store = Store(settings.store_url, settings.stale_after)
    print(show(args.name, details, load_table(settings.results_dir), store, args.level))
    if args.pictures:
        from screening.analysis.gallery import write_gallery

        out = Path(args.pictures)
        if out.exists() and not out.is_dir():
            raise ScreeningError(f"--pictures {out} is a file: give a folder")
        entries = [d for d in details.values()
                   if d["name"] == args.name and args.level in (None, d["level"])]
        written = [png for entry in entries for _, png, _ in write_gallery(entry, store, out)]
        print(f"\n{len(written)} pictures in {out}:")
        print("\n".join(str(p) for p in written))
    return 0


def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    from screening.analysis.report import write_report
    from screening.analysis.results import load_table, read_details

    table = load_table(settings.results_dir)
    details = read_details(settings.results_dir)
    out = Path(args.out_dir) if args.out_dir else settings.results_dir / "report"
    from screening.store.database import Store

    files = write_report(table, details, out, args.top, args.level,
                         Store(settings.store_url, settings.stale_after))
    for path in files:
        print(path)
    return 0


def cmd_accuracy(args: argparse.Namespace, settings: Settings) -> int:
    from screening.analysis.accuracy import (best_reference, ladder, per_system, read_values,
                                             systems_per_level)

    rows = read_values(Path(args.values))
    if args.systems:
        known = {r["level"] for r in rows if r["descriptor"] == args.systems}
        unknown = [level for level in args.levels or [] if level not in known]
        if unknown:
            raise ScreeningError(f"--levels {' '.join(unknown)}: no {args.systems} values "
                                 f"in {args.values} (levels: {', '.join(sorted(known))})")
        table = per_system(rows, args.systems, args.levels)
        if not table:
            raise ScreeningError(f"--systems {args.systems}: no values in {args.values}")
        if args.format == "table":
            table = [{k: "-" if v is None else (f"{v:+.3f}" if isinstance(v, float) else v)
                      for k, v in row.items()} for row in table]
        print(render(table, args.format))
        return 0
    reference = args.reference or best_reference(rows)
    rungs = ladder(rows, reference)
    if args.format == "json":
        print(json.dumps(rungs, indent=2))
        return 0
    if args.format == "table":
        rungs = [{k: round(v, 3) if isinstance(v, float) else ("-" if v is None else v)
                  for k, v in r.items()} for r in rungs if r["n"]]
    print(render(rungs, args.format))
    if args.format == "table":
        print(f"\nerrors in eV: level minus {reference} on the same systems, n of them "
              f"(rungs with none left out; all in --format json); from {args.values}")
        others = [f"{level} (n={n})" for level, n in systems_per_level(rows).items()
                  if level.startswith("dft") and "-noD3" not in level and level != reference]
        if others:
            print("other DFT references (--reference; a level without //geometry relaxed its "
                  "own): " + ", ".join(others))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="screen candidates (Prefect flow) and rank them")
    p.add_argument("names", nargs="*", metavar="NAME",
                   help="candidate names (default: the whole library)")
    p.add_argument("--candidates", nargs="+", dest="candidates", metavar="NAME",
                   help="candidate names (the same as giving them as arguments)")
    p.add_argument("--all", action="store_true", help="every candidate in the library")
    p.add_argument("--family", choices=FAMILIES, help="every candidate of one family")
    p.add_argument("--level", default="mlip", help="screening level (default: mlip)")
    p.add_argument("--descriptors", nargs="+", metavar="GROUP",
                   help=f"descriptor groups, some of: {', '.join(GROUP_NAMES)} "
                        "(default: all but diffusion)")
    p.add_argument("--verify-top", type=int, default=0, metavar="K",
                   help="recompute K coatings at --verify-level and keep both rows")
    p.add_argument("--verify-choose", choices=[c.value for c in VerifyChoice], default="best",
                   help="which K coatings: the best by rank, or those whose place in the "
                        "top 5 is least certain under the measured errors (bare Zn(0001) "
                        "is verified too when it was screened)")
    p.add_argument("--verify-level", default="dft-fast", metavar="LEVEL",
                   help="level of the verification (default: dft-fast; dft-check is "
                        "the laptop-sized check)")
    p.add_argument("--verify-descriptors", nargs="+", metavar="GROUP",
                   help="groups to verify (default: zn her)")
    p.add_argument("--verify-relax", action="store_true",
                   help="relax at the verify level (default: single points on the "
                        "screening geometries)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="worker processes (default: the workers setting; 0 = one per core)")
    p.add_argument("--profile", choices=PROFILES,
                   help="where the tasks run (default: the profile setting, local): worker "
                        "processes here, a Dask cluster here, or Dask workers in SLURM jobs")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("query", help="read the ranked results table (computes nothing)")
    p.add_argument("--top", type=int, metavar="N")
    p.add_argument("--sort", metavar="COL", help="sort by a column; -COL for descending")
    p.add_argument("--where", metavar="EXPR",
                   help="filter, e.g. \"e_ads_zn < 0 and dg_h > 0.2\" (pandas syntax)")
    p.add_argument("--level")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("show", help="everything known about one candidate")
    p.add_argument("name")
    p.add_argument("--level", help="only this level's row")
    p.add_argument("--pictures", metavar="DIR",
                   help="also draw the structures behind the numbers into DIR (PNG)")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("report", help="PNG plots and one HTML page of the results")
    p.add_argument("--top", type=int, default=5, help="candidates in the profile plot")
    p.add_argument("--level", help="level to report (default: the screening level)")
    p.add_argument("--out-dir", help="(default: RESULTS/report)")
    p.set_defaults(func=cmd_report)

    from screening.analysis.accuracy import DEFAULT_VALUES, DESCRIPTORS, REFERENCES

    p = sub.add_parser("accuracy", help="each level's error against DFT on the reference set")
    p.add_argument("--values", default=str(DEFAULT_VALUES),
                   help="reference values (default: the checkout's benchmarks/reference)")
    p.add_argument("--reference", metavar="LEVEL",
                   help=f"reference level (default: the first of {', '.join(REFERENCES)} "
                        f"with values)")
    p.add_argument("--systems", choices=DESCRIPTORS, metavar="DESCRIPTOR",
                   help="instead of the ladder, the values of one descriptor per system and "
                        f"level (eV), one of: {', '.join(DESCRIPTORS)}")
    p.add_argument("--levels", nargs="+", metavar="LEVEL",
                   help="with --systems: these levels as columns, in this order")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_accuracy)
