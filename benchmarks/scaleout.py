"""Scale-out benchmark: Dask workers, MPI ranks, and the per-task overhead.

    python benchmarks/scaleout.py [--candidates ...] [--dft-candidate "Zn(0001)"]
                                  [--dft-min-lateral 5.0] [--tasks 200] [--skip-dft]

Prints three figures, each measured in this one run:

1. Speed-up of 2 Dask workers over 1 (profile ``dask-local``) on independent
   candidates at the mlip level (Zn adsorption). The shared references are
   computed first into a store every run copies, so the timed runs hold only
   the candidates' own tasks (slab relaxation, adatom sites); Prefect's
   server is started before. Twice: with the cores shared out as the profile
   does (one worker gets 2 torch threads) and with 1 thread per worker
   (worker scaling alone). Each run is repeated on its finished store to
   measure the fixed cost (cluster and workers starting, CHGNet loading,
   task bookkeeping); the speed-up is printed with and without it. Target:
   >= 1.8x on 2 cores.
   Then the ceiling: the same CHGNet calls in one process alone and in two
   processes at once (2 x alone / together), what the cores themselves allow.
2. Speed-up of a dft-fast single point on a clean slab run by 2 MPI ranks
   (``mpiexec -n 2``, the path the slurm profile's jobs take) over the same
   calculation in one process.
3. Overhead per task in milliseconds: a flow of ``--tasks`` tasks that do
   nothing, on Prefect's thread pool (Prefect's own bookkeeping), on the
   Dask task runner (Prefect + Dask, one local worker process), and the same
   tasks submitted to Dask without Prefect.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from flows.runners import cores_per_worker  # noqa: E402
from flows.screening import Job, run  # noqa: E402
from flows.server import prefect_api  # noqa: E402
from screening.analysis.ranking import load_criteria  # noqa: E402
from screening.library.catalog import Catalog  # noqa: E402
from screening.settings import load_settings  # noqa: E402

DEFAULT_CANDIDATES = ["Pb(111)", "In(101)", "Bi(0001)", "Sn(100)", "Cu(111)", "Ag(111)"]


def _settings(root: Path, **changes):
    base = load_settings(environ={"ZNSCREEN_SETTINGS": str(root / "none.toml")})
    return base.replace(results_dir=root / "results", user_data_dir=root / "user", **changes)


def dask_speedup(candidates: list[str], root: Path) -> None:
    from screening.recipes.context import open_context
    from screening.recipes.references import summary

    seed = _settings(root / "seed", slab_min_lateral=7.5)
    summary(open_context(seed, "mlip"), ("zn_bulk", "zn_atom"))
    # one Prefect server for every timed run, started before the timing (15-20 s here)
    with prefect_api(root / "prefect-server.log"):
        for threads in ("shared", "1"):
            times, fixed = {}, {}
            for workers in (1, 2):
                settings = _settings(root / f"w{workers}-{threads}", slab_min_lateral=7.5,
                                     profile="dask-local")
                settings.results_dir.mkdir(parents=True)
                shutil.copy(seed.store_url, settings.store_url)
                job = Job(settings, "mlip", tuple(candidates), ("zn",))
                if threads == "1":
                    os.environ["OMP_NUM_THREADS"] = "1"
                start = time.perf_counter()
                record = run(job, load_criteria(None), workers=workers)
                times[workers] = time.perf_counter() - start
                # the same run again finds everything stored: what is left is the
                # fixed cost (cluster and worker start, CHGNet load, task bookkeeping)
                start = time.perf_counter()
                run(job, load_criteria(None), workers=workers)
                fixed[workers] = time.perf_counter() - start
                os.environ.pop("OMP_NUM_THREADS", None)
                new = sum(record.used.values())
                print(f"  {workers} Dask worker(s), {_threads(threads, workers)} torch thread(s) "
                      f"each: {times[workers]:7.1f} s ({new} calculations computed); rerun with "
                      f"nothing to compute: {fixed[workers]:5.1f} s", flush=True)
            how = ("the cores shared out (1 worker: 2 threads)" if threads == "shared"
                   else "1 thread per worker")
            net = (times[1] - fixed[1]) / (times[2] - fixed[2])
            print(f"1. speed-up of 2 Dask workers over 1 on {len(candidates)} mlip candidates, "
                  f"{how}: {times[1] / times[2]:.2f}x wall, {net:.2f}x without the fixed cost "
                  f"(target >= 1.8x)", flush=True)


def _chgnet_calls(args: tuple[str, int, object]) -> float:
    """Seconds for ``calls`` CHGNet force calls on a slab (after loading), one thread."""
    name, calls, start_together = args
    import torch

    from screening.calculators.factory import make_calculator
    from screening.calculators.levels import get_level
    from screening.calculators.parameters import calculation_parameters
    from screening.library.surfaces import build_slab_models, slab_spec

    torch.set_num_threads(1)
    settings = load_settings(environ={})
    candidate = Catalog(settings).get(name)
    atoms = build_slab_models(candidate, slab_spec(settings, candidate, 7.5))[0].atoms
    params = calculation_parameters(get_level("mlip"), atoms)
    atoms.calc = make_calculator(atoms, params, Path("."))
    atoms.get_forces()  # model loaded, graph code warm
    if start_together is not None:
        start_together.wait()
    start = time.perf_counter()
    for i in range(calls):
        atoms.positions[0, 2] += 1e-3 * (-1) ** i  # a new structure each call
        atoms.get_forces()
    return time.perf_counter() - start


def hardware_ceiling(name: str = "Cu(111)", calls: int = 40) -> None:
    """What 2 processes gain on these cores when nothing else is shared.

    The same CHGNet calls, one thread each: once in one process alone, then
    in two processes at the same time. 2 x alone / together is the most any
    2-worker run can gain here (cores shared with nothing but each other).
    """
    import multiprocessing as mp

    context = mp.get_context("spawn")
    with context.Pool(1) as pool:
        alone = pool.map(_chgnet_calls, [(name, calls, None)])[0]
    with context.Manager() as manager:
        barrier = manager.Barrier(2)
        with context.Pool(2) as pool:
            together = max(pool.map(_chgnet_calls, [(name, calls, barrier)] * 2))
    print(f"  {calls} CHGNet force calls on {name}, 1 thread: {alone:.1f} s alone, "
          f"{together:.1f} s in each of two processes at once")
    print(f"1b. ceiling of 2 processes over 1 on these cores: {2 * alone / together:.2f}x",
          flush=True)


def _threads(threads: str, workers: int) -> int:
    return 1 if threads == "1" else cores_per_worker(workers)


def mpi_speedup(name: str, min_lateral: float, root: Path) -> None:
    from screening.calculators.levels import get_level
    from screening.library.surfaces import build_slab_models, slab_spec
    from screening.runners.compute import Request, compute
    from screening.runners.mpi import launcher
    from screening.store.database import Store

    settings = _settings(root / "mpi")
    candidate = Catalog(settings).get(name)
    slab = build_slab_models(candidate, slab_spec(settings, candidate, min_lateral))[0].atoms
    two = launcher(2, "mpiexec -n {ranks}")
    if two is None:
        print("2. skipped: GPAW has no MPI here (scripts/install.sh builds it with MPI)")
        return
    level = get_level("dft-fast")
    times = {}
    for ranks, launch in ((1, None), (2, two)):
        store = Store(root / "mpi" / f"ranks{ranks}.db")
        start = time.perf_counter()
        calc = compute(store, Request(slab, level, f"{name} slab"), root / "mpi" / "work",
                       "bench", launch=launch)
        times[ranks] = time.perf_counter() - start
        steps = _scf_steps(root / "mpi" / "work", calc.key)
        print(f"  {ranks} rank(s): {times[ranks]:7.1f} s, {steps} SCF steps, "
              f"E = {calc.energy:.4f} eV", flush=True)
    print(f"2. speed-up of a dft-fast single point on {name} ({len(slab)} atoms) with 2 MPI "
          f"ranks over 1: {times[1] / times[2]:.2f}x", flush=True)


def _scf_steps(work: Path, key: str) -> int:
    from screening.runners.compute import work_directory

    text = (work_directory(work, key) / "gpaw-rung0.txt").read_text()
    return sum(1 for line in text.splitlines() if line.startswith("iter:"))


def overhead(tasks: int) -> None:
    from prefect import flow, task
    from prefect.task_runners import ThreadPoolTaskRunner
    from prefect_dask import DaskTaskRunner

    @task(persist_result=False)
    def nothing(i: int) -> int:
        return i

    @flow(persist_result=False)
    def many(n: int) -> None:
        futures = [nothing.submit(i) for i in range(n)]
        for future in futures:
            future.result()

    per_task = {}
    for label, runner in (("Prefect (thread pool)", ThreadPoolTaskRunner(max_workers=1)),
                          ("Prefect + Dask (1 worker process)",
                           DaskTaskRunner(cluster_kwargs={"n_workers": 1,
                                                          "threads_per_worker": 1,
                                                          "dashboard_address": None}))):
        timed = many.with_options(task_runner=runner)
        timed(5)  # warm-up: server, cluster and imports are not per-task costs
        start = time.perf_counter()
        timed(tasks)
        per_task[label] = (time.perf_counter() - start) / tasks * 1000
    per_task["Dask alone (1 worker process)"] = _dask_alone(tasks)
    print(f"3. overhead per task ({tasks} tasks that do nothing):")
    for label, ms in per_task.items():
        print(f"  {label:36s} {ms:8.1f} ms")


def _dask_alone(tasks: int) -> float:
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        client.gather(client.map(int, range(5)))
        start = time.perf_counter()
        futures = [client.submit(int, i, pure=False) for i in range(tasks)]
        client.gather(futures)
        return (time.perf_counter() - start) / tasks * 1000


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--candidates", nargs="+", default=DEFAULT_CANDIDATES)
    p.add_argument("--dft-candidate", default="Zn(0001)")
    p.add_argument("--dft-min-lateral", type=float, default=5.0,
                   help="smallest slab width (A) of the dft-fast single point")
    p.add_argument("--tasks", type=int, default=200)
    p.add_argument("--skip-dft", action="store_true")
    args = p.parse_args()
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("distributed").setLevel(logging.WARNING)
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    print(f"{os.cpu_count()} cores", flush=True)
    with tempfile.TemporaryDirectory(prefix="znscreen-scaleout-") as tmp:
        root = Path(tmp)
        dask_speedup(args.candidates, root)
        hardware_ceiling()
        if not args.skip_dft:
            mpi_speedup(args.dft_candidate, args.dft_min_lateral, root)
        overhead(args.tasks)


if __name__ == "__main__":
    main()
