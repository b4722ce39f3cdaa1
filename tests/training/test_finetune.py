"""``znscreen finetune``: a real CHGNet fine-tuned on real (tiny) GPAW rows, registered as a
level usable everywhere, and every bad request refused with nothing registered."""

import json
from pathlib import Path

import numpy as np
import pytest
from ase import Atoms

from screening.calculators.factory import file_sha256
from screening.calculators.levels import get_level
from screening.cli import main
from screening.runners.compute import Request, compute
from screening.settings import get_settings, load_settings
from screening.store.database import Store
from screening.training.registry import REGISTRY, provenance

pytest.importorskip("gpaw")
pytest.importorskip("chgnet")
pytestmark = pytest.mark.dft

#: A DFT level cheap enough for a test: minimal basis, coarse grid (molecules: Gamma only).
CHEAP = {"cheap": {"base": "dft-check", "grid_spacing": 0.3, "d3": False}}


def _zn(distance: float, third: bool = False) -> Atoms:
    """A Zn2 dimer (slightly bent off the axis), or a Zn3 triangle, in a box."""
    positions = [[0.0, 0.0, 0.0], [distance, 0.1, 0.2]]
    if third:
        positions.append([distance / 2, 0.87 * distance, 0.0])
    atoms = Atoms(f"Zn{len(positions)}", positions=positions)
    atoms.center(vacuum=3.5)
    return atoms


@pytest.fixture(scope="module")
def dft_rows(tmp_path_factory):
    """A store with six GPAW single points of small Zn clusters (6 s each), labelled as
    two surfaces and the references, so that one can be held out."""
    path = tmp_path_factory.mktemp("rows") / "dft.db"
    store, level = Store(path), get_level("cheap", CHEAP)
    for label, atoms in (("ref/zn2", _zn(2.9)), ("ref/zn2-short", _zn(2.6)),
                         ("Zn(0001)/a", _zn(2.7, True)), ("Zn(0001)/b", _zn(3.1)),
                         ("Zn(10-10)/a", _zn(2.8, True)), ("Zn(10-10)/b", _zn(3.3))):
        compute(store, Request(atoms, level, label), tmp_path_factory.mktemp("w"), "rows")
    return path


@pytest.fixture
def cheap_settings(settings, tmp_path, monkeypatch):
    file = tmp_path / "settings.toml"
    file.write_text('[levels.cheap]\nbase = "dft-check"\ngrid_spacing = 0.3\nd3 = false\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(file))
    get_settings.cache_clear()
    return load_settings()


def _finetune(rows, *extra):
    return main(["finetune", "--level", "zn-ft", "--from", "cheap", "--database", str(rows),
                 "--epochs", "3", *extra])


def test_a_finetuned_level_learns_is_registered_and_computes(dft_rows, cheap_settings, capsys):
    assert _finetune(dft_rows, "--holdout", "Zn(10-10)") == 0
    out = capsys.readouterr().out
    assert "level zn-ft registered" in out and "held out (Zn(10-10), 2 structures)" in out
    trained = provenance(cheap_settings.finetune_dir, "zn-ft")
    losses = trained["losses"]
    assert trained["n_train"] == 4 and trained["n_holdout"] == 2
    assert not set(trained["train_keys"]) & set(trained["holdout_keys"])
    assert trained["train_surfaces"] == ["Zn(0001)"]
    assert losses["loss"][-1] < losses["loss"][0]  # it learns
    # the reference shift puts CHGNet's energies on GPAW's zero: a held-out Zn cluster
    # is now within 0.1 eV/atom
    assert losses["holdout_after"][0] < 0.1 < losses["holdout_before"][0]
    # registered: a level like any other, with the model's hash in every key
    get_settings.cache_clear()
    level = get_level("zn-ft", load_settings().levels)
    assert level.engine == "chgnet" and level.model.endswith("zn-ft.pth.tar")
    assert level.as_dict()["model_sha256"] == file_sha256(Path(level.model))
    store = Store(cheap_settings.store_url)
    tuned = compute(store, Request(_zn(2.9), level, "zn2"), cheap_settings.calculation_dir, "t")
    stock = compute(store, Request(_zn(2.9), get_level("mlip"), "zn2"),
                    cheap_settings.calculation_dir, "t")
    assert tuned.key != stock.key
    dft = next(Store(dft_rows).rows(label="ref/zn2"))
    assert abs(tuned.energy - dft.energy) < abs(stock.energy - dft.energy)
    assert abs(tuned.energy - dft.energy) / 2 < 0.1
    # the name is now taken
    assert _finetune(dft_rows) == 2
    assert "level name 'zn-ft' is already taken" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["--level", "mlip"], "level name 'mlip' is already taken"),
    (["--level", "a//b"], "level name 'a//b': use letters"),
    (["--from", "mlip"], "--from mlip: the rows to learn must be DFT"),
    (["--holdout", "Nowhere(111)"], "--holdout 'Nowhere(111)' names no candidate"),
    (["--holdout", "Cu(111)"], "--holdout 'Cu(111)' names no surface with training data"),
    (["--from", "dft"], "no finished calculations at level 'dft'"),
    (["--epochs", "0"], "--epochs must be positive"),
])
def test_bad_requests_fail_in_one_line_and_register_nothing(dft_rows, cheap_settings, capsys,
                                                            args, message):
    options = {"--level": "zn-ft", "--from": "cheap", "--database": str(dft_rows),
               "--epochs": "1", **dict(zip(args[::2], args[1::2]))}
    assert main(["finetune", *[x for pair in options.items() for x in pair]]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (cheap_settings.finetune_dir / REGISTRY).exists()
    assert not list(cheap_settings.finetune_dir.glob("*.pth.tar"))


def test_a_missing_or_corrupt_model_file_is_refused_before_any_work(dft_rows, cheap_settings,
                                                                   capsys):
    assert _finetune(dft_rows) == 0
    model = cheap_settings.finetune_dir / "zn-ft.pth.tar"
    registry = (cheap_settings.finetune_dir / REGISTRY).read_text()
    model.write_bytes(model.read_bytes()[:1000])  # cut short
    get_settings.cache_clear()
    for argv in (["run", "Cu(111)", "--level", "zn-ft", "--descriptors", "epitaxy"],
                 ["finetune", "--level", "zn-ft2", "--base", "zn-ft", "--from", "cheap",
                  "--database", str(dft_rows)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert "zn-ft.pth.tar: the fine-tuned model file has changed or is corrupt" in err
    model.unlink()
    assert main(["run", "Cu(111)", "--level", "zn-ft", "--descriptors", "epitaxy"]) == 2
    assert "zn-ft.pth.tar: the fine-tuned model file is missing" in capsys.readouterr().err
    # nothing was registered by the refused request, nothing computed by the refused run
    assert (cheap_settings.finetune_dir / REGISTRY).read_text() == registry
    assert not Store(cheap_settings.store_url).count()
    assert json.loads(registry)["zn-ft"]["level"]["model_sha256"]
    assert np.isfinite(json.loads(registry)["zn-ft"]["provenance"]["losses"]["loss"][-1])
