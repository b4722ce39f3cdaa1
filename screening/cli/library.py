"""Commands on the candidate library: candidates, add, remove, slab, amorphous."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from screening.cli.common import add_candidate_selection, selected_candidates
from screening.errors import ScreeningError
from screening.library.catalog import FAMILIES, Catalog, file_stem
from screening.settings import Settings
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
    from screening.library.intake import AddRequest, add_candidate

    kind = "sheet" if args.sheet else "slab" if args.slab else "bulk"
    request = AddRequest(path=Path(args.path), name=args.name,
                         miller=tuple(args.miller) if args.miller else None, kind=kind,
                         family=args.family, force=args.force,
                         termination=args.termination)
    candidate = add_candidate(request, settings)
    print(f"added {candidate.name} ({candidate.formula}, {candidate.structure.kind},"
          f" surface {candidate.surface}) to {settings.user_catalog}")
    return 0


def cmd_remove(args: argparse.Namespace, settings: Settings) -> int:
    from screening.library.intake import remove_candidate

    remove_candidate(args.name, settings)
    print(f"removed {args.name} from {settings.user_catalog}")
    return 0


def cmd_slab(args: argparse.Namespace, settings: Settings) -> int:
    from ase.io import write

    from screening.files import write_atomic
    from screening.library.surfaces import build_slab_models, slab_spec

    candidates = selected_candidates(args, settings)
    out_dir = Path(args.out_dir) if args.out_dir else settings.results_dir / "slabs"
    if args.min_lateral is not None and args.min_lateral <= 0:
        raise ScreeningError(f"--min-lateral must be positive, got {args.min_lateral}")
    if args.out and len(candidates) != 1:
        raise ScreeningError("--out takes one candidate; use --out-dir for several")
    if args.out and Path(args.out).is_dir():
        raise ScreeningError(f"--out {args.out} is a folder: give a file name, or use --out-dir")
    rows = []
    start = time.perf_counter()
    for candidate in candidates:
        spec = slab_spec(settings, candidate, min_lateral=args.min_lateral)
        models = build_slab_models(candidate, spec)
        for i, model in enumerate(models):
            suffix = f"-t{i}" if len(models) > 1 else ""
            path = (Path(args.out).with_stem(Path(args.out).stem + suffix) if args.out
                    else out_dir / f"{file_stem(candidate.name)}{suffix}.extxyz")
            write_atomic(path, lambda tmp: write(tmp, model.atoms, format="extxyz"))
            rows.append({"name": candidate.name, **model.summary(), "file": str(path)})
    print(render(rows, args.format))
    if args.format == "table":
        print(f"\n{len(rows)} slab models in {time.perf_counter() - start:.1f} s")
    return 0


def cmd_amorphous(args: argparse.Namespace, settings: Settings) -> int:
    import tempfile

    from ase.io import write

    from screening.files import write_json
    from screening.library.intake import AddRequest, add_candidate, check_new_name
    from screening.recipes.amorphous import MeltQuench, melt_quench
    from screening.recipes.context import open_context

    recipe = MeltQuench(formula=args.formula, units=args.units, density=args.density,
                        seed=args.seed, melt_temperature=args.melt_temperature,
                        melt_ps=args.melt_ps, quench_rate=args.quench_rate,
                        anneal_ps=args.anneal_ps, timestep=args.timestep,
                        cation=args.pair[0], anion=args.pair[1])
    request = AddRequest(path=Path("."), name=args.name, kind="slab", family=args.family,
                         force=args.force)
    check_new_name(request, Catalog(settings))
    ctx = open_context(settings, args.level)
    began = time.perf_counter()
    glass = melt_quench(ctx, recipe)
    wall = time.perf_counter() - began
    record = {"name": args.name, "level": ctx.name, **glass.summary(), "wall_s": round(wall, 1),
              "rdf": {"r": glass.rdf[0], "g": glass.rdf[1]}}
    out = settings.results_dir / "amorphous" / f"{file_stem(args.name)}.json"
    write_json(out, record)
    source = (f"melt-quench at {ctx.name}: {recipe.formula} x {recipe.units}, "
              f"{recipe.density} g/cm3, seed {recipe.seed}, melt {recipe.melt_temperature:g} K "
              f"for {recipe.melt_ps:g} ps, quench {recipe.quench_rate:g} K/ps to "
              f"{recipe.final_temperature:g} K, anneal {recipe.anneal_ps:g} ps "
              f"(slab key {glass.slab.key[:12]}; record {out})")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{file_stem(args.name)}.extxyz"
        write(path, glass.slab.atoms, format="extxyz")
        candidate = add_candidate(AddRequest(path=path, name=args.name, kind="slab",
                                             family=args.family, force=args.force,
                                             source=source), settings)
    spread = ", ".join(f"{k}: {v}" for k, v in sorted(glass.coordination_spread.items()))
    print(f"{candidate.name}: {len(glass.slab.atoms)}-atom amorphous {recipe.formula} slab "
          f"from {glass.md_steps} MD steps at {ctx.name} in {wall:.0f} s")
    print(f"  box density {glass.density:.2f} g/cm3; {recipe.cation}-{recipe.anion} "
          f"coordination {glass.coordination:.2f} ({spread}); mean bond "
          f"{glass.bond_length:.3f} A (< {recipe.bond_cutoff} A)")
    print(f"  added to {settings.user_catalog}; record (with the g(r)): {out}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("candidates", help="list the candidate library (bundled + user)")
    p.add_argument("--family", choices=FAMILIES)
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_candidates)

    p = sub.add_parser("amorphous", help="make an amorphous slab by melt-quench MD and add it "
                                         "as a candidate")
    p.add_argument("--name", required=True, help="the new candidate's name")
    p.add_argument("--formula", default="TiO2")
    p.add_argument("--units", type=int, default=24, help="formula units in the box")
    p.add_argument("--density", type=float, default=3.8, help="g/cm3 (default 3.8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--level", default="mlip", help="level of the MD (default: mlip)")
    p.add_argument("--melt-temperature", type=float, default=3000.0, help="K")
    p.add_argument("--melt-ps", type=float, default=3.0)
    p.add_argument("--quench-rate", type=float, default=500.0, help="K/ps")
    p.add_argument("--anneal-ps", type=float, default=1.0)
    p.add_argument("--timestep", type=float, default=1.0, help="fs")
    p.add_argument("--pair", nargs=2, default=["Ti", "O"], metavar=("CATION", "ANION"),
                   help="the pair whose coordination is reported")
    p.add_argument("--family", choices=FAMILIES, default="oxide")
    p.add_argument("--force", action="store_true", help="replace a user candidate of that name")
    p.set_defaults(func=cmd_amorphous)

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
    p.add_argument("--termination", default="auto", metavar="RULE",
                   help="of a bulk cut: auto (default), #k (k-th of `znscreen "
                        "terminations`) or the top layer's formula")
    p.add_argument("--family", choices=FAMILIES, default="other")
    p.add_argument("--force", action="store_true", help="replace a user candidate of that name")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("remove", help="remove one of your own candidates")
    p.add_argument("name")
    p.set_defaults(func=cmd_remove)

    p = sub.add_parser("slab", help="build and write slab models")
    add_candidate_selection(p)
    p.add_argument("--min-lateral", type=float, metavar="L",
                   help="minimum in-plane periodic length in Angstrom (default: settings)")
    p.add_argument("--out", help="output file for one candidate (extxyz keeps constraints)")
    p.add_argument("--out-dir", help="output folder (default: RESULTS/slabs)")
    p.add_argument("--format", choices=FORMATS, default="table")
    p.set_defaults(func=cmd_slab)
