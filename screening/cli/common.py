"""What every command module shares: candidate selection and one-line errors."""

from __future__ import annotations

import argparse

from screening.errors import ScreeningError
from screening.library.catalog import FAMILIES, Candidate, Catalog
from screening.settings import Settings


def add_candidate_selection(p: argparse.ArgumentParser, names_help: str = "candidate names") -> None:
    """NAME... | --family F | --all on a subcommand."""
    p.add_argument("names", nargs="*", metavar="NAME", help=names_help)
    p.add_argument("--all", action="store_true", help="every candidate in the library")
    p.add_argument("--family", choices=FAMILIES, help="every candidate of one family")


def selected_candidates(args: argparse.Namespace, settings: Settings) -> list[Candidate]:
    """The candidates named, of ``--family``, or ``--all``; exactly one way."""
    catalog = Catalog(settings)
    if sum((bool(args.names), bool(args.family), bool(args.all))) != 1:
        raise ScreeningError("give candidate NAMEs, --family F or --all (one of them)")
    if args.names:
        return [catalog.get(n) for n in args.names]
    return catalog.select(args.family)
