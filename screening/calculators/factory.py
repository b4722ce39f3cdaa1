"""Build ASE calculators from resolved calculation parameters.

GPAW SCF trouble is met by an escalation ladder: rung 0 is the level as
documented; each further rung mixes more gently and allows more
iterations, and the last one also doubles the smearing. The rung used is
recorded with every result (``scf_rung``): a rung-2 result used a wider
smearing than its level, which later stages must flag.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import threading
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Any

from ase.calculators.calculator import Calculator

from screening.atoms.checks import paw_setup_dirs
from screening.calculators.levels import Level
from screening.errors import ScreeningError, one_line

#: Changes applied on each rung of the SCF escalation ladder.
SCF_LADDER: tuple[dict[str, Any], ...] = (
    {},
    {"mixer": {"beta": 0.05, "nmaxold": 8, "weight": 100.0}, "maxiter_factor": 2},
    {"mixer": {"beta": 0.02, "nmaxold": 10, "weight": 100.0}, "maxiter_factor": 3,
     "smearing_factor": 2.0},
)


class SCFConvergenceError(ScreeningError):
    """GPAW's SCF did not converge on any rung of the ladder."""


def scf_error() -> type[BaseException]:
    """The exception both GPAW implementations raise when the SCF does not converge."""
    from gpaw import KohnShamConvergenceError
    return KohnShamConvergenceError


#: Environment variable: torch threads of this process (set for flow worker
#: processes, which share the cores); unset, torch's default.
TORCH_THREADS = "ZNSCREEN_TORCH_THREADS"


def _torch_threads() -> None:
    """Apply :data:`TORCH_THREADS` (torch is imported only by the MLIP engines)."""
    import torch

    if os.environ.get(TORCH_THREADS, "").isdigit():
        torch.set_num_threads(int(os.environ[TORCH_THREADS]))


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_model(path: str, sha256: str) -> None:
    """Fail in one line if a fine-tuned model file is missing or not the registered one."""
    if not Path(path).is_file():
        raise ScreeningError(f"{path}: the fine-tuned model file is missing")
    if file_sha256(Path(path)) != sha256:
        raise ScreeningError(f"{path}: the fine-tuned model file has changed or is corrupt "
                             f"(its SHA-256 is not the one registered)")


def check_level(level: Level) -> None:
    """Fail in one line, before any work, if ``level`` rests on a model file that is
    missing or not the registered one."""
    if level.engine == "chgnet" and level.model:
        check_model(level.model, level.model_sha256)


@lru_cache(maxsize=2)
def chgnet_model(version: str, path: str = "", sha256: str = ""):
    """The CHGNet model shipped with the installed package, or the fine-tuned one in
    ``path`` whose bytes must hash to ``sha256`` (loaded once per process)."""
    try:
        import chgnet
        from chgnet.model import CHGNet
    except ImportError:
        raise ScreeningError("the mlip level needs CHGNet: install the package with the"
                             " [mlip] extra (pip install -e '.[mlip]')") from None
    _torch_threads()
    if chgnet.__version__ != version:
        raise ScreeningError(f"the mlip level expects CHGNet {version}, "
                             f"found {chgnet.__version__}")
    if not path:
        with contextlib.redirect_stdout(io.StringIO()):
            return CHGNet.load(verbose=False)
    check_model(path, sha256)
    try:
        return CHGNet.from_file(path)
    except Exception as exc:  # noqa: BLE001 - torch/pickle fail in many ways
        raise ScreeningError(f"{path}: cannot load the fine-tuned model ({one_line(exc)})"
                             ) from None


#: Set while this thread is inside an :class:`EnergyForces` call.
_FIRST_ORDER = threading.local()


@lru_cache(maxsize=1)
def _first_order_grad() -> None:
    """Let :class:`EnergyForces` calls skip CHGNet's double-backward graph.

    CHGNet 0.4 takes forces with ``torch.autograd.grad(..., create_graph=True,
    retain_graph=True)``, which only training on forces needs. At first order
    the forces are the same (to 5e-5 eV/A) and a call is 1.08-1.12x faster
    (``benchmarks/chgnet_calls.py``). ``torch.autograd.grad`` is wrapped once
    per process; the wrapper changes nothing unless the calling thread is
    inside an ``EnergyForces`` calculation, which asks for one gradient only.
    """
    import torch

    grad = torch.autograd.grad

    def first_order(*args, **kwargs):
        if getattr(_FIRST_ORDER, "active", False):
            kwargs["create_graph"] = False
            kwargs["retain_graph"] = False
        return grad(*args, **kwargs)

    torch.autograd.grad = first_order


@contextlib.contextmanager
def _first_order():
    _first_order_grad()
    _FIRST_ORDER.active = True
    try:
        yield
    finally:
        _FIRST_ORDER.active = False


def _chgnet(params: dict[str, Any]) -> Calculator:
    from chgnet.model.dynamics import CHGNetCalculator

    class EnergyForces(CHGNetCalculator):
        """CHGNet for energy and forces only, at first order.

        No stress or magnetic moments: every relaxation here keeps its
        cell, and skipping the stress's backward pass makes each call
        1.6-1.9x faster; no double-backward graph (:func:`_first_order_grad`).
        """

        implemented_properties = ("energy", "forces")

        def calculate(self, atoms=None, properties=None, system_changes=None, task="ef"):
            with _first_order():
                super().calculate(atoms, properties, system_changes, task="ef")

    # CHGNet's graph code triggers a harmless torch UserWarning on every call
    warnings.filterwarnings("ignore", category=UserWarning, module=r"chgnet\.")
    with contextlib.redirect_stdout(io.StringIO()):
        # isolated atoms (the Zn-atom reference) are deliberate; their CHGNet
        # energies are outside its training data, as the docs say
        model = chgnet_model(params["model_version"], params.get("model", ""),
                             params.get("model_sha256", ""))
        return EnergyForces(model=model,
                            use_device="cpu", on_isolated_atoms="ignore")


@lru_cache(maxsize=3)
def _sevennet(model: str, modal: str) -> Calculator:
    """A SevenNet calculator for a model shipped in its package (loaded once per process)."""
    try:
        from sevenn.calculator import SevenNetCalculator
    except ImportError:
        raise ScreeningError(f"the {model} level needs SevenNet: install the package with the"
                             " [sevennet] extra (pip install -e '.[sevennet]')") from None
    _torch_threads()
    warnings.filterwarnings("ignore", module=r"sevenn\.")  # no CUDA accelerator here
    return SevenNetCalculator(model, device="cpu", **({"modal": modal} if modal else {}))


def check_basis(symbols: set[str], basis: str) -> None:
    """Fail in one line if an LCAO basis file is missing for an element.

    ``szp(dzp)`` is GPAW's syntax for the szp subset of the dzp file: the
    file to look for is the one in parentheses.
    """
    dirs = paw_setup_dirs()
    name = basis[basis.index("(") + 1:-1] if basis.endswith(")") and "(" in basis else basis
    for symbol in sorted(symbols):
        if not any((d / f"{symbol}.{name}.basis{ext}").exists() for d in dirs
                   for ext in ("", ".gz")):
            raise ScreeningError(f"no GPAW {basis!r} basis set for {symbol} in "
                                 f"{', '.join(map(str, dirs))}")


def _gpaw(params: dict[str, Any], directory: Path, rung: int, moving: bool) -> Calculator:
    if params["implementation"] == "old":
        from gpaw.calculator import GPAW
    else:
        from gpaw import GPAW
    step = SCF_LADDER[rung]
    if params["mode"] == "pw":
        mode: Any = {"name": "pw", "ecut": params["ecut"]}
        extra: dict[str, Any] = {}
    else:
        mode = "lcao"
        extra = {"basis": params["basis"], "h": params["grid_spacing"]}
    if "mixer" in step:
        extra["mixer"] = dict(step["mixer"])
    if params["dipole"]:
        extra["poissonsolver"] = {"dipolelayer": "xy"}
    if moving:  # GPAW stops with "Broken symmetry!" when atoms leave a symmetric start
        extra["symmetry"] = {"point_group": False}
    width = params["smearing"] * step.get("smearing_factor", 1.0)
    kwargs = dict(
        mode=mode, xc=params["xc"], kpts=params["kpts"], charge=params["charge"],
        spinpol=params["spinpol"], occupations={"name": "fermi-dirac", "width": width},
        convergence={"energy": params["scf_energy"], "density": params["scf_density"]},
        maxiter=params["maxiter"] * step.get("maxiter_factor", 1),
        txt=str(directory / f"gpaw-rung{rung}.txt"), **extra,
    )
    calc = _solvated(params, kwargs) if params.get("solvent") else GPAW(**kwargs)
    if not params["d3"]:
        return calc
    from ase.calculators.mixing import SumCalculator
    from dftd3.ase import DFTD3
    return SumCalculator([calc, DFTD3(method=params["xc"], damping="d3bj")])


def _solvated(params: dict[str, Any], kwargs: dict[str, Any]) -> Calculator:
    """GPAW in implicit water (``params["solvent"]``, the HW14 parameter set).

    A charged slab is computed with the solvated jellium method at constant
    charge: the system's charge is held as missing (or excess) electrons whose
    counter-charge is a jellium slab in the solvent above the surface (GPAW's
    ``SJM``, which takes the slab's dipole correction, ``poissonsolver``, as it
    is). A neutral slab needs no counter-charge and is computed in the
    dielectric with zero boundary conditions in z and no dipole correction
    (SJM's iterative dipole correction divides by zero in GPAW 26.7 when the
    slab has no dipole, as a free-standing sheet has not); so is a molecule or
    cluster, charged or not.
    """
    from gpaw.solvation import SolvationGPAW, get_HW14_water_kwargs
    from gpaw.solvation.sjm import SJM

    legacy = params["implementation"] == "old"
    solvent = get_HW14_water_kwargs()
    if params["system"] != "slab" or not kwargs["charge"]:
        kwargs.pop("poissonsolver", None)
        return SolvationGPAW(legacy_gpaw=legacy, **solvent, **kwargs)
    charge = kwargs.pop("charge")
    return SJM(legacy_gpaw=legacy, sj={"excess_electrons": -charge, "target_potential": None,
                                       "grand_output": False}, **solvent, **kwargs)


def _pair(params: dict[str, Any]) -> Calculator:
    from screening.calculators.pair import PairPotential

    return PairPotential(depth=params["pair_depth"], alpha=params["pair_alpha"])


def make_calculator(atoms, params: dict[str, Any], directory: Path,
                    rung: int = 0, moving: bool = False) -> Calculator:
    """A fresh calculator for ``params`` writing its logs in ``directory``; ``moving``
    for relaxations and NEB images (GPAW then uses no point-group symmetry: the same
    numbers, k-points reduced by time reversal only)."""
    if params["engine"] == "pair":
        return _pair(params)
    if params["engine"] == "chgnet":
        return _chgnet(params)
    if params["engine"] == "sevennet":
        return _sevennet(params["model"], params["modal"])
    if params["mode"] == "lcao":
        check_basis(set(atoms.get_chemical_symbols()), params["basis"])
    return _gpaw(params, directory, rung, moving)


def prepare(atoms, params: dict[str, Any]) -> None:
    """Set what the parameters say about the structure itself (pbc, moments)."""
    if params["engine"] != "gpaw":
        return
    atoms.pbc = params["pbc"]
    if params["magmoms"] is not None:
        atoms.set_initial_magnetic_moments(params["magmoms"])
