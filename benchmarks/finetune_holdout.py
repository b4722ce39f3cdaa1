"""Leave-one-surface-out: does fine-tuning CHGNet on the store's DFT rows help on surfaces it
never saw?

    python benchmarks/finetune_holdout.py [--from dft-check] [--name mlip-ft]
                                          [--surfaces S ...] [--epochs 40]

For each surface S of the reference set (``benchmarks/reference_set.py``)
with a DFT value of ``e_ads_zn`` (``<from>//mlip``) and DFT rows in the
reference store: fine-tune CHGNet on every DFT row but S's (level
``<name>-no-<S>``, registered in ``results/reference/finetune``), relax the
Zn adatom on S at that level in the reference set's cells, and compare
e_ads_zn with the DFT value, before (``mlip``) and after. Each held-out
value is written to ``benchmarks/reference/values.json`` as level
``<name>``, so ``znscreen accuracy`` shows the fine-tuned rung and the
table's sigma of a level called ``<name>`` is its held-out error. At the
end the model trained on every surface is registered as ``<name>``.
Everything goes through the store: a rerun only does what is missing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from reference_set import (GEOMETRY, LIVE, VALUES, ZN_SET, reference_candidate,  # noqa: E402
                           reference_settings)


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "", name)


def main(argv: list[str] | None = None) -> int:
    from screening.training.hyperparameters import Hyperparameters

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="source", default="dft-check")
    parser.add_argument("--name", default="mlip-ft")
    parser.add_argument("--surfaces", nargs="+")
    parser.add_argument("--epochs", type=int, default=Hyperparameters.epochs)
    parser.add_argument("--learning-rate", type=float, default=Hyperparameters.learning_rate)
    parser.add_argument("--force-weight", type=float, default=Hyperparameters.force_weight)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")
    from screening.analysis.accuracy import read_values, record_values, spearman
    from screening.descriptors.compute import describe
    from screening.library.catalog import Catalog
    from screening.recipes.context import open_context
    from screening.store.database import Store
    from screening.training.dataset import samples
    from screening.training.level import FinetuneRequest, finetune_level
    from screening.training.registry import registered_levels

    settings = reference_settings().replace(user_data_dir=LIVE / "finetune-user")
    store_url = settings.store_url
    hyper = Hyperparameters(epochs=args.epochs, learning_rate=args.learning_rate,
                            force_weight=args.force_weight)
    reference = f"{args.source}//{GEOMETRY}"
    rows = read_values(VALUES)
    value = {(r["level"], r["candidate"]): r["value"] for r in rows
             if r["descriptor"] == "e_ads_zn" and r["value"] is not None}
    with_rows = {s.surface for s in samples(Store(store_url), args.source)}
    surfaces = args.surfaces or [s for s in ZN_SET
                                 if (reference, s) in value and s in with_rows]
    catalog = Catalog(settings)

    def level_settings(name: str, request: FinetuneRequest):
        if name not in registered_levels(settings.finetune_dir):
            finetune_level(settings, request, log=lambda line: None)
        return settings.replace(levels=registered_levels(settings.finetune_dir))

    print(f"{'surface':18s} {'dft':>7s} {'mlip':>7s} {args.name:>7s}   (e_ads_zn, eV; "
          f"{reference} vs held-out fine-tuned)")
    before, after, dft = [], [], []
    for surface in surfaces:
        fold = f"{args.name}-no-{_slug(surface)}"
        fold_settings = level_settings(fold, FinetuneRequest(
            fold, args.source, holdout=(surface,), hyper=hyper, database=store_url))
        ctx = open_context(fold_settings, fold, None)
        got = describe(ctx, reference_candidate(catalog, surface), ("zn",)).values
        record_values(VALUES, args.name, surface,
                      {c: got[c] for c in ("e_ads_zn", "e_ads_zn_atom")})
        mine = got["e_ads_zn"].value
        old = value.get(("mlip", surface))
        print(f"{surface:18s} {value[(reference, surface)]:+7.3f} "
              f"{old if old is None else f'{old:+7.3f}'} "
              f"{'-' if mine is None else f'{mine:+7.3f}'}  {got['e_ads_zn'].reason}",
              flush=True)
        if mine is not None and old is not None:
            before.append(old)
            after.append(mine)
            dft.append(value[(reference, surface)])
    if dft:
        mae = [statistics.fmean(abs(a - b) for a, b in zip(x, dft)) for x in (before, after)]
        rho = [spearman(x, dft) for x in (before, after)]
        print(f"\nheld out, n={len(dft)}: MAE mlip {mae[0]:.3f} -> {args.name} {mae[1]:.3f} eV;"
              f" Spearman {rho[0]} -> {rho[1]}")
    level_settings(args.name, FinetuneRequest(args.name, args.source, hyper=hyper,
                                              database=store_url))
    print(f"{args.name} (every surface) registered in {settings.finetune_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
