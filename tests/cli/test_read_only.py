"""Commands that read results load no calculator, no engine and no workflow system."""

import json
import subprocess
import sys

from screening.analysis.ranking import load_criteria
from screening.analysis.results import RunRecord, save
from screening.schemas import Described, Value
from screening.store.database import Store

#: Modules a command that computes nothing must not import.
HEAVY = ("screening.calculators.factory", "screening.calculators.pair", "screening.runners",
         "screening.recipes", "screening.descriptors.compute", "torch", "chgnet", "gpaw",
         "prefect", "pymatgen", "flows")
#: ase.db loads ase.io, whose plugin discovery imports GPAW's plugin entry
#: (file formats), not its calculator.
ALLOWED = {"gpaw", "gpaw.ase_plugin", "gpaw_data"}

DRIVER = """
import json, sys
from screening.cli import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""


def _imports(*argv: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", DRIVER, *argv], capture_output=True, text=True)
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["code"] == 0, done.stderr
    return report["modules"]


def test_query_show_and_candidates_import_nothing_heavy(settings, bundled_catalog):
    Store(settings.store_url)  # an empty store for show to read
    values = {"e_ads_zn": Value(-0.2, "eV", details={"kind": "sites", "site": "top", "sites": []})}
    save(settings.results_dir, RunRecord([Described(
        bundled_catalog.get("Cu(111)").summary(), "mlip", values, 1, 0, {})]), load_criteria())
    for argv in (["query", "--top", "3"], ["show", "Cu(111)"], ["candidates"]):
        loaded = _imports(*argv)
        heavy = [m for m in loaded if m.startswith(HEAVY) and m not in ALLOWED]
        assert not heavy, f"{' '.join(argv)} imported {heavy[:5]}"
