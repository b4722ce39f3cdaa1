"""`znscreen hpc`: the settings file and job template it writes are usable as written."""

from pathlib import Path

import pytest

from screening.cli import main
from screening.settings import load_settings


def test_init_writes_a_loadable_slurm_settings_file_and_refuses_to_overwrite(
        settings, tmp_path: Path, capsys):
    target = tmp_path / "cluster"
    assert main(["hpc", "init", "--dir", str(target)]) == 0
    loaded = load_settings(target / "settings.toml", environ={})
    assert loaded.profile == "slurm" and loaded.database.startswith("postgresql://")
    assert loaded.mpi_ranks == loaded.slurm.cores  # one calculation on all of a job's cores
    job = (target / "flow.sbatch").read_text()
    assert job.startswith("#!/bin/bash") and "znscreen run" in job and "--profile slurm" in job
    # an edited file is never replaced unasked
    (target / "settings.toml").write_text("# mine\n")
    capsys.readouterr()
    assert main(["hpc", "init", "--dir", str(target)]) == 2
    assert "exists; not overwritten" in capsys.readouterr().err
    assert (target / "settings.toml").read_text() == "# mine\n"
    assert main(["hpc", "init", "--dir", str(target), "--force"]) == 0
    assert "profile" in (target / "settings.toml").read_text()


def test_settings_lists_each_slurm_field(settings, tmp_path, monkeypatch, capsys):
    from screening.settings import get_settings

    path = tmp_path / "s.toml"
    path.write_text('[slurm]\ncores = 16\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(path))
    get_settings.cache_clear()
    assert main(["settings"]) == 0
    lines = {l.split()[0]: l.split()[1:] for l in capsys.readouterr().out.splitlines()
             if l.strip()}
    assert lines["slurm.cores"] == ["16"] and lines["slurm.memory"] == ["8GB"]


def test_script_prints_the_worker_job_script_of_the_settings(settings, tmp_path, monkeypatch,
                                                             capsys):
    pytest.importorskip("dask_jobqueue")
    path = tmp_path / "s.toml"
    path.write_text('profile = "slurm"\n[slurm]\ncores = 4\naccount = "p1"\n'
                    'prologue = ["module load OpenMPI"]\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(path))
    from screening.settings import get_settings
    get_settings.cache_clear()
    assert main(["hpc", "script"]) == 0
    script = capsys.readouterr().out
    assert "#SBATCH -A p1" in script and "#SBATCH --ntasks=4" in script
    assert "module load OpenMPI" in script and "dask_worker" in script
