"""Can batching CHGNet calls pay on this CPU? B structures in one model call
against B calls one after the other.

    python benchmarks/chgnet_batch.py [--batch 6] [--repeats 3] [--threads 1]

For the systems of ``benchmarks/chgnet_calls.py`` (a Zn adatom on Zn(0001),
the hydrated cluster on the Zn(0001) and rutile-TiO2(110) desolvation
slabs), B slightly perturbed copies are evaluated (energy and forces):

- ``one by one``: CHGNet's ``predict_graph`` on each graph alone, B times;
- ``batched``: ``predict_graph`` on the B graphs at once (``batch_size`` B),
  which is what batched optimisers (torch-sim's, or CHGNet's own) do.

Graphs are built once, outside the timing; the fastest of ``--repeats`` is
kept; the energies of the two ways are compared (eV/atom).
"""

from __future__ import annotations

import argparse
import sys
import time

from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chgnet_calls import systems  # noqa: E402
from screening.calculators.factory import chgnet_model  # noqa: E402
from screening.calculators.levels import get_level  # noqa: E402


def fastest(run, repeats: int) -> tuple[float, list]:
    best, out = np.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - start)
    return float(best), out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=6)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)

    import torch
    from pymatgen.io.ase import AseAtomsAdaptor

    torch.set_num_threads(args.threads)
    model = chgnet_model(get_level("mlip").model_version)
    rng = np.random.default_rng(0)
    print(f"# CHGNet energy+forces, {args.batch} structures, fastest of {args.repeats}, "
          f"{args.threads} torch thread(s)")
    print(f"{'system':24s} {'atoms':>5s} {'one by one s':>12s} {'batched s':>10s} "
          f"{'batched/one':>11s} {'max|dE| eV/at':>13s}")
    for name, atoms in systems().items():
        graphs = []
        for _ in range(args.batch):
            moved = atoms.copy()
            moved.positions += rng.normal(0, 0.01, moved.positions.shape)
            graphs.append(model.graph_converter(AseAtomsAdaptor.get_structure(moved)))
        model.predict_graph(graphs[0], task="ef")  # warm-up
        one, singles = fastest(lambda: [model.predict_graph(g, task="ef") for g in graphs],
                               args.repeats)
        batched, together = fastest(lambda: model.predict_graph(graphs, task="ef",
                                                                batch_size=args.batch),
                                    args.repeats)
        d_e = max(abs(float(s["e"]) - float(t["e"])) for s, t in zip(singles, together))
        print(f"{name:24s} {len(atoms):5d} {one:12.2f} {batched:10.2f} {batched / one:11.2f} "
              f"{d_e:13.1e}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
