"""The results files: merge, re-rank, query, and refusals."""

import json

import pandas as pd
import pytest

from screening.analysis.ranking import load_criteria
from screening.analysis.results import (CSV, DETAILS, PARQUET, RunRecord, load_table, query,
                                        save)
from screening.errors import ScreeningError
from screening.schemas import Described, Value


def _described(catalog, name, level, e_zn, dg_h):
    values = {"e_ads_zn": Value(e_zn, "eV", keys=["k1"],
                                details={"kind": "sites", "site": "top", "sites": []}),
              "dg_h": Value(dg_h, "eV", flags=["h:sank@top"]),
              "band_gap": Value.missing("eV", "not computed at level mlip")}
    return Described(catalog.get(name).summary(), level, values, n_calculations=3,
                     computed_now=1, timings={"slab": 1.0})


def test_runs_merge_by_name_and_level_and_rerank(tmp_path, bundled_catalog):
    criteria = load_criteria()
    first = RunRecord([_described(bundled_catalog, "Cu(111)", "mlip", -0.5, 0.6),
                       _described(bundled_catalog, "graphene", "mlip", 0.45, 0.4)])
    table = save(tmp_path, first, criteria)
    assert table["name"].tolist() == ["Cu(111)", "graphene"]
    second = RunRecord([_described(bundled_catalog, "graphene", "mlip", -0.5, 0.8)],
                       failures={"graphene": ["her failed: x"]})
    table = save(tmp_path, second, criteria)
    assert len(table) == 2  # replaced, not appended
    assert table.iloc[0]["name"] == "graphene"  # better now
    for name in (CSV, PARQUET, DETAILS):
        assert (tmp_path / name).exists()
    assert not list(tmp_path.glob(".*.tmp"))
    csv, parquet = pd.read_csv(tmp_path / CSV), pd.read_parquet(tmp_path / PARQUET)
    assert csv["name"].tolist() == parquet["name"].tolist() == table["name"].tolist()
    details = json.loads((tmp_path / DETAILS).read_text())
    zn = details["graphene @ mlip"]
    assert zn["values"]["e_ads_zn"]["value"] == -0.5
    assert zn["values"]["band_gap"]["reason"] == "not computed at level mlip"
    assert zn["failures"] == ["her failed: x"]
    assert "Cu(111) @ mlip" in details


def test_query_filters_sorts_and_cuts(tmp_path, bundled_catalog):
    save(tmp_path, RunRecord([_described(bundled_catalog, n, "mlip", e, h) for n, e, h in
                              (("Cu(111)", -0.5, 0.6), ("Zn(0001)", 0.45, 0.4),
                               ("graphene", 0.7, 0.5))]), load_criteria())
    table = load_table(tmp_path)
    # rank order: the ranked coatings, then the bare-Zn baseline
    assert query(table, where="e_ads_zn > 0")["name"].tolist() == ["graphene", "Zn(0001)"]
    assert query(table, where="not baseline")["name"].tolist() == ["Cu(111)", "graphene"]
    assert query(table, sort="-dg_h", top=1)["name"].tolist() == ["Cu(111)"]
    assert query(table, sort="e_ads_zn")["name"].tolist()[0] == "Cu(111)"
    assert len(query(table, level="mlip")) == 3


@pytest.mark.parametrize("kwargs, message", [
    ({"where": "e_ads_zn <"}, "invalid --where"),
    ({"where": "nonsense_column > 1"}, "invalid --where"),
    ({"where": "e_ads_zn + 1"}, "not a true/false condition"),
    ({"sort": "speed"}, "unknown --sort column 'speed'"),
    ({"top": 0}, "--top must be at least 1"),
    ({"level": "dft"}, "no results at level 'dft'"),
])
def test_bad_queries_are_refused_in_one_line(tmp_path, bundled_catalog, kwargs, message):
    save(tmp_path, RunRecord([_described(bundled_catalog, "Cu(111)", "mlip", -0.5, 0.6)]),
         load_criteria())
    with pytest.raises(ScreeningError, match=message) as error:
        query(load_table(tmp_path), **kwargs)
    assert "\n" not in str(error.value)


def test_an_empty_results_directory_says_to_run_first(tmp_path):
    with pytest.raises(ScreeningError, match="no results in .*: run 'znscreen run' first"):
        load_table(tmp_path)
