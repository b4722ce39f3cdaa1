"""Start-up cost of the commands that only read: import time and wall time.

For ``znscreen query --top 3``, ``znscreen show NAME`` and ``znscreen
candidates`` on an existing results folder (the main job's by default),
prints the median over ``--repeat`` runs of:

* the time Python spends importing (``-X importtime``, the top-level
  imports summed: what the command loads before it does anything);
* the command's whole wall time (interpreter start, imports, work, exit).

    python benchmarks/startup.py [--results-dir results] [--name "Cu(111)"]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path


def import_seconds(argv: list[str], env: dict[str, str]) -> float:
    """Seconds of imports of one command (sum of the top-level ``-X importtime`` entries)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "screening.cli", *argv],
                          env=env, capture_output=True, text=True)
    total = 0
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if not name.startswith("  ") and cumulative.strip().isdigit():
                total += int(cumulative)
    return total / 1e6


def wall_seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "screening.cli", *argv], env=env,
                   capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results-dir", default="results")
    parser.add_argument("--name", default="Cu(111)", help="candidate for show")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    results = Path(args.results_dir).resolve()
    if not (results / "ranking.csv").exists():
        print(f"no results in {results}: run the main job (bash scripts/main.sh) first")
        return 1
    env = {**os.environ, "ZNSCREEN_RESULTS_DIR": str(results)}
    print(f"# {args.repeat} runs each, results in {results}, median seconds")
    print(f"{'command':28s} {'imports':>8s} {'wall':>8s}")
    for argv in (["query", "--top", "3"], ["show", args.name], ["candidates"]):
        imports = statistics.median(import_seconds(argv, env) for _ in range(args.repeat))
        wall = statistics.median(wall_seconds(argv, env) for _ in range(args.repeat))
        print(f"{' '.join(argv):28s} {imports:8.2f} {wall:8.2f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
