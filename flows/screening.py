"""The screening flow: references, then each candidate's slabs and descriptor groups as tasks.

One flow run screens a list of candidates at one level (a :class:`Job`);
with ``verify_top`` it then recomputes ``verify_top`` of the coatings (the
best, or those whose rank is least certain) and bare Zn(0001) at a DFT
level, as single points on the first level's geometries (or relaxed, on
request), and both rows are kept. Bare Zn(0001) is verified when it was
screened, and always when desolvation is verified (computed from scratch
at the first level if it was not screened).

Tasks, in the order they are submitted:

1. ``reference:NAME``: each shared reference the requested groups need
   (bulk Zn, the Zn atom, H2, H2O, the free clusters), once per run;
2. ``slab:NAME:default`` (and ``slab:NAME:cluster`` for desolvation's wider slab):
   per candidate, the relaxed clean slab (largest slabs first), at the same
   time as the references;
3. ``GROUP:NAME``: per candidate and descriptor group (Zn adsorption,
   desolvation, HER, water, electronic, epitaxy, diffusion), submitted as
   soon as the slab it needs and all references are done. It is handed the
   slab task's result, a :class:`~screening.schemas.SlabRef` (candidate,
   store keys, surface cell): nothing is rebuilt from the name.

A slab that fails skips its groups, whose columns are missing with the
slab's reason. Every task builds its own context from the :class:`Job`
(settings, level names, run id): no hidden global state, so the same flow
runs on a process pool here and on a distributed runner. Results travel
through the store, so a rerun computes nothing it already has, a run that
was killed resumes where it stopped, and a calculation that failed in this
run is never attempted again within it (the run id). Where the tasks run
(worker processes here, a Dask cluster, SLURM jobs) is the settings'
profile (:mod:`flows.runners`). A task that raises anything but a
:class:`~screening.errors.ScreeningError` is retried (``TASK_RETRIES``); if
it still fails, its columns are missing with the reason and the other
candidates go on. Bad input or a failed calculation (a ScreeningError) is
not retried: the task already records it as the reason its columns are
missing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Callable

from prefect import flow, task
from prefect.futures import PrefectFuture, as_completed

from screening.analysis.ranking import BASELINE, Criteria, rank, verify_choice
from screening.analysis.uncertainty import error_model_for
from screening.analysis.results import RunRecord
from screening.descriptors.compute import group_result, slab_label, slab_result, track
from screening.descriptors.registry import (DEFAULT_GROUPS, GROUPS, check_groups,
                                            references_for, slabs_for)
from screening.descriptors.table import assemble, missing_group, table_row
from screening.errors import ScreeningError, one_line
from screening.library.catalog import Candidate, Catalog
from screening.library.surfaces import largest_first
from screening.recipes.context import Context, new_run_id, open_context
from screening.recipes.references import summary
from screening.schemas import GroupResult, SlabRef
from screening.settings import Settings

from flows.runners import task_runner, worker_environment
from flows.server import prefect_api

#: Further attempts of a task that failed on something other than bad input.
TASK_RETRIES = 2
RETRY_DELAY_S = 5


@dataclass(frozen=True)
class Job:
    """One screening stage: candidates, level, descriptor groups, and the run it belongs to."""

    settings: Settings
    level: str
    candidates: tuple[str, ...]
    groups: tuple[str, ...] = DEFAULT_GROUPS
    #: Level whose relaxed geometries are used (single points at ``level``).
    geometry: str | None = None
    #: Calculations that fail in this run are not attempted again within it.
    run_id: str = field(default_factory=new_run_id)

    @property
    def row_level(self) -> str:
        return self.level + (f"//{self.geometry}" if self.geometry else "")

    def context(self) -> Context:
        return open_context(self.settings, self.level, self.geometry, self.run_id)


@dataclass(frozen=True)
class Verify:
    """Recompute ``top`` coatings of a screen at ``level`` (and bare Zn(0001), if it was
    screened, so that the coatings can be compared with it at that level)."""

    top: int
    level: str = "dft-fast"
    groups: tuple[str, ...] = ("zn", "her")
    #: Relax at ``level`` instead of single points on the screen's geometries.
    relax: bool = False
    #: Which coatings: the ``best`` by rank, or those whose place in the top 5 is
    #: least certain (``uncertain``; :func:`~screening.analysis.ranking.verify_choice`).
    choose: str = "best"


@dataclass
class Progress:
    """Counts reported after every finished task."""

    tasks_done: int = 0
    tasks_total: int = 0
    #: Every calculation a finished task used: key -> computed in this run.
    used: dict[str, bool] = field(default_factory=dict)
    last: str = ""
    started: float = field(default_factory=time.perf_counter)

    @property
    def calculations(self) -> int:
        return len(self.used)

    @property
    def new(self) -> int:
        return sum(self.used.values())


def _transient(task_, task_run, state) -> bool:
    """Retry unless the task failed on bad input (a ScreeningError)."""
    try:
        state.result()
    except ScreeningError:
        return False
    except Exception:
        return True
    return False


_task = task(retries=TASK_RETRIES, retry_delay_seconds=RETRY_DELAY_S,
             retry_condition_fn=_transient, persist_result=False)


@_task(task_run_name="reference:{name}:{job.level}")
def reference_task(job: Job, name: str) -> GroupResult:
    ctx = job.context()

    def work() -> dict:
        summary(ctx, (name,))
        return {}

    return track(ctx, work)


@_task(task_run_name="slab:{candidate.name}:{slab}")
def slab_task(job: Job, candidate: Candidate, slab: str) -> GroupResult:
    return slab_result(job.context(), candidate, slab)


@_task(task_run_name="{group}:{ref.candidate}")
def group_task(job: Job, ref: SlabRef, group: str) -> GroupResult:
    return group_result(job.context(), ref, group)


def _stage(job: Job, record: RunRecord, progress: Progress,
           report: Callable[[Progress], None]) -> None:
    """Run one job's tasks and add its described candidates to ``record``."""
    catalog = Catalog(job.settings)
    candidates = {name: catalog.get(name) for name in job.candidates}
    references = references_for(job.groups)
    slabs = {slab_label(s): s for s in slabs_for(job.groups)}
    progress.tasks_total += len(references) + len(candidates) * (len(slabs) + len(job.groups))
    results: dict[str, dict[str, GroupResult]] = {name: {} for name in candidates}

    def finished(name: str, label: str, result: GroupResult) -> None:
        if name:
            results[name][label] = result
            if result.failure and result.failure not in record.failures.get(name, []):
                record.failures.setdefault(name, []).append(result.failure)
        progress.tasks_done += 1
        for key, computed in result.used.items():
            progress.used[key] = progress.used.get(key, False) or computed
        progress.last = f"{label}:{name}" if name else label
        report(progress)

    # references and clean slabs are independent: all start at once, the
    # largest slabs first; a group starts once its slab and every reference
    # are done, and is handed that slab task's result
    pending: dict[PrefectFuture, tuple[str, str]] = {
        reference_task.submit(job, name): ("", f"reference:{name}") for name in references}
    for candidate in largest_first(job.settings, list(candidates.values())):
        for label, slab in slabs.items():
            pending[slab_task.submit(job, candidate, slab)] = (candidate.name, label)
    references_left = len(references)
    waiting: list[SlabRef] = []

    def submit_groups(ref: SlabRef) -> None:
        for group in job.groups:
            if GROUPS[group].slab == ref.slab:
                pending[group_task.submit(job, ref, group)] = (ref.candidate, group)

    while pending:
        future = next(as_completed(list(pending)))
        name, label = pending.pop(future)
        result = future.result(raise_on_failure=False)
        if not name:  # a reference
            if isinstance(result, BaseException):
                # without its references no descriptor can be computed: stop the run
                for other in pending:
                    other.cancel()
                raise ScreeningError(f"{label} at {job.row_level} failed: "
                                     f"{one_line(result, with_type=True)}")
            finished("", label, result)
            references_left -= 1
            if not references_left:
                for ref in waiting:
                    submit_groups(ref)
            continue
        if isinstance(result, BaseException):
            reason = f"{label} task failed: {one_line(result, with_type=True)}"
            result = (missing_group(label, reason) if label in GROUPS
                      else GroupResult({}, {}, 0.0, failure=reason))
        finished(name, label, result)
        if label not in slabs:
            continue
        if result.slab is None:  # the slab failed: its groups are not run
            for group in job.groups:
                if GROUPS[group].slab == slabs[label]:
                    finished(name, group, missing_group(group, result.failure))
        elif references_left:
            waiting.append(result.slab)
        else:
            submit_groups(result.slab)
    for name, candidate in candidates.items():
        record.described.append(assemble(candidate.summary(), job.row_level, results[name]))


#: Where the flow reports progress: the caller's display, set by :func:`run`.
#: Flow parameters travel with every task submitted to a process pool, so a
#: callable writing to a terminal cannot be one; tasks never see this.
_REPORTERS: list[Callable[[Progress], None]] = []


def _report(progress: Progress) -> None:
    for reporter in _REPORTERS:
        reporter(progress)


@flow(name="zn-screening", validate_parameters=False, persist_result=False)
def screening_flow(job: Job, criteria: Criteria, verify: Verify | None = None) -> RunRecord:
    """Screen ``job``; then verify its best ``verify.top`` candidates (module doc)."""
    check_groups(job.groups)
    record = RunRecord()
    progress = Progress()
    _stage(job, record, progress, _report)
    if verify is not None and verify.top > 0:
        check_groups(verify.groups)
        table = rank([table_row(d) for d in record.described], criteria,
                     error_model_for(job.settings))
        best = verify_choice(table, verify.top, verify.choose)
        # the baseline: verified when it was screened, and always for desolvation,
        # whose profiles mean something only beside bare Zn's
        if best and (BASELINE in set(table["name"]) or "desolvation" in verify.groups):
            best.append(BASELINE)
        if best:
            second = replace(job, level=verify.level, candidates=tuple(best),
                             groups=verify.groups,
                             geometry=None if verify.relax else job.level)
            _stage(second, record, progress, _report)
    record.used = progress.used
    return record


def run(job: Job, criteria: Criteria, verify: Verify | None = None, workers: int = 1,
        report: Callable[[Progress], None] | None = None) -> RunRecord:
    """Run the flow on the task runner of ``job.settings.profile`` (``workers``
    worker processes for the local profiles), reporting to the run's own
    Prefect server unless ``PREFECT_API_URL`` names one (:mod:`flows.server`)."""
    settings = job.settings
    runner = screening_flow.with_options(task_runner=task_runner(settings, workers))
    if report is not None:
        _REPORTERS.append(report)
    try:
        with prefect_api(settings.calculation_dir / "prefect-server.log"), \
                worker_environment(settings, workers):
            return runner(job, criteria, verify)
    finally:
        if report is not None:
            _REPORTERS.remove(report)
