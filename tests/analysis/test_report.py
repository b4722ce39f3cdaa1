"""Report plots: readable scatter labels, flagged desolvation steps, the verification plot."""

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from screening.analysis.report import _mark_flagged, _place_labels, verification_plot
from screening.descriptors.desolvation import flagged_states
from screening.errors import ScreeningError


def _label_boxes(ax):
    renderer = ax.figure.canvas.get_renderer()
    return [t.get_window_extent(renderer) for t in ax.texts]


def test_labels_of_crowded_points_do_not_overlap():
    fig, ax = plt.subplots(figsize=(5, 4))
    # five points within a label's height of each other
    points = [(f"Candidate-{i}(111)", 0.5 + 0.002 * i, 0.40 + 0.004 * i) for i in range(5)]
    ax.scatter([p[1] for p in points], [p[2] for p in points])
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    _place_labels(ax, points)
    boxes = _label_boxes(ax)
    assert len(boxes) == 5
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two labels overlap"
    plt.close(fig)


def _row(name, level, e_zn, dg_h):
    return {"name": name, "level": level, "family": "metal", "e_ads_zn": e_zn, "dg_h": dg_h}


def test_verification_plot_shows_both_levels_of_verified_candidates(tmp_path):
    table = pd.DataFrame([_row("Cu(111)", "mlip", -0.03, -0.22), _row("In(101)", "mlip", 0.36, 0.78),
                          _row("Cu(111)", "dft-check", -0.41, float("nan"))])
    path = tmp_path / "verification.png"
    verification_plot(table, "mlip", path)
    assert path.stat().st_size > 10_000


def test_verification_plot_needs_a_verified_candidate(tmp_path):
    table = pd.DataFrame([_row("Cu(111)", "mlip", -0.03, -0.22)])
    with pytest.raises(ScreeningError, match="no candidate was verified"):
        verification_plot(table, "mlip", tmp_path / "v.png")


def test_a_flagged_state_opens_the_two_steps_that_touch_it():
    flags = ["desolvation:dissociated@n=5", "free-cluster:fragmented@n=2", "h:sank@top:O"]
    assert flagged_states(flags) == {5: ["desolvation:dissociated@n=5"]}
    assert flagged_states(flags, free=True) == {2: ["free-cluster:fragmented@n=2"]}
    fig, ax = plt.subplots()
    ns, energies = [6, 5, 4, 3, 2, 1], [-1.6, 0.6, 0.6, 0.7, 1.2, 1.6]
    # state 5 enters dE_6 (6 -> 5) and dE_5 (5 -> 4): those two are drawn open
    assert _mark_flagged(ax, ns, energies, flagged_states(flags), "red")
    (line,) = ax.lines
    assert list(line.get_xdata()) == [6, 5] and list(line.get_ydata()) == [-1.6, 0.6]
    assert line.get_markerfacecolor() == "white"
    # no flagged state: nothing drawn
    assert not _mark_flagged(ax, ns, energies, {}, "red") and len(ax.lines) == 1
    plt.close(fig)
