"""The package as a user installs it: a wheel in a fresh environment, run from elsewhere."""

import json
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_in_pyproject():
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    folders = {setuptools["package-dir"].get(name, name.replace(".", "/"))
               for name in setuptools["packages"]}
    on_disk = {str(p.parent.relative_to(REPO)) for top in ("screening", "flows", "structures")
               for p in (REPO / top).rglob("__init__.py")}
    assert folders == on_disk


def test_a_wheel_installed_in_a_fresh_environment_works_from_an_unrelated_folder(tmp_path):
    # the wheel, built as a user's pip would build it from a copy of the checkout
    # (the build leaves build/ and *.egg-info folders in the tree it builds)
    source = tmp_path / "source"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "results", "build", "*.egg-info", "__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "-w", str(dist), str(source)], check=True, capture_output=True)
    (wheel,) = dist.glob("zn_screening-*.whl")
    # a fresh environment; its dependencies come from this one (no downloads)
    env_dir = tmp_path / "env"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                           "['purelib'])"], check=True, capture_output=True, text=True)
    Path(site.stdout.strip(), "dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--quiet", str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "ZNSCREEN_SETTINGS": str(tmp_path / "none.toml")}

    def znscreen(*argv: str) -> str:
        done = subprocess.run([str(env_dir / "bin" / "znscreen"), *argv], cwd=elsewhere,
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    listed = znscreen("candidates", "--format", "json")
    assert '"Zn(0001)"' in listed and '"graphene"' in listed
    # one candidate of each kind of bundled file: a bulk cut, a sheet, a ready slab
    for name in ("Zn(0001)", "graphene", "a-TiO2"):
        znscreen("slab", name, "--out", "out.extxyz")
        assert (elsewhere / "out.extxyz").stat().st_size > 1000, name
    # the library it used is the installed one, not this checkout
    where = znscreen("settings", "--format", "json")
    structures = next(r["value"] for r in json.loads(where) if r["setting"] == "structures_dir")
    assert structures.startswith(site.stdout.strip()) and str(REPO) not in structures
