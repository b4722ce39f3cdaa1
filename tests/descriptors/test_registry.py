"""The descriptor registry: one entry per group, and everything it names exists."""

import pytest

from screening.analysis.ranking import load_criteria
from screening.descriptors.registry import (COLUMNS, DEFAULT_GROUPS, GROUPS, REFERENCE_NAMES,
                                            SLABS, check_groups, references_for, slabs_for)
from screening.errors import ScreeningError
from screening.settings import Settings


def test_every_group_names_a_function_references_and_a_slab_that_exist():
    for group in GROUPS.values():
        assert callable(group.function()), group.name
        assert set(group.references) <= set(REFERENCE_NAMES), group.name
        assert group.slab in SLABS, group.name
    for setting in SLABS.values():
        assert setting in Settings.model_fields
    assert "diffusion" not in DEFAULT_GROUPS and set(DEFAULT_GROUPS) < set(GROUPS)


def test_every_column_belongs_to_one_group_and_has_a_ranking_criterion():
    owners = [name for g in GROUPS.values() for name in g.columns]
    assert len(owners) == len(set(owners)) == len(COLUMNS)
    assert {c.column for c in load_criteria().criteria} == set(COLUMNS)


def test_what_a_run_needs_follows_from_its_groups():
    assert references_for(("her", "zn", "water", "desolvation")) == (
        "h2", "zn_bulk", "zn_atom", "h2o", "clusters")
    assert references_for(("epitaxy", "electronic")) == ()
    assert slabs_for(("zn", "desolvation", "her")) == ("default", "cluster")
    with pytest.raises(ScreeningError, match="unknown descriptor group 'speed'"):
        check_groups(("zn", "speed"))
    missing = GROUPS["zn"].missing("slab failed")
    assert set(missing) == {"e_ads_zn", "e_ads_zn_atom"}
    assert all(v.value is None and v.reason == "slab failed" for v in missing.values())
