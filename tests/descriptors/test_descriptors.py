"""Descriptor groups run for real on the pair test engine: rows, reruns, failures, NEB.

The pair potential's numbers are not physics; what is checked is how the
descriptors are assembled from the calculations (sums, references, flags,
missing values) and what the store does on a rerun.
"""

import json

import pytest

from screening.cli import main
from screening.descriptors.compute import describe, group_result, slab_result
from screening.descriptors.registry import COLUMNS, DEFAULT_GROUPS
from screening.descriptors.table import table_row
from screening.errors import ScreeningError
from screening.library.catalog import Catalog
from screening.recipes import references
from screening.recipes.context import open_context
from screening.settings import load_settings


@pytest.fixture
def pair(small_slabs):
    return open_context(small_slabs, "pair")


def test_a_full_row_adds_up_and_a_rerun_computes_nothing(pair, capsys):
    candidate = Catalog(pair.settings).get("Pb(111)")
    described = describe(pair, candidate)
    row = table_row(described)
    assert row["name"] == "Pb(111)" and row["level"] == "pair"
    for column in ("e_ads_zn", "e_ads_zn_atom", "desolvation_total", "desolvation_max_step",
                   "desolvation_vs_free", "dg_h", "e_ads_h2o", "mismatch_zn0001"):
        assert isinstance(row[column], float), (column, row["missing"])
    # no electrons at this level: missing, and saying why, never invented
    assert row["band_gap"] is None and row["work_function"] is None
    assert "band_gap: not computed at level pair: pair has no electrons" in row["missing"]
    # the two Zn references differ by the level's own cohesive energy
    cohesive = references.zn_atom(pair).energy - references.zn_bulk(pair).energy_per_atom
    assert row["e_ads_zn"] - row["e_ads_zn_atom"] == pytest.approx(cohesive, abs=2e-4)

    profile = described.values["desolvation_total"].details
    assert profile["kind"] == "profile" and profile["charge"] == 0
    assert sorted(profile["surface"]) == sorted(profile["free"]) == [1, 2, 3, 4, 5, 6]
    assert row["desolvation_total"] == pytest.approx(sum(profile["surface"].values()), abs=1e-3)
    assert row["desolvation_max_step"] == pytest.approx(max(profile["surface"].values()),
                                                        abs=1e-4)
    assert row["desolvation_vs_free"] == pytest.approx(
        row["desolvation_total"] - sum(profile["free"].values()), abs=1e-3)
    sites = described.values["e_ads_zn"].details
    assert sites["kind"] == "sites" and sites["site"] in {s["site"] for s in sites["sites"]}
    # the timings name the two slab models and every group
    assert set(described.timings) == {"slab", "slab-cluster", *DEFAULT_GROUPS}

    again = describe(pair, candidate)
    assert again.computed_now == 0 and again.n_calculations == described.n_calculations
    assert table_row(again) == row

    # the CLI fetches the same row from the store
    assert main(["descriptors", "Pb(111)", "--level", "pair", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [row]


def test_groups_get_the_slab_the_slab_task_relaxed(pair):
    candidate = Catalog(pair.settings).get("Zn(0001)")
    slab = slab_result(pair, candidate)
    ref = slab.slab
    assert not slab.failure, slab.failure
    assert ref.candidate == "Zn(0001)" and ref.supercell == (3, 3) and slab.used[ref.key]
    # Zn(0001)'s 1x1 cell is the hexagonal one of the experimental lattice
    assert ref.surface_cell[0][0] == pytest.approx(2.665)
    epitaxy = group_result(pair, ref, "epitaxy")
    assert epitaxy.values["mismatch_zn0001"].value == pytest.approx(0.0, abs=1e-9)
    zn = group_result(pair, ref, "zn")
    # the group used the stored slab (not computed again) and computed its sites
    assert zn.used[ref.key] is False and sum(zn.used.values()) >= 4
    assert ref.key in zn.values["e_ads_zn"].keys


def test_a_failing_slab_leaves_its_groups_missing_and_the_rest_computed(pair):
    # a real failure: the cluster needs a 12 A slab, which has more atoms
    # than this run allows, while the regular 3x3 slab (36 atoms) fits
    ctx = open_context(pair.settings.replace(max_slab_atoms=40, cluster_min_lateral=12.0),
                       "pair")
    row = table_row(describe(ctx, Catalog(ctx.settings).get("Pb(111)"),
                             groups=("epitaxy", "desolvation")))
    assert row["mismatch_zn0001"] is not None
    assert row["desolvation_total"] is None and row["desolvation_vs_free"] is None
    assert "desolvation_total: clean slab failed: a 4x4 supercell" in row["missing"]
    assert "more than the limit of 40" in row["missing"]
    assert "e_ads_zn: not requested" in row["missing"]


def test_unknown_descriptor_group_is_refused(pair):
    with pytest.raises(ScreeningError, match="unknown descriptor group 'nonsense'"):
        describe(pair, Catalog(pair.settings).get("Pb(111)"), groups=("nonsense",))


def test_descriptor_cli_refuses_bad_input_in_one_line(settings, capsys):
    for argv, message in ((["descriptors", "NoSuchThing", "--level", "pair"],
                           "unknown candidate 'NoSuchThing'"),
                          (["descriptors", "Pb(111)", "--level", "nolevel"],
                           "unknown level 'nolevel'"),
                          (["descriptors", "--level", "pair"], "give candidate NAMEs")):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1


def test_the_zn_hop_barrier_comes_from_a_stored_neb(pair):
    candidate = Catalog(pair.settings).get("Zn(0001)")
    described = describe(pair, candidate, groups=("diffusion",))
    value = described.values["diffusion_barrier"]
    hop = value.details
    assert hop["kind"] == "hop" and hop["start"] != hop["end"]
    assert len(hop["images"]) == 7 and hop["images"][0] == 0.0
    # one hop between neighbouring sites of a close-packed face: under 2 A
    assert 0.5 < hop["hop_A"] < 2.0
    assert value.value == pytest.approx(max(hop["images"]), abs=1e-4) and value.value >= 0
    assert pair.store.record(value.keys[-1]).task == "neb"
    assert describe(pair, candidate, groups=("diffusion",)).computed_now == 0


def test_single_points_on_the_chosen_site_or_on_every_site(small_slabs, tmp_path, monkeypatch):
    """deep//pair: every pair energy doubled on the pair geometries, so every
    adsorption energy doubles and the same site stays the lowest."""
    settings_file = tmp_path / "deep.toml"
    settings_file.write_text('[levels.deep]\nbase = "pair"\npair_depth = 2.0\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(settings_file))
    settings = load_settings()
    candidate = Catalog(settings).get("Pb(111)")
    screen = describe(open_context(settings, "pair"), candidate, ("zn",)).values["e_ads_zn"]
    assert len(screen.details["sites"]) > 1  # Pb(111): top, bridge, fcc, hcp
    for verify_sites, n_sites in (("chosen", 1), ("all", len(screen.details["sites"]))):
        ctx = open_context(settings.replace(verify_sites=verify_sites), "deep", "pair")
        value = describe(ctx, candidate, ("zn",)).values["e_ads_zn"]
        assert value.value == pytest.approx(2 * screen.value, abs=2e-4)
        assert value.details["site"] == screen.details["site"]
        assert len(value.details["sites"]) == n_sites


def test_only_clusters_that_model_the_ion_rank_their_desolvation():
    from screening.calculators.levels import get_level
    from screening.descriptors.desolvation import not_the_ion

    # a neutral cluster at DFT is refused a value; the ion in water and the
    # spring-held fast levels (which cannot hold a charge) stand in for the ion
    assert "dft-check" in not_the_ion(get_level("dft-check"))
    assert "cluster_charge = 2" in not_the_ion(get_level("dft-fast"))
    assert not_the_ion(get_level("dft-check-ion")) == ""
    assert not_the_ion(get_level("mlip")) == not_the_ion(get_level("pair")) == ""
