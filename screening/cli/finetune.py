"""``znscreen finetune``: a new level, CHGNet fine-tuned on the store's DFT rows."""

from __future__ import annotations

import argparse

from screening.errors import ScreeningError
from screening.settings import Settings
from screening.training.hyperparameters import Hyperparameters


def cmd_finetune(args: argparse.Namespace, settings: Settings) -> int:
    from screening.training.level import FinetuneRequest, finetune_level

    hyper = Hyperparameters(epochs=args.epochs, learning_rate=args.learning_rate,
                            force_weight=args.force_weight, seed=args.seed)
    for name, value in (("--epochs", hyper.epochs), ("--learning-rate", hyper.learning_rate)):
        if value <= 0:
            raise ScreeningError(f"{name} must be positive, got {value}")
    if hyper.force_weight < 0:
        raise ScreeningError(f"--force-weight must be 0 or more, got {hyper.force_weight}")
    request = FinetuneRequest(args.level, args.source, args.base, tuple(args.holdout or ()),
                              hyper, args.database or "")
    done = finetune_level(settings, request)
    losses = done["losses"]
    print(f"level {args.level} registered: {done['level']['model']}\n"
          f"  {done['n_train']} training structures, final MAE "
          f"{losses['energy_mae'][-1] * 1000:.1f} meV/atom and {losses['force_mae'][-1]:.3f} "
          f"eV/A, {losses['seconds']:.0f} s")
    if losses["holdout_before"] and losses["holdout_after"]:
        (e0, f0), (e1, f1) = losses["holdout_before"], losses["holdout_after"]
        print(f"  held out ({', '.join(done['holdout'])}, {done['n_holdout']} structures): "
              f"force MAE {f0:.3f} -> {f1:.3f} eV/A, energy MAE {e0 * 1000:.0f} -> "
              f"{e1 * 1000:.0f} meV/atom (an element seen only in the hold-out keeps its "
              f"unshifted reference energy, which cancels in adsorption energies)")
    print(f"use it as any level: znscreen run --level {args.level} ...")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("finetune", help="fine-tune CHGNet on the store's DFT rows as a new level")
    p.add_argument("--level", required=True, metavar="NAME", help="name of the new level")
    p.add_argument("--from", dest="source", default="dft", metavar="LEVEL",
                   help="the DFT level whose finished calculations are learned (default: dft)")
    p.add_argument("--base", default="mlip", metavar="LEVEL",
                   help="the CHGNet level to start from (default: mlip)")
    p.add_argument("--holdout", nargs="+", metavar="SURFACE",
                   help="candidates whose calculations are kept out of training and reported")
    p.add_argument("--database", metavar="URL",
                   help="store to read the DFT rows from (default: the settings' database)")
    p.add_argument("--epochs", type=int, default=Hyperparameters.epochs)
    p.add_argument("--learning-rate", type=float, default=Hyperparameters.learning_rate)
    p.add_argument("--force-weight", type=float, default=Hyperparameters.force_weight,
                   help="weight of the force MSE (eV/A)^2 against the energy one (eV/atom)^2")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_finetune)
