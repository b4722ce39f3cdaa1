"""Task runners of the execution profiles, the environment workers start with,
and the Prefect server of a run."""

import os

import pytest

from flows.runners import slurm_cluster_kwargs, task_runner, worker_environment
from flows.server import prefect_api
from screening.settings import SlurmProfile
from tests.conftest import prefect_servers


def test_a_run_starts_its_own_prefect_server_for_its_workers_and_stops_it(tmp_path,
                                                                         monkeypatch):
    import httpx
    from prefect.settings import PREFECT_API_URL, temporary_settings

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    before = set(prefect_servers())
    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        with prefect_api(tmp_path / "server.log") as url:
            assert os.environ["PREFECT_API_URL"] == url  # what the workers inherit
            assert PREFECT_API_URL.value() == url  # and this process's client
            assert httpx.get(f"{url}/health", timeout=10).status_code == 200
            (server,) = set(prefect_servers()) - before
        assert "PREFECT_API_URL" not in os.environ
        assert server not in prefect_servers()  # stopped with the run
        # a configured server is used as it is: nothing is started
        monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")
        with temporary_settings({PREFECT_API_URL: "http://127.0.0.1:1/api"}):
            with prefect_api(tmp_path / "unused.log") as url:
                assert url == "http://127.0.0.1:1/api"
                assert set(prefect_servers()) == before


def test_dask_local_workers_share_the_cores(settings, monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")  # no server started
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with worker_environment(settings.replace(profile="dask-local"), 2):
        assert os.environ["OMP_NUM_THREADS"] == str(max(1, os.cpu_count() // 2))  # cores shared
    assert "OMP_NUM_THREADS" not in os.environ


def test_slurm_jobs_run_one_task_on_all_their_cores(settings):
    pytest.importorskip("dask_jobqueue")
    from dask_jobqueue import SLURMCluster

    slurm = SlurmProfile(account="chem42", partition="short", cores=8, memory="30GB",
                         walltime="12:00:00", prologue=("module load openmpi/4.1",),
                         directives=("--constraint=cpu",))
    kwargs = slurm_cluster_kwargs(settings.replace(slurm=slurm, mpi_ranks=8))
    # the job script dask-jobqueue would submit (no cluster is started for this)
    script = SLURMCluster(**kwargs, scheduler_options={"dashboard_address": None},
                          ).job_script()
    assert "#SBATCH -A chem42" in script and "#SBATCH -p short" in script
    # one node, 8 task slots for the MPI ranks (not one task of 8 CPUs)
    assert "#SBATCH --ntasks=8" in script and "#SBATCH --nodes=1" in script
    assert "-n 1\n" not in script and "--cpus-per-task" not in script
    assert "#SBATCH -t 12:00:00" in script and "#SBATCH --mem=28G" in script  # 30 GB in GiB
    assert "#SBATCH --constraint=cpu" in script
    assert "module load openmpi/4.1" in script and "export OMP_NUM_THREADS=1" in script
    assert "--nthreads 1" in script  # one task at a time per job


def test_profiles_pick_their_runner(settings):
    from prefect.task_runners import ProcessPoolTaskRunner

    assert isinstance(task_runner(settings, 2), ProcessPoolTaskRunner)
    pytest.importorskip("prefect_dask")
    from prefect_dask import DaskTaskRunner

    runner = task_runner(settings.replace(profile="slurm"), 2)
    assert isinstance(runner, DaskTaskRunner)
    assert runner.cluster_class == "dask_jobqueue.SLURMCluster" or \
        runner.cluster_class.__name__ == "SLURMCluster"


def test_dask_workers_get_a_task_only_when_their_thread_is_free(settings, monkeypatch):
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")  # no server started
    with worker_environment(settings.replace(profile="dask-local"), 2):
        with LocalCluster(n_workers=0, dashboard_address=None, processes=False) as cluster:
            # a one-thread worker holds one task, none queued behind a long calculation
            assert cluster.scheduler.WORKER_SATURATION == 1.0
    with LocalCluster(n_workers=0, dashboard_address=None, processes=False) as cluster:
        assert cluster.scheduler.WORKER_SATURATION > 1.0  # Dask's default, outside a run
