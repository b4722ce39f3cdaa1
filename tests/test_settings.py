from pathlib import Path

import pytest

from screening.errors import SettingsError
from screening.settings import Settings, load_settings


def test_defaults_meet_the_science_brief(tmp_path: Path):
    s = load_settings(tmp_path / "absent.toml", environ={})
    assert s == Settings()
    assert s.slab_vacuum >= 15.0 and s.slab_min_lateral >= 10.0 and s.slab_layers >= 4
    # the bundled library is found through the package, not the working directory
    assert (s.structures_dir / "catalog.toml").exists()


def test_file_then_environment_precedence(tmp_path: Path):
    path = tmp_path / "settings.toml"
    path.write_text("slab_vacuum = 20.0\nslab_layers = 6\n")
    s = load_settings(path, environ={"ZNSCREEN_SLAB_LAYERS": "8"})
    assert s.slab_vacuum == 20.0
    assert s.slab_layers == 8


@pytest.mark.parametrize("text, message", [
    ("slab_vacum = 20\n", "unknown setting 'slab_vacum'"),
    ("slab_layers = 'four'\n", "'slab_layers' must be int, got 'four'"),
    ("slab_layers = 4.5\n", "'slab_layers' must be int, got 4.5"),
    ("slab_layers = true\n", "'slab_layers' must be a number or text, got True"),
    ("slab_vacuum = -1\n", "'slab_vacuum' must be positive"),
    ("fixed_layer_fraction = 1.0\n", "'fixed_layer_fraction' must be in \\[0, 1\\)"),
    ("optimizer = 'SD'\n", "'optimizer' must be one of PreconLBFGS, BFGS, LBFGS, FIRE"),
    ("slab_vacuum = \n", "not valid TOML"),
    ('profile = "cloud"\n', "'profile' must be one of local, dask-local, slurm"),
    ("[slurm]\nqueue = 'x'\n", "unknown setting 'slurm.queue'"),
    ("[slurm]\ncores = 0\n", "'slurm.cores' must be positive"),
    ("[slurm]\nmin_jobs = 5\nmax_jobs = 2\n", "'slurm.min_jobs' must be in"),
    ("[slurm]\nwalltime = '2 hours'\n", "'slurm.walltime' must be HH:MM:SS"),
    ("[slurm]\nprologue = 'module load x'\n", "must be a list of strings"),
    ("slurm = 3\n", "'slurm' must be a table \\[slurm\\]"),
    ("levels = 3\n", "'levels' must be tables"),
    ("[levels.dft]\necutt = 500\n", "\\[levels.dft\\]: unknown level parameter 'ecutt'"),
    ("mpi_command = 'mpiexec -n 4'\n", "'mpi_command' must contain {ranks}"),
    ("mpi_ranks = 0\n", "'mpi_ranks' must be positive"),
])
def test_bad_settings_file_is_named(tmp_path: Path, text: str, message: str):
    path = tmp_path / "settings.toml"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message) as error:
        load_settings(path, environ={})
    assert str(error.value).startswith(f"{path}: ") and "\n" not in str(error.value)


@pytest.mark.parametrize("environ, message", [
    ({"ZNSCREEN_SLAB_VACUUM": "lots"}, "ZNSCREEN_SLAB_VACUUM: setting 'slab_vacuum' must be float"),
    ({"ZNSCREEN_SLURM_CORES": "x"}, "ZNSCREEN_SLURM_CORES: setting 'slurm.cores' must be int"),
    ({"ZNSCREEN_SLURM_QUEUE": "x"}, "ZNSCREEN_SLURM_QUEUE: unknown setting 'slurm.queue'"),
])
def test_bad_environment_value_names_the_variable(tmp_path: Path, environ, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(tmp_path / "absent.toml", environ=environ)


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
    # a variable holds a list as one line per item
    s = load_settings(path, environ={"ZNSCREEN_SLURM_DIRECTIVES": "--constraint=cpu\n--qos=low\n"})
    assert s.slurm.directives == ("--constraint=cpu", "--qos=low") and s.slurm.cores == 8


def test_a_copy_with_changes_is_validated_too():
    s = Settings()
    assert s.replace(slab_vacuum=20.0).slab_vacuum == 20.0 and s.slab_vacuum == 15.0
    with pytest.raises(SettingsError, match="'slab_vacuum' must be positive"):
        s.replace(slab_vacuum=-2.0)
