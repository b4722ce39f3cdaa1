"""Score, coverage, ranks and Pareto front from the criteria file."""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from screening.analysis.ranking import Criterion, load_criteria, pareto_front, rank
from screening.errors import ScreeningError


def _rows(**columns):
    return [dict(name=n, family="metal", level="mlip", flags="", missing="", n_calculations=1,
                 **{c: v[i] for c, v in columns.items()}) for i, n in enumerate(columns.pop("name"))]


@pytest.fixture
def two(tmp_path: Path):
    path = tmp_path / "criteria.toml"
    path.write_text("[criteria.e_ads_zn]\nweight = 3\npoints = [[-1.0, 1.0], [1.0, 0.0]]\n"
                    "[criteria.dg_h]\nweight = 1\npoints = [[0.0, 0.0], [1.0, 1.0]]\n")
    return load_criteria(path)


def test_desirability_is_piecewise_linear_and_held_beyond_the_ends():
    c = Criterion("dg_h", 1.0, ((0.0, 0.0), (0.5, 1.0), (1.0, 0.5)))
    d = c.desirability(pd.Series([-3.0, 0.25, 0.5, 0.75, 9.0, None]))
    assert d.iloc[:5].tolist() == [0.0, 0.5, 1.0, 0.75, 0.5]
    assert math.isnan(d.iloc[5])


def test_score_is_the_weighted_mean_over_present_criteria(two):
    table = rank(_rows(name=["a", "b", "c"], e_ads_zn=[-1.0, 0.0, 0.0],
                       dg_h=[1.0, 0.0, None]), two)
    by = table.set_index("name")
    assert by.loc["a", "score"] == 1.0 and by.loc["a", "coverage"] == 1.0
    assert by.loc["b", "score"] == pytest.approx((3 * 0.5 + 1 * 0.0) / 4)
    # c lacks dg_h: its score is over e_ads_zn alone and its coverage says so
    assert by.loc["c", "score"] == 0.5 and by.loc["c", "coverage"] == 0.75
    assert table["name"].tolist() == ["a", "c", "b"]
    assert table["rank"].tolist() == [1, 2, 3]
    assert table.columns[:7].tolist() == ["rank", "name", "family", "level", "score",
                                          "coverage", "pareto"]


def test_ranks_and_pareto_front_are_taken_within_each_level(two):
    rows = _rows(name=["a", "b"], e_ads_zn=[-1.0, 0.0], dg_h=[1.0, 0.0])
    rows += [dict(rows[1], level="dft-fast//mlip")]
    table = rank(rows, two)
    assert table.set_index(["name", "level"])["rank"].to_dict() == {
        ("b", "dft-fast//mlip"): 1, ("a", "mlip"): 1, ("b", "mlip"): 2}
    assert table.set_index(["name", "level"])["pareto"].to_dict() == {
        ("b", "dft-fast//mlip"): True, ("a", "mlip"): True, ("b", "mlip"): False}


def test_pareto_front_keeps_trade_offs_and_drops_dominated_rows():
    d = pd.DataFrame({"x": [1.0, 0.0, 0.5, 0.4, np.nan], "y": [0.0, 1.0, 0.5, 0.4, np.nan]})
    assert pareto_front(d).tolist() == [True, True, True, False, False]


def test_shipped_criteria_load_and_weigh_the_main_descriptors():
    criteria = load_criteria()
    weights = {c.column: c.weight for c in criteria.criteria}
    assert weights["e_ads_zn"] > 0 and weights["dg_h"] > 0 and weights["desolvation_vs_free"] > 0
    assert weights["band_gap"] == 0  # school-dependent: off by default


@pytest.mark.parametrize("text, message", [
    ("[criteria.e_ads_zn\nweight = 1", "not valid TOML"),
    ("[criteria.e_ads_zinc]\nweight = 1\npoints = [[0, 0], [1, 1]]", "unknown descriptor"),
    ("[criteria.dg_h]\nweight = -1\npoints = [[0, 0], [1, 1]]", "weight must be"),
    ("[criteria.dg_h]\nweight = 1\npoints = [[1, 0], [0, 1]]", "must increase"),
    ("[criteria.dg_h]\nweight = 1\npoints = [[0, 0], [1, 2]]", r"lie in \[0, 1\]"),
    ("[criteria.dg_h]\nweight = 1\npoints = [0, 1]", "pairs"),
    ("[criteria.dg_h]\nweight = 0\npoints = [[0, 0], [1, 1]]", "nothing to rank"),
    ("[weights]\ndg_h = 1", "expected only"),
])
def test_bad_criteria_files_are_refused_in_one_line(tmp_path, text, message):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ScreeningError, match=message) as error:
        load_criteria(path)
    assert str(path) in str(error.value) and "\n" not in str(error.value)


def test_a_missing_criteria_file_is_named():
    with pytest.raises(ScreeningError, match="nope.toml: ranking criteria file not found"):
        load_criteria(Path("nope.toml"))
