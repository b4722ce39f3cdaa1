"""Cluster commands: ``hpc init`` (settings file and job template) and ``hpc script``."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

from screening.errors import ScreeningError
from screening.settings import Settings

#: Files ``hpc init`` writes: template name -> what it is.
TEMPLATES = {"settings.toml": "settings for the slurm profile (PostgreSQL store, [slurm] jobs)",
             "flow.sbatch": "SLURM job running the flow (submit with sbatch)"}


def cmd_init(args: argparse.Namespace, settings: Settings) -> int:
    target = Path(args.dir)
    existing = [target / name for name in TEMPLATES if (target / name).exists()]
    if existing and not args.force:
        raise ScreeningError(f"{existing[0]} exists; not overwritten (--force to replace)")
    target.mkdir(parents=True, exist_ok=True)
    for name, what in TEMPLATES.items():
        text = resources.files("screening.cli").joinpath("templates", name).read_text()
        partial = target / f".{name}.part"
        partial.write_text(text)
        partial.replace(target / name)  # whole files only
        print(f"{target / name}: {what}")
    print(f"next: edit the lines marked CHANGE, then\n  export ZNSCREEN_SETTINGS="
          f"{(target / 'settings.toml').resolve()}\n  znscreen hpc script   # the job script "
          f"of one worker\n  sbatch {target / 'flow.sbatch'}   (docs/hpc.md)")
    return 0


def cmd_script(args: argparse.Namespace, settings: Settings) -> int:
    """Print the job script one Dask worker of the slurm profile is submitted with."""
    from flows.runners import slurm_cluster_kwargs

    try:
        from dask_jobqueue.slurm import SLURMJob
    except ImportError:
        raise ScreeningError("the slurm profile needs the [hpc] extra "
                             "(pip install -e '.[hpc]')") from None
    # a job object only renders its script: nothing is submitted or started
    job = SLURMJob(scheduler="tcp://SCHEDULER:8786", name="WORKER",
                   **slurm_cluster_kwargs(settings))
    print(job.job_script())
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hpc", help="run on a SLURM cluster: settings file, job scripts")
    hpc = p.add_subparsers(dest="hpc_command", required=True, metavar="ACTION")
    q = hpc.add_parser("init", help="write a commented settings file and a SLURM job "
                                    "template for the flow")
    q.add_argument("--dir", default=".", help="where to write them (default: here)")
    q.add_argument("--force", action="store_true", help="replace existing files")
    q.set_defaults(func=cmd_init)
    q = hpc.add_parser("script", help="print the job script of one worker job "
                                      "(from the [slurm] settings)")
    q.set_defaults(func=cmd_script)
