"""The real screening flow (Prefect, worker processes, the store) on the pair test engine.

The pair potential makes every calculation take milliseconds, so what is
tested here is the flow itself: scheduling, resume after a kill, no process
left behind, isolation of a failing candidate, retries, verification at a
second level, ranking and the commands that read the results. One test
makes a slab fail for real with GPAW.
"""

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from screening.cli import main
from screening.settings import get_settings
from screening.store.database import Store
from tests.conftest import prefect_servers

CANDIDATES = ["Pb(111)", "In(101)", "Bi(0001)"]
ZNSCREEN = Path(sys.executable).with_name("znscreen")


@pytest.fixture
def flow(small_slabs, prefect_server):
    """Small slabs, the session's Prefect server, and the pair level by default."""
    return small_slabs


def _summary(out: str) -> tuple[int, int]:
    line = next(l for l in out.splitlines() if " calculations, " in l and " new, in " in l)
    total, rest = line.split(" calculations, ")
    return int(total), int(rest.split(" new")[0])


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _own_server_environment() -> dict[str, str]:
    """This environment without the session's server: a run starts its own."""
    return {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}


def test_a_killed_flow_takes_its_workers_and_server_and_a_rerun_resumes(flow, capsys):
    # a run whose flow process is killed mid-way (kill -9) ...
    names = [*CANDIDATES, "Sn(100)"]
    proc = subprocess.Popen([str(ZNSCREEN), "run", *names, "--level", "pair", "--workers", "2"],
                            env=_own_server_environment(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    store_path = flow.results_dir / "screening.db"
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.5)
        if store_path.exists() and Store(store_path).count(status="done") >= 15:
            break
    assert proc.poll() is None, "the run ended before it could be killed"
    children = _children(proc.pid)
    workers = [p for p in children if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
    servers = [p for p in children if b"flows.server" in Path(f"/proc/{p}/cmdline").read_bytes()]
    assert len(workers) == 2 and len(servers) == 1
    # Prefect started no server of its own beside the run's
    assert not [p for p in children if b"uvicorn" in Path(f"/proc/{p}/cmdline").read_bytes()]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # ... takes its worker processes and its Prefect server with it
    deadline = time.time() + 30
    while any(_alive(p) for p in workers + servers) and time.time() < deadline:
        time.sleep(0.5)
    try:
        assert not [p for p in workers if _alive(p)], "pool workers outlived the killed flow"
        assert not [p for p in servers if _alive(p)], "the Prefect server outlived the flow"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    assert not (flow.results_dir / "ranking.csv").exists()
    done_keys = {r.key for r in Store(store_path).records(status="done")}
    assert len(done_keys) >= 15

    # ... resumes: what was done is not computed again
    assert main(["run", *names, "--level", "pair", "--workers", "2"]) == 0
    out = capsys.readouterr()
    total, new = _summary(out.out)
    assert new <= total - len(done_keys) + 2  # the two killed in flight may be redone
    assert all(r.status == "done" for r in Store(store_path).records() if r.key in done_keys)
    assert "tasks" in out.err  # the progress report
    table = pd.read_csv(flow.results_dir / "ranking.csv")
    assert sorted(table["name"]) == sorted(names)
    assert table["rank"].tolist() == list(range(1, len(names) + 1))
    assert table["score"].is_monotonic_decreasing
    assert table[["e_ads_zn", "dg_h", "desolvation_vs_free", "mismatch_zn0001"]].notna().all().all()
    assert table["band_gap"].isna().all()  # no electrons at this level: missing, with the reason
    assert all("band_gap: not computed at level pair" in m for m in table["missing"])
    assert pd.read_parquet(flow.results_dir / "ranking.parquet")["name"].tolist() == \
        table["name"].tolist()

    # a rerun computes nothing and says so
    assert main(["run", *names, "--level", "pair", "--workers", "2"]) == 0
    total_again, new_again = _summary(capsys.readouterr().out)
    assert (total_again, new_again) == (total, 0)

    # query, show and report read what the run left
    assert main(["query", "--format", "json", "--where", "e_ads_zn < 100", "--top", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["rank"] for r in rows] == [1, 2]
    assert {"rank", "name", "family", "level", "score", "pareto", "e_ads_zn", "flags",
            "n_calculations"} <= set(rows[0])
    best = rows[0]["name"]
    assert main(["show", best]) == 0
    shown = capsys.readouterr().out
    assert "Sites for e_ads_zn" in shown and "Desolvation profile" in shown
    assert "(neutral Zn with n waters (the model knows no charge), Zn-O springs" in shown
    assert "mismatch_zn0001: area_A2" in shown
    assert f"{best}/slab-" in shown  # the calculations behind the numbers, from the store
    # ... and their structures, drawn: the slab, both Zn sites, every desolvation state
    assert main(["show", best, "--pictures", str(flow.results_dir / "pictures")]) == 0
    # (the free cluster's, the same for every candidate, are named by their key)
    drawn = {re.sub(r"-[0-9a-f]{8}$", "", p.stem.split("pair-")[1])
             for p in (flow.results_dir / "pictures").glob("*.png")}
    assert {"clean-slab", "e_ads_zn-reported", "e_ads_zn-runner-up"} <= drawn
    assert {f"desolvation-{where}-n{n}" for where in ("surface", "free")
            for n in range(7)} <= drawn
    capsys.readouterr()
    assert main(["report"]) == 0
    files = [Path(p) for p in capsys.readouterr().out.split()]
    assert sorted(p.name for p in files) == ["desolvation.png", "ranking.png", "report.html",
                                             "zn_vs_h.png"]
    assert all(p.stat().st_size > 10_000 for p in files)
    page = files[-1].read_text()
    assert best in page
    # a section per candidate, each picture linked to its 3D page, all in the folder
    for name in names:
        assert f"<h2 id='{name} @ pair'>" in page
    pictures = [p.name for p in (files[-1].parent / "pictures").iterdir()]
    linked = re.findall(r"<img src='pictures/([^']+)'", page)
    assert linked and set(linked) <= set(pictures)
    assert {Path(n).with_suffix(".html").name for n in linked} <= set(pictures)


def test_a_failing_candidate_is_isolated_and_listed(flow, capsys, tmp_path):
    # a real failure: a user candidate whose structure file disappeared after it was added
    poscar = tmp_path / "POSCAR"
    poscar.write_text("Pb\n1.0\n0 2.475 2.475\n2.475 0 2.475\n2.475 2.475 0\nPb\n1\n"
                      "Cartesian\n0 0 0\n")
    assert main(["add", str(poscar), "--name", "gone", "--miller", "1", "1", "1"]) == 0
    for copied in flow.user_structures_dir.iterdir():
        copied.unlink()
    capsys.readouterr()
    assert main(["run", "gone", "Pb(111)", "--level", "pair", "--workers", "2",
                 "--descriptors", "zn", "epitaxy"]) == 0
    out = capsys.readouterr().out
    assert "failed: gone: clean slab failed:" in out and "no such file" in out
    table = pd.read_csv(flow.results_dir / "ranking.csv").set_index("name")
    assert pd.notna(table.loc["Pb(111)", "e_ads_zn"]) and table.loc["Pb(111)", "rank"] == 1
    assert pd.isna(table.loc["gone", "e_ads_zn"]) and pd.isna(table.loc["gone", "score"])
    assert "clean slab failed" in table.loc["gone", "missing"]


@pytest.mark.parametrize("argv, message", [
    (["run", "Unobtainium(111)"], "Unobtainium"),
    (["run", "Pb(111)", "--level", "dft-ultra"], "dft-ultra"),
    (["run", "Pb(111)", "--descriptors", "zn,speed"], "unknown descriptor group 'speed'"),
    (["run", "Pb(111)", "--verify-top", "2", "--verify-level", "mlip"], "screening level"),
    (["query"], "no results in"),
    (["query", "--where", "e_ads_zn <"], "no results in"),
    (["show", "Pb(111)"], "no results in"),
    (["report"], "no results in"),
])
def test_bad_input_is_one_line_and_writes_nothing(small_slabs, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not small_slabs.results_dir.exists() or not any(small_slabs.results_dir.iterdir())


def test_a_malformed_criteria_file_stops_the_run_before_anything_runs(small_slabs, capsys,
                                                                      tmp_path, monkeypatch):
    bad = tmp_path / "criteria.toml"
    bad.write_text("[criteria.dg_h]\nweight = 'heavy'\npoints = [[0, 0], [1, 1]]\n")
    monkeypatch.setenv("ZNSCREEN_RANKING_CRITERIA", str(bad))
    get_settings.cache_clear()
    assert main(["run", "Pb(111)"]) == 2
    err = capsys.readouterr().err
    assert f"{bad}: criteria.dg_h: weight must be a number" in err
    assert not small_slabs.results_dir.exists() or not any(small_slabs.results_dir.iterdir())


@pytest.mark.parametrize("environment, message", [
    # Prefect keeps its database in its home folder: a file where a folder should be
    ({"PREFECT_HOME": "{tmp}/a-file/prefect"},
     "Prefect server cannot start: its home folder {tmp}/a-file/prefect cannot be written"),
    # a machine too loaded to answer in time
    ({"PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "1"},
     "Prefect server did not answer within 1 s"),
])
def test_a_server_that_cannot_start_is_one_line_and_leaves_nothing(small_slabs, tmp_path,
                                                                   environment, message):
    (tmp_path / "a-file").write_text("")
    env = {**_own_server_environment(),
           **{k: v.format(tmp=tmp_path) for k, v in environment.items()}}
    done = subprocess.run([str(ZNSCREEN), "run", "Pb(111)", "--level", "pair",
                           "--descriptors", "epitaxy"], env=env, capture_output=True, text=True)
    assert done.returncode == 2
    err = done.stderr.strip()
    assert err.startswith("znscreen: error: " + message.format(tmp=tmp_path))
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (small_slabs.results_dir / "ranking.csv").exists()
    assert not prefect_servers() or not any(  # nothing of this run's is left
        f"{tmp_path}".encode() in Path(f"/proc/{p}/environ").read_bytes()
        for p in prefect_servers())


def test_transient_task_failures_are_retried_and_persistent_ones_isolated(flow, capsys,
                                                                          monkeypatch):
    # Fault injection (a mock, as the guide allows): a crash that is not bad input
    # cannot be produced on demand for real, so the group function raises
    # RuntimeError: once for Pb(111), always for In(101). One worker runs the
    # tasks in this process, so the patch reaches them.
    import flows.screening as screening_flow

    real = screening_flow.group_result
    calls = {"Pb(111)": 0, "In(101)": 0}

    def flaky(ctx, ref, name):
        calls[ref.candidate] += 1
        if ref.candidate == "In(101)" or calls[ref.candidate] == 1:
            raise RuntimeError(f"injected fault in {ref.candidate}")
        return real(ctx, ref, name)

    monkeypatch.setattr(screening_flow, "group_result", flaky)
    assert main(["run", "Pb(111)", "In(101)", "--level", "pair", "--workers", "1",
                 "--descriptors", "epitaxy"]) == 0
    out = capsys.readouterr().out
    # the run's output says why, should the injected function not be reached
    assert calls == {"Pb(111)": 2, "In(101)": 1 + screening_flow.TASK_RETRIES}, out
    assert "failed: In(101): epitaxy task failed: RuntimeError: injected fault in In(101)" in out
    table = pd.read_csv(flow.results_dir / "ranking.csv").set_index("name")
    assert pd.notna(table.loc["Pb(111)", "mismatch_zn0001"])
    assert "injected fault" in table.loc["In(101)", "missing"]


def test_verify_top_recomputes_the_best_at_another_level_on_the_first_geometries(
        flow, capsys, tmp_path, monkeypatch):
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('[levels.deep]\nbase = "pair"\npair_depth = 2.0\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(settings_file))
    get_settings.cache_clear()
    assert main(["run", "Zn(0001)", "Pb(111)", "--level", "pair", "--descriptors", "her",
                 "--workers", "2", "--verify-top", "1", "--verify-level", "deep",
                 "--verify-descriptors", "her"]) == 0
    out = capsys.readouterr().out
    assert "then the top 1 at deep (her)" in out
    table = pd.read_csv(flow.results_dir / "ranking.csv")
    screen = table[table["level"] == "pair"].set_index("name")
    verified = table[table["level"] == "deep//pair"].set_index("name")
    # the one coating, and bare Zn(0001) as the baseline at the verify level
    assert len(screen) == 2 and sorted(verified.index) == ["Pb(111)", "Zn(0001)"]
    best = screen["rank"].idxmin()
    row = verified.loc[best]
    assert best == "Pb(111)" and row["rank"] == 1 and pd.notna(row["dg_h"])
    assert verified["baseline"].to_dict() == {"Pb(111)": False, "Zn(0001)": True}
    assert row["dg_h_vs_zn"] == pytest.approx(row["dg_h"] - verified.loc["Zn(0001)", "dg_h"],
                                              abs=2e-4)
    # twice the well depth on the same geometries: every energy doubles (the
    # pair potential is linear in its depth), H2's too, so dG_H - 0.24 doubles
    assert row["dg_h"] - 0.24 == pytest.approx(2 * (screen.loc[best, "dg_h"] - 0.24), abs=2e-4)
    # the verified row rests on single points at the verify level, on the first site
    details = json.loads((flow.results_dir / "details.json").read_text())
    d = details[f"{best} @ deep//pair"]["values"]["dg_h"]
    assert d["details"]["site"] == details[f"{best} @ pair"]["values"]["dg_h"]["details"]["site"]
    assert len(d["details"]["sites"]) == 1
    store = Store(flow.results_dir / "screening.db")
    records = [store.record(k) for k in d["keys"]]
    assert {r.level for r in records} == {"deep"}
    # slab and slab+H are single points on the pair geometries; H2 is relaxed at the level
    assert {r.task for r in records if not r.label.startswith("ref/")} == {"singlepoint"}
    # the report sets the two levels side by side
    assert main(["report"]) == 0
    assert (flow.results_dir / "report" / "verification.png").stat().st_size > 10_000


def test_verified_desolvation_always_has_bare_zn_beside_it(flow, capsys, tmp_path,
                                                           monkeypatch):
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('[levels.deep]\nbase = "pair"\npair_depth = 2.0\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(settings_file))
    get_settings.cache_clear()
    # Zn(0001) is not screened, yet verified with the coating
    assert main(["run", "Pb(111)", "--level", "pair", "--descriptors", "desolvation",
                 "--workers", "1", "--verify-top", "1", "--verify-level", "deep",
                 "--verify-descriptors", "desolvation"]) == 0
    table = pd.read_csv(flow.results_dir / "ranking.csv")
    verified = table[table["level"] == "deep//pair"].set_index("name")
    assert sorted(verified.index) == ["Pb(111)", "Zn(0001)"]
    assert list(table[table["level"] == "pair"]["name"]) == ["Pb(111)"]
    assert verified.loc["Pb(111)", "desolvation_total_vs_zn"] == pytest.approx(
        verified.loc["Pb(111)", "desolvation_total"]
        - verified.loc["Zn(0001)", "desolvation_total"], abs=2e-4)
    # the profile's energies double with the well depth on the same geometries
    screen = table[table["level"] == "pair"].set_index("name")
    assert verified.loc["Pb(111)", "desolvation_total"] == pytest.approx(
        2 * screen.loc["Pb(111)", "desolvation_total"], abs=2e-3)


@pytest.mark.dft
def test_a_failed_slab_is_attempted_once_and_its_groups_say_why(flow, capsys, tmp_path,
                                                               monkeypatch):
    """A real failure: GPAW's SCF cannot converge in one iteration on any rung
    of the ladder. The slab task stores it once; its groups do not run it
    again and are missing with its reason; the other candidate is ranked."""
    pytest.importorskip("gpaw")
    settings_file = tmp_path / "settings.toml"
    settings_file.write_text('[levels.stuck]\nbase = "dft-check"\nmaxiter = 1\nd3 = false\n')
    monkeypatch.setenv("ZNSCREEN_SETTINGS", str(settings_file))
    monkeypatch.setenv("ZNSCREEN_SLAB_MIN_LATERAL", "2.0")
    get_settings.cache_clear()
    assert main(["run", "Zn(0001)", "--level", "stuck", "--workers", "1",
                 "--descriptors", "electronic", "epitaxy"]) == 0
    out = capsys.readouterr().out
    assert "failed: Zn(0001): clean slab failed:" in out and "did not converge" in out
    store = Store(flow.results_dir / "screening.db")
    records = list(store.records())
    assert len(records) == 1  # the slab, and nothing else was attempted
    assert records[0].status == "failed" and records[0].attempt == 1
    table = pd.read_csv(flow.results_dir / "ranking.csv").set_index("name")
    for column in ("band_gap", "work_function", "mismatch_zn0001"):
        assert pd.isna(table.loc["Zn(0001)", column])
        assert f"{column}: clean slab failed:" in table.loc["Zn(0001)", "missing"]


def test_the_report_renders_in_a_real_headless_browser(flow, capsys):
    """The report as a user opens it: Debian's Chromium, headless, from file://."""
    from tests.browser import Chromium

    assert main(["run", "Pb(111)", "Zn(0001)", "--level", "pair", "--workers", "1",
                 "--descriptors", "zn", "desolvation"]) == 0
    # pictures of a candidate without results, or into a folder that cannot be made
    blocker = flow.results_dir / "a-file"
    blocker.write_text("not a folder")
    for name, out, message in (("Nope(111)", flow.results_dir / "p", "no results for 'Nope(111)'"),
                               ("Pb(111)", blocker / "p", "a-file/p: Not a directory")):
        capsys.readouterr()
        assert main(["show", name, "--pictures", str(out)]) == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err
    assert blocker.read_text() == "not a folder" and not (flow.results_dir / "p").exists()
    assert main(["report"]) == 0
    report = Path(capsys.readouterr().out.split()[-1])
    written = len(re.findall(r"<img ", report.read_text()))
    # the free cluster's seven states are the same calculations for both
    # candidates: drawn once, shown in both sections
    pictures = sorted(p.name for p in (report.parent / "pictures").glob("*.png"))
    free = [p for p in pictures if "-free-" in p]
    assert [p.rsplit("-", 1)[0] for p in free] == [f"pair-desolvation-free-n{n}"
                                                   for n in range(7)]
    with Chromium() as browser:
        browser.open(report.as_uri())
        assert browser.errors() == []
        images = browser.evaluate("Array.from(document.images).map(i => "
                                  "[i.getAttribute('src'), i.complete && i.naturalWidth > 0])")
        # two plots, then per candidate the clean slab, two Zn sites, 14 states
        assert len(images) == written == 2 + 2 * (1 + 2 + 14)
        assert [src for src, loaded in images if not loaded] == []
        assert len({src for src, _ in images}) == written - 7 == 2 + len(pictures)
        shot = browser.screenshot()[..., :3]
        assert (shot.min(axis=-1) < 0.9).mean() > 0.05, "the page looks blank"
        # wide tables scroll on their own, not the page
        assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        pages = browser.evaluate("Array.from(document.querySelectorAll('figure a'))"
                                 ".map(a => a.href)")
        assert len(set(pages)) == len(pictures)  # one 3D view per picture
        drawn = ("(() => { const c = document.getElementById('view'); const d = "
                 "c.getContext('2d').getImageData(0, 0, c.width, c.height).data; "
                 "let n = 0, h = 0; for (let i = 0; i < d.length; i += 4) "
                 "{ if (d[i] + d[i+1] + d[i+2] < 720) { n++; h = (h * 31 + d[i] + "
                 "7 * d[i+1] + 13 * d[i+2] + i) % 1000000007; } } return [n, h]; })()")
        for url in sorted(set(pages)):
            browser.open(url)
            assert browser.errors() == [], url
            assert int(browser.evaluate("document.getElementById('view').dataset.atoms")) > 0
            assert browser.evaluate(drawn)[0] > 1000, f"{url}: the 3D view drew nothing"
        # the clean slab's view turns when dragged (a lone atom would look the same)
        browser.open(next(u for u in pages if u.endswith("clean-slab.html")))
        before = browser.evaluate(drawn)
        box = browser.evaluate("(() => { const r = document.getElementById('view')"
                               ".getBoundingClientRect(); return [r.x, r.y, r.width, "
                               "r.height]; })()")
        middle = (box[0] + box[2] / 2, box[1] + box[3] / 2)
        browser.drag(middle, (middle[0] + 80, middle[1] + 40))
        assert browser.evaluate(drawn) != before, "dragging did not turn the 3D view"
