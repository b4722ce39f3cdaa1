from pathlib import Path

import pytest

from screening.errors import SettingsError
from screening.settings import Settings, load_settings


def test_defaults_meet_the_science_brief(tmp_path: Path):
    s = load_settings(tmp_path / "absent.toml", environ={})
    assert s == Settings()
    assert s.slab_vacuum >= 15.0 and s.slab_min_lateral >= 10.0 and s.slab_layers >= 4


def test_file_then_environment_precedence(tmp_path: Path):
    path = tmp_path / "settings.toml"
    path.write_text("slab_vacuum = 20.0\nslab_layers = 6\n")
    s = load_settings(path, environ={"ZNSCREEN_SLAB_LAYERS": "8"})
    assert s.slab_vacuum == 20.0
    assert s.slab_layers == 8


@pytest.mark.parametrize("text, message", [
    ("slab_vacum = 20\n", "unknown setting 'slab_vacum'"),
    ("slab_layers = 'four'\n", "must be int"),
    ("slab_layers = 4.5\n", "must be int"),
    ("slab_vacuum = -1\n", "must be positive"),
    ("slab_vacuum = \n", "not valid TOML"),
    ('profile = "cloud"\n', "'profile' must be one of local, dask-local, slurm"),
    ("[slurm]\nqueue = 'x'\n", "unknown setting 'slurm.queue'"),
    ("[slurm]\ncores = 0\n", "'slurm.cores' must be positive"),
    ("[slurm]\nmin_jobs = 5\nmax_jobs = 2\n", "'slurm.min_jobs' must be in"),
    ("[slurm]\nwalltime = '2 hours'\n", "'slurm.walltime' must be HH:MM:SS"),
    ("[slurm]\nprologue = 'module load x'\n", "must be a list of strings"),
    ("slurm = 3\n", "'slurm' must be a table"),
    ("mpi_command = 'mpiexec -n 4'\n", "'mpi_command' must contain {ranks}"),
    ("mpi_ranks = 0\n", "'mpi_ranks' must be positive"),
])
def test_bad_settings_file_is_named(tmp_path: Path, text: str, message: str):
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message):
        load_settings(path, environ={})


def test_bad_environment_value_names_the_variable(tmp_path: Path):
    with pytest.raises(SettingsError, match="ZNSCREEN_SLAB_VACUUM"):
        load_settings(tmp_path / "absent.toml", environ={"ZNSCREEN_SLAB_VACUUM": "lots"})


def test_slurm_table_then_its_environment_variables(tmp_path: Path):
    path = tmp_path / "settings.toml"
    path.write_text('profile = "slurm"\nmpi_ranks = 8\n[slurm]\naccount = "chem42"\n'
                    'cores = 8\nprologue = ["module load openmpi", "source venv/bin/activate"]\n')
    s = load_settings(path, environ={"ZNSCREEN_SLURM_MAX_JOBS": "12",
                                     "ZNSCREEN_SLURM_PARTITION": "short"})
    assert s.profile == "slurm" and s.mpi_ranks == 8
    assert (s.slurm.account, s.slurm.cores, s.slurm.max_jobs) == ("chem42", 8, 12)
    assert s.slurm.partition == "short"
    assert s.slurm.prologue == ("module load openmpi", "source venv/bin/activate")
