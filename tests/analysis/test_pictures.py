"""Pictures of stored structures: PNG views, the offline 3D page, `znscreen view`."""

import json
import re

import numpy as np
import pytest
from ase.build import fcc111
from matplotlib.image import imread

from screening.analysis.pictures import legend_elements, viewer_html, views_png
from screening.calculators.levels import get_level
from screening.cli import main
from screening.runners.compute import Request, compute
from screening.store.database import Store


@pytest.fixture
def slab():
    atoms = fcc111("Cu", size=(2, 2, 3), vacuum=6.0)
    atoms.pbc = True
    atoms[-1].symbol = "Zn"
    return atoms


def test_views_are_drawn_with_a_legend_of_every_element(tmp_path, slab):
    path = tmp_path / "views.png"
    views_png(slab, path, "Cu(111) with Zn", flagged=True)
    image = imread(path)
    assert image.shape[1] > image.shape[0] > 300  # two panels side by side
    assert image[..., :3].std() > 0.05  # not blank
    # Jmol colours, heaviest first
    assert legend_elements(slab) == [("Zn", "#7d80b0"), ("Cu", "#c88033")]


def test_the_3d_page_is_self_contained_and_holds_every_atom(slab):
    slab.append("H")  # an adsorbed H is drawn big enough to see (0.4 A, not 0.19)
    slab.positions[-1] = slab.positions[-2] + (0, 0, 1.6)
    page = viewer_html(slab, "Cu <111> & Zn", adsorbate=2)
    assert "http" not in page and "<script src" not in page  # opens offline
    assert "Cu &lt;111&gt; &amp; Zn" in page
    data = json.loads(re.search(r"const data = (\{.*\});", page).group(1))
    assert len(data["atoms"]) == len(slab)
    centred = np.array([a[:3] for a in data["atoms"]])
    assert np.allclose(centred.mean(axis=0), 0.0, atol=1e-2)
    radii = {a[5]: a[3] for a in data["atoms"]}
    assert [a[6] for a in data["atoms"]] == [0] * (len(slab) - 2) + [1, 1]  # outlined thickly
    assert radii["H"] == 0.4 and radii["Cu"] == pytest.approx(0.6 * 1.32, abs=1e-3)


def test_view_writes_a_stored_structure_and_refuses_bad_input(settings, slab, capsys, tmp_path):
    store = Store(settings.store_url)
    calc = compute(store, Request(slab, get_level("pair"), "cu-slab"),
                   settings.calculation_dir, "test")
    assert main(["view", calc.key[:12]]) == 0
    written = settings.results_dir / "pictures" / f"{calc.key[:12]}.png"
    assert capsys.readouterr().out.strip() == str(written) and written.stat().st_size > 1000
    page = tmp_path / "slab.html"
    assert main(["view", calc.key[:8], "--out", str(page)]) == 0
    assert "cu-slab at pair" in page.read_text()
    capsys.readouterr()
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    for argv, message in ((["0123456789ab"], "no calculation key starts with"),
                          (["xyz"], "not a calculation key"),
                          ([calc.key[:12], "--out", str(tmp_path / "a.txt")], "give a .png"),
                          ([calc.key[:12], "--out", str(blocker / "x.png")],
                           "a-file")):
        assert main(["view", *argv]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert blocker.read_text() == "not a folder" and not (tmp_path / "a.txt").exists()


def test_the_reported_site_is_the_lowest_unflagged_and_flags_mark_the_picture():
    from screening.analysis.gallery import _sites

    rows = [{"site": "top", "binding": -1.0, "flags": "", "key": "aaaaaaaaaaaa"},
            {"site": "hollow", "binding": -4.6, "flags": "sank", "key": "bbbbbbbbbbbb"},
            {"site": "bridge", "binding": -0.5, "flags": "", "key": "cccccccccccc"}]
    reported, runner_up = _sites("e_ads_zn", {"kind": "sites", "site": "top", "sites": rows},
                                 "dddddddddddd")
    # the adsorbate is what each site's structure adds to the clean slab
    assert reported.base == runner_up.base == "dddddddddddd"
    assert (reported.key, reported.flagged) == ("aaaaaaaaaaaa", False)
    # the next lowest is the sunk site: drawn, and marked
    assert (runner_up.key, runner_up.flagged) == ("bbbbbbbbbbbb", True)
    assert "sank" in runner_up.caption and "-3.600 eV from the reported" in runner_up.caption
    assert "(E(S+X) - E(S) = -1.000 eV)" in reported.caption
