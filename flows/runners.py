"""Where a flow's tasks run: the task runner of each execution profile.

``local``
    ``workers`` processes on this machine (Prefect's process pool), one
    thread pool worker if ``workers`` is 1.
``dask-local``
    a Dask ``LocalCluster`` of ``workers`` single-threaded worker processes.
``slurm``
    Dask workers in SLURM jobs (dask-jobqueue's ``SLURMCluster``), scaled
    adaptively between ``slurm.min_jobs`` and ``slurm.max_jobs``: each job
    (one node, ``slurm.cores`` task slots) is one worker running one task
    at a time; GPAW runs over MPI on the slots when ``mpi_ranks`` > 1. A job that dies
    (``scancel``, wall time, node failure) loses its task to another job;
    the calculation it left ``running`` in the store is taken over.

Tasks report to one Prefect API (:mod:`flows.server`): the configured
``PREFECT_API_URL``, or else the run's own server, whose address the
workers inherit. That server listens on 127.0.0.1 only: with jobs on other
nodes, run ``prefect server start --host 0.0.0.0`` and set
``PREFECT_API_URL`` (docs/hpc.md).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from typing import Any, Iterator

from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner

from screening.calculators.factory import TORCH_THREADS
from screening.errors import ScreeningError
from screening.settings import Settings

from flows.server import exit_with_parent

def cores_per_worker(workers: int) -> int:
    """This machine's cores shared out among ``workers`` workers (at least 1)."""
    return max(1, (os.cpu_count() or 1) // workers)


def worker_init(workers: int) -> None:
    """Process-pool initializer: share the cores among the worker processes
    (torch threads, for CHGNet, once a task loads it), and keep library
    warnings (ASE's optimisers) off the console, as the CLI does."""
    import warnings

    warnings.filterwarnings("ignore")
    os.environ[TORCH_THREADS] = str(cores_per_worker(workers))
    # a killed flow would leave its workers computing as orphans, competing
    # with the rerun for the cores; the calculation cut short is left
    # running in the store, and a rerun takes it over at once on this host
    threading.Thread(target=exit_with_parent, args=(os.getppid(),), daemon=True).start()


def slurm_cluster_kwargs(settings: Settings) -> dict[str, Any]:
    """``dask_jobqueue.SLURMCluster`` arguments for the settings' ``[slurm]`` table."""
    slurm = settings.slurm
    threads = max(1, slurm.cores // settings.mpi_ranks)
    kwargs: dict[str, Any] = {
        # one Dask thread per job: one task at a time, on all the job's cores,
        # booked as one task slot per core (what mpiexec and srun start ranks in)
        "cores": 1, "processes": 1,
        "job_directives_skip": ["-n 1", "--cpus-per-task"],
        "job_extra_directives": ["--nodes=1", f"--ntasks={slurm.cores}", *slurm.directives],
        "memory": slurm.memory, "walltime": slurm.walltime,
        "job_name": "znscreen",
        "python": slurm.python or sys.executable,
        "job_script_prologue": [f"export OMP_NUM_THREADS={threads}", *slurm.prologue],
        "log_directory": str(settings.calculation_dir.resolve() / "slurm"),
    }
    for setting, argument in (("account", "account"), ("partition", "queue"),
                              ("interface", "interface")):
        if getattr(slurm, setting):
            kwargs[argument] = getattr(slurm, setting)
    return kwargs


def _dask_runner(**kwargs: Any):
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise ScreeningError("the dask-local and slurm profiles need the [hpc] extra "
                             "(pip install -e '.[hpc]')") from None
    return DaskTaskRunner(**kwargs)


def task_runner(settings: Settings, workers: int):
    """The task runner of ``settings.profile`` (``workers``: local profiles only)."""
    if settings.profile == "slurm":
        slurm = settings.slurm
        return _dask_runner(cluster_class="dask_jobqueue.SLURMCluster",
                            cluster_kwargs=slurm_cluster_kwargs(settings),
                            adapt_kwargs={"minimum": slurm.min_jobs,
                                          "maximum": slurm.max_jobs})
    if settings.profile == "dask-local":
        return _dask_runner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1,
                                            "processes": True, "dashboard_address": None})
    if workers <= 1:
        return ThreadPoolTaskRunner(max_workers=1)
    # one process per worker (CHGNet holds the GIL too often for threads)
    return ProcessPoolTaskRunner(max_workers=workers, initializer=worker_init,
                                 initargs=(workers,))


@contextlib.contextmanager
def worker_environment(settings: Settings, workers: int) -> Iterator[None]:
    """The environment worker processes are started with, for the run's duration.

    Dask workers on this machine get their share of the cores as
    ``OMP_NUM_THREADS`` unless it is set already (the local profile sets
    torch's threads in :func:`worker_init`). The Prefect API they report to
    is set by :func:`flows.server.prefect_api`.
    """
    env: dict[str, str] = {}
    if settings.profile == "dask-local" and "OMP_NUM_THREADS" not in os.environ:
        env["OMP_NUM_THREADS"] = str(cores_per_worker(workers))
    if settings.profile != "local":
        # Dask's INFO lines (workers joining and leaving) stay off the console,
        # here and in the workers; the slurm jobs' own logs keep theirs
        logging.getLogger("distributed").setLevel(logging.WARNING)
        env["DASK_LOGGING__DISTRIBUTED"] = "warning"
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        with _one_task_per_thread(settings):
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _one_task_per_thread(settings: Settings) -> Iterator[None]:
    """Dask's scheduler hands a worker a new task only when its thread is free.

    By default it may give a one-thread worker a second task to queue
    (``worker-saturation`` 1.1 rounds up to 2), which then waits behind a
    calculation of minutes to hours while another worker idles.
    """
    if settings.profile == "local":
        yield
        return
    import dask

    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}):
        yield
