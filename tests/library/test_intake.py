"""User intake through the CLI: every accepted format, every bad input.

Bad input must give one line naming the file or value, exit status 2, and
leave the user catalog and copied structures byte-for-byte unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ase import Atoms
from ase.build import bulk, fcc111, graphene as ase_graphene
from ase.constraints import FixAtoms
from ase.io import write

from screening.cli import main
from screening.library.catalog import Catalog


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()} \
        if root.exists() else {}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def cu_bulk():
    return bulk("Cu", "fcc", a=3.615, cubic=True)


@pytest.mark.parametrize("filename, fmt", [
    ("cu.cif", "cif"), ("POSCAR", "vasp"), ("CONTCAR", "vasp"), ("cu.vasp", "vasp"),
    ("cu.extxyz", "extxyz"), ("cu.traj", "traj"),
])
def test_bulk_in_every_format_is_registered_and_usable(tmp_path, settings, capsys, cu_bulk,
                                                       filename, fmt):
    path = tmp_path / filename
    write(path, cu_bulk, format=fmt)
    code, out, err = run(capsys, "add", str(path), "--name", "my-Cu", "--miller", "1", "1", "1",
                         "--family", "metal")
    assert code == 0, err
    cand = Catalog(settings).get("my-Cu")
    assert cand.origin == "user" and cand.formula == "Cu" and cand.miller == (1, 1, 1)
    assert cand.structure.path.is_file() and cand.structure.path.parent == settings.user_structures_dir
    code, out, err = run(capsys, "candidates", "--format", "json")
    assert code == 0
    assert any(r["name"] == "my-Cu" and r["source"] == "user" for r in __import__("json").loads(out))
    out_file = tmp_path / "slab.extxyz"
    code, out, err = run(capsys, "slab", "my-Cu", "--out", str(out_file))
    assert code == 0, err
    from ase.io import read
    slab = read(out_file)
    assert len(slab) == 64 and slab.constraints  # Cu(111) 4x4x4, bottom half fixed


def test_ready_slab_keeps_its_constraints_and_sheet_fixes_nothing(tmp_path, settings, capsys):
    slab = fcc111("Au", size=(4, 4, 4), vacuum=6.0)
    slab.set_constraint(FixAtoms(indices=[a.index for a in slab if a.tag == 4]))
    path = tmp_path / "au_slab.extxyz"
    write(path, slab)
    assert run(capsys, "add", str(path), "--name", "Au-slab", "--slab")[0] == 0
    sheet = ase_graphene(vacuum=5.0)
    sheet_path = tmp_path / "g.traj"
    write(sheet_path, sheet)
    assert run(capsys, "add", str(sheet_path), "--name", "my-graphene", "--sheet",
               "--family", "carbon")[0] == 0
    catalog = Catalog(settings)
    from screening.library.surfaces import build_slab_models, slab_spec
    au = build_slab_models(catalog.get("Au-slab"), slab_spec(settings))[0]
    assert au.n_fixed == 16 and au.vacuum >= 15.0 - 1e-6
    gr = build_slab_models(catalog.get("my-graphene"), slab_spec(settings))[0]
    assert gr.n_fixed == 0


def _poscar_with_missing_line(path: Path, cu_bulk) -> None:
    write(path, cu_bulk, format="vasp")
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n")


def _poscar_with_extra_line(path: Path, cu_bulk) -> None:
    write(path, cu_bulk, format="vasp")
    path.write_text(path.read_text() + "  0.25 0.25 0.25\n")


BAD = {
    "empty": ("empty.cif", lambda p, b: p.write_text(""), ["--miller", "1", "1", "1"],
              "file is empty"),
    "unknown format": ("cu.pdbx", lambda p, b: p.write_text("HETATM"), ["--miller", "1", "1", "1"],
                       "unknown structure format"),
    "corrupted cif": ("bad.cif", lambda p, b: p.write_text("data_x\n_cell_length_a 3.6(\nloop_\n_atom_site_label\n"),
                      ["--miller", "1", "1", "1"], "cannot read as cif"),
    "poscar short": ("POSCAR", _poscar_with_missing_line, ["--miller", "1", "1", "1"],
                     "counts 4 atoms"),
    "poscar long": ("POSCAR", _poscar_with_extra_line, ["--miller", "1", "1", "1"],
                    "lists 5 coordinate lines"),
    "molecule as bulk": ("water.xyz", lambda p, b: write(p, Atoms("H2O", positions=[[0, 0, 0], [0.96, 0, 0], [-0.24, 0.93, 0]])),
                         ["--miller", "1", "1", "1"], "no 3D periodic cell"),
    "overlap": ("overlap.cif", lambda p, b: write(p, b + Atoms("Cu", positions=[[0.3, 0, 0]], cell=b.cell)),
                ["--miller", "1", "1", "1"], "overlapping atoms"),
    "no paw": ("u.cif", lambda p, b: write(p, bulk("U", "bcc", a=3.47)), ["--miller", "1", "1", "0"],
               "no PBE PAW dataset for element(s) U"),
    "miller zero": ("cu.cif", lambda p, b: write(p, b), ["--miller", "0", "0", "0"],
                    "not a plane"),
    "miller absurd": ("cu.cif", lambda p, b: write(p, b), ["--miller", "17", "23", "9"],
                      "too high"),
    "bulk as slab": ("cu.cif", lambda p, b: write(p, b), ["--slab"], "no vacuum gap"),
    "bulk without miller": ("cu.cif", lambda p, b: write(p, b), [], "needs --miller"),
    "missing file": ("absent.cif", lambda p, b: None, ["--miller", "1", "1", "1"], "no such file"),
    "termination absent": ("cu.cif", lambda p, b: write(p, b),
                           ["--miller", "1", "1", "1", "--termination", "#5"], "give #1..#1"),
    "termination of a slab": ("cu.cif", lambda p, b: write(p, b),
                              ["--slab", "--termination", "#2"], "applies to a bulk cut"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_is_one_line_and_changes_nothing(tmp_path, settings, capsys, cu_bulk, case):
    filename, make, extra, message = BAD[case]
    good = tmp_path / "good.cif"
    write(good, cu_bulk)
    assert run(capsys, "add", str(good), "--name", "existing", "--miller", "1", "0", "0")[0] == 0
    before = snapshot(settings.user_data_dir)
    path = tmp_path / filename
    make(path, cu_bulk)
    code, out, err = run(capsys, "add", str(path), "--name", "new-one", *extra)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("znscreen: error: ")
    assert message in err
    assert filename in err or "Miller" in err
    assert "Traceback" not in err
    assert snapshot(settings.user_data_dir) == before


def test_duplicate_name_needs_force(tmp_path, settings, capsys, cu_bulk):
    path = tmp_path / "cu.cif"
    write(path, cu_bulk)
    assert run(capsys, "add", str(path), "--name", "dup", "--miller", "1", "1", "1")[0] == 0
    before = snapshot(settings.user_data_dir)
    code, _, err = run(capsys, "add", str(path), "--name", "dup", "--miller", "1", "0", "0")
    assert code == 2 and "already exists" in err and "--force" in err
    assert snapshot(settings.user_data_dir) == before
    code, _, err = run(capsys, "add", str(path), "--name", "dup", "--miller", "1", "0", "0", "--force")
    assert code == 0
    assert Catalog(settings).get("dup").miller == (1, 0, 0)
    code, _, err = run(capsys, "add", str(path), "--name", "Zn(0001)", "--miller", "1", "0", "0", "--force")
    assert code == 2 and "bundled" in err


def test_slab_too_large_is_refused(settings, capsys):
    code, out, err = run(capsys, "slab", "Zn(0001)", "--min-lateral", "500")
    assert code == 2 and "max_slab_atoms" in err and err.count("\n") == 1


def test_remove_user_candidate(tmp_path, settings, capsys, cu_bulk):
    path = tmp_path / "cu.cif"
    write(path, cu_bulk)
    assert run(capsys, "add", str(path), "--name", "gone", "--miller", "1", "1", "1")[0] == 0
    copied = Catalog(settings).get("gone").structure.path
    assert run(capsys, "remove", "gone")[0] == 0
    assert "gone" not in Catalog(settings) and not copied.exists()
    assert run(capsys, "remove", "gone")[0] == 2


def test_slab_files_are_readable_by_ase_whatever_the_name(tmp_path, settings, capsys):
    """'@' in a file name makes ase.io.read slice; written names must avoid it."""
    from ase.io import read

    code, out, err = run(capsys, "slab", "Cu@Zn(0001)", "Zn(0001)", "--out-dir", str(tmp_path))
    assert code == 0, err
    files = sorted(tmp_path.glob("*.extxyz"))
    assert len(files) == 2 and not any("@" in f.name for f in files)
    for f in files:
        assert len(read(f)) == 64


def test_slab_output_that_cannot_be_written_is_one_line_and_leaves_nothing(tmp_path, settings,
                                                                          capsys):
    code, _, err = run(capsys, "slab", "Zn(0001)", "--out", str(tmp_path))
    assert code == 2 and "is a folder" in err and err.count("\n") == 1
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    code, _, err = run(capsys, "slab", "Zn(0001)", "--out", str(blocked / "zn.extxyz"))
    assert code == 2 and str(blocked) in err and err.count("\n") == 1
    assert blocked.read_text() == "not a folder" and sorted(tmp_path.iterdir()) == [blocked]


def test_another_termination_is_its_own_candidate(settings, capsys):
    """anatase (101) cut to its second termination (TiO on top, `znscreen terminations`
    #2) is registered beside the bundled O2-terminated one and keeps its rule."""
    from screening.library.surfaces import build_slab_models, slab_spec

    anatase = Path(__file__).resolve().parents[2] / "structures/bulk/TiO2_anatase.cif"
    code, out, _ = run(capsys, "add", str(anatase), "--name", "anatase-TiO", "--miller", "1",
                       "0", "1", "--termination", "#2", "--family", "oxide")
    assert code == 0, out
    catalog = Catalog(settings)
    mine, bundled = catalog.get("anatase-TiO"), catalog.get("anatase-TiO2(101)")
    assert mine.termination == "#2"
    assert [build_slab_models(c, slab_spec(settings, c))[0].termination
            for c in (mine, bundled)] == ["TiO", "O2"]
