"""The ``znscreen`` command line.

Errors the user can fix are printed as one line, ``znscreen: error: ...``,
with exit status 2 and no traceback. Commands live in ``library`` (the
candidate library), ``engine`` (calculations and descriptors) and
``screen`` (run, query, show, report), ``finetune`` (new levels from DFT)
and ``hpc`` (cluster set-up).
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from screening import __version__
from screening.cli import engine, finetune, hpc, library, screen
from screening.errors import ScreeningError
from screening.settings import get_settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="znscreen",
        description="Screen protective interlayers for zinc-metal anodes.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (library, engine, screen, finetune, hpc):
        module.register(sub)
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
    except OSError as exc:  # a file or folder that cannot be read or written
        if exc.filename is None:
            raise
        print(f"znscreen: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        return 2
