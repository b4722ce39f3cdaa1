"""The error model: sigma of each fast level from its measured error against the best DFT."""

import math

import numpy as np
import pytest

from screening.analysis.accuracy import best_reference
from screening.analysis.uncertainty import error_model, top_k_fraction
from screening.errors import ScreeningError


def _rows(level, values, descriptor="e_ads_zn"):
    return [dict(level=level, candidate=c, descriptor=descriptor, value=v, unit="eV",
                 reason="", flags=[], keys=[]) for c, v in values.items()]


def test_sigma_is_the_rms_error_against_the_best_reference_with_three_systems():
    rows = (_rows("mlip", {"a": 0.0, "b": 1.0, "c": 2.0, "d": 3.0})
            + _rows("dft-check//mlip", {"a": 0.3, "b": 1.0, "c": 1.6, "d": 3.0})
            + _rows("dft//mlip", {"a": 0.1, "b": 1.2}))
    model = error_model(rows)
    # two plane-wave systems are too few: measured against dft-check, four systems
    assert model.against[("mlip", "e_ads_zn")] == ("dft-check//mlip", 4)
    assert model.get("mlip", "e_ads_zn") == pytest.approx(math.sqrt((0.09 + 0.16) / 4))
    assert model.get("dft-check//mlip", "e_ads_zn") is None  # nothing better measured
    assert model.get("mlip", "dg_h") is None
    rows += _rows("dft//mlip", {"c": 2.0})
    model = error_model(rows)
    assert model.against[("mlip", "e_ads_zn")] == ("dft//mlip", 3)
    assert model.get("mlip", "e_ads_zn") == pytest.approx(math.sqrt((0.01 + 0.04) / 3))
    assert model.against[("dft-check//mlip", "e_ads_zn")] == ("dft//mlip", 3)
    assert "mlip: e_ads_zn +-0.13 eV (vs dft//mlip, n=3)" in model.describe("mlip")
    assert "no measured error" in model.describe("pair")


def test_gas_referenced_descriptors_are_not_measured_against_dft_check():
    # dft-check's grid error does not cancel against a molecule in its own box
    rows = (_rows("mlip", {"a": 0.0, "b": 1.0, "c": 2.0}, "dg_h")
            + _rows("dft-check//mlip", {"a": 0.3, "b": 1.0, "c": 1.6}, "dg_h")
            + _rows("mlip", {"a": 0.0, "b": 1.0, "c": 2.0})
            + _rows("dft-check//mlip", {"a": 0.3, "b": 1.0, "c": 1.6}))
    model = error_model(rows)
    assert model.get("mlip", "dg_h") is None
    assert model.get("mlip", "e_ads_zn") == pytest.approx(math.sqrt((0.09 + 0.16) / 3))
    model = error_model(rows + _rows("dft//mlip", {"a": 0.1, "b": 1.0, "c": 2.0}, "dg_h"))
    assert model.against[("mlip", "dg_h")] == ("dft//mlip", 3)


def test_the_accuracy_reference_is_the_best_level_present():
    assert best_reference(_rows("mlip", {"a": 1.0}) + _rows("dft-check//mlip", {"a": 1.0})
                          ) == "dft-check//mlip"
    assert best_reference(_rows("dft-check//mlip", {"a": 1.0}) + _rows("dft//mlip", {"a": 1.0})
                          ) == "dft//mlip"
    # one plane-wave system does not displace four at dft-check; three do
    check = _rows("dft-check//mlip", {"a": 1.0, "b": 2.0, "c": 3.0, "d": 4.0})
    assert best_reference(check + _rows("dft//mlip", {"a": 1.0})) == "dft-check//mlip"
    assert best_reference(check + _rows("dft//mlip", {"a": 1.0, "b": 2.0, "c": 3.0})
                          ) == "dft//mlip"
    with pytest.raises(ScreeningError, match="no values at any reference level"):
        best_reference(_rows("mlip", {"a": 1.0}))


def test_top_k_counts_places_and_never_a_missing_score():
    scores = [[0.9, 0.5, float("nan")], [0.4, 0.5, float("nan")]]
    assert top_k_fraction(np.array(scores), 1).tolist() == [0.5, 0.5, 0.0]
    assert top_k_fraction(np.array(scores), 5).tolist() == [1.0, 1.0, 0.0]
