"""Fine-tune CHGNet on DFT samples (energies and forces), offline, on the CPU.

The recipe of CHGNet's own fine-tuning example: the embeddings and every
message-passing layer but the last are frozen; the last atom-convolution
layer and the readout MLP learn. Before training, the per-element
reference energies (CHGNet's ``AtomRef``) are shifted by a least-squares fit
of the DFT-minus-CHGNet energy per atom on composition, because a DFT code's
energy zero is not the Materials Project's (GPAW's total energies are
relative to its atomic setups). Such a linear shift cancels exactly in
adsorption energies; it keeps the energy loss on what the network can learn.

Loss per batch: MSE of the energy per atom (eV/atom) plus
``force_weight`` x MSE of the force components (eV/A), as in CHGNet's
trainer. Deterministic for a given seed.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from pathlib import Path
from typing import Any, TypedDict

import numpy as np

from screening.errors import ScreeningError
from screening.training.dataset import Sample
from screening.training.hyperparameters import Hyperparameters


class Losses(TypedDict):
    """Per epoch: mean training loss, and energy MAE (eV/atom) and force MAE (eV/A) over
    the epoch's batches; the same MAEs on held-out samples with the model started from
    and with the fine-tuned one (None without any)."""

    loss: list[float]
    energy_mae: list[float]
    force_mae: list[float]
    holdout_before: tuple[float, float] | None
    holdout_after: tuple[float, float] | None
    seconds: float
    #: Samples dropped because CHGNet cannot build their graph (isolated atoms).
    dropped: int


def _graphs(model, found: list[Sample]) -> tuple[list[Any], list[Sample], int]:
    """CHGNet graphs of the samples that have one (an isolated atom has none)."""
    from pymatgen.io.ase import AseAtomsAdaptor

    graphs, kept = [], []
    model.graph_converter.set_isolated_atom_response("error")
    for sample in found:
        structure = AseAtomsAdaptor.get_structure(sample.atoms)
        try:
            graph = model.graph_converter(structure, graph_id=sample.key)
        except (ValueError, RuntimeError):
            continue
        graphs.append(graph)
        kept.append(sample)
    return graphs, kept, len(found) - len(kept)


def _shift_references(model, graphs: list[Any], targets: np.ndarray) -> None:
    """Add to CHGNet's per-element energies the least-squares composition fit of
    (target - prediction) per atom."""
    import torch

    with torch.no_grad():
        predicted = np.concatenate([model(graphs[i:i + 16], task="e")["e"].numpy()
                                    for i in range(0, len(graphs), 16)])
    features = np.zeros((len(graphs), 94))
    for i, graph in enumerate(graphs):
        counts = np.bincount(graph.atomic_number.numpy() - 1, minlength=94)
        features[i] = counts / counts.sum()
    delta = np.linalg.pinv(features) @ (targets - predicted)
    with torch.no_grad():
        weight = model.composition_model.fc.weight
        weight += torch.tensor(delta, dtype=weight.dtype).view_as(weight)


def _freeze(model) -> None:
    """CHGNet's fine-tuning example: only the last atom convolution and the readout learn."""
    for param in model.parameters():
        param.requires_grad = False
    for module in (model.atom_conv_layers[-1], model.mlp):
        for param in module.parameters():
            param.requires_grad = True


def _errors(model, graphs: list[Any], samples: list[Sample]) -> tuple[float, float] | None:
    """(energy MAE in eV/atom, force MAE in eV/A) of ``model`` on the samples, or None."""
    if not graphs:
        return None
    e_err, f_err, n_f = 0.0, 0.0, 0
    for i in range(0, len(graphs), 16):
        out = model(graphs[i:i + 16], task="ef")
        for j, sample in enumerate(samples[i:i + 16]):
            e_err += abs(float(out["e"][j]) - sample.energy / len(sample.atoms))
            f_err += float(np.abs(out["f"][j].detach().numpy() - sample.forces).sum())
            n_f += sample.forces.size
    return e_err / len(graphs), f_err / n_f


def finetune(model, train: list[Sample], held_out: list[Sample], hyper: Hyperparameters,
             log=print) -> Losses:
    """Fine-tune ``model`` (a CHGNet, changed in place) on ``train``; report ``held_out``."""
    import torch

    torch.manual_seed(hyper.seed)
    rng = np.random.default_rng(hyper.seed)
    warnings.filterwarnings("ignore", category=UserWarning, module=r"chgnet\.")
    graphs, train, dropped = _graphs(model, train)
    if not graphs:
        raise ScreeningError("no training structure has a CHGNet graph")
    test_graphs, held_out, dropped_test = _graphs(model, held_out)
    before = _errors(model, test_graphs, held_out)
    per_atom = np.array([s.energy / len(s.atoms) for s in train])
    _shift_references(model, graphs, per_atom)
    _freeze(model)
    optimiser = torch.optim.Adam([p for p in model.parameters() if p.requires_grad],
                                 lr=hyper.learning_rate)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, T_max=hyper.epochs)
    losses = Losses(loss=[], energy_mae=[], force_mae=[],
                    holdout_before=before, holdout_after=None,
                    seconds=0.0, dropped=dropped + dropped_test)
    n_forces = sum(s.forces.size for s in train)
    start = time.perf_counter()
    model.train()
    for epoch in range(hyper.epochs):
        order = rng.permutation(len(graphs))
        total = e_err = f_err = 0.0
        for first in range(0, len(order), hyper.batch_size):
            batch = order[first:first + hyper.batch_size]
            out = model([graphs[i] for i in batch], task="ef")
            energy = torch.tensor(per_atom[batch], dtype=out["e"].dtype)
            forces = torch.cat([torch.tensor(train[i].forces, dtype=out["e"].dtype)
                                for i in batch])
            predicted = torch.cat(out["f"])
            loss = (torch.mean((out["e"] - energy) ** 2)
                    + hyper.force_weight * torch.mean((predicted - forces) ** 2))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss) * len(batch)
            e_err += float(torch.abs(out["e"] - energy).sum())
            f_err += float(torch.abs(predicted - forces).sum())
        schedule.step()
        losses["loss"].append(total / len(graphs))
        losses["energy_mae"].append(e_err / len(graphs))
        losses["force_mae"].append(f_err / n_forces)
        log(f"epoch {epoch + 1:3d}/{hyper.epochs}: loss {total / len(graphs):.5f}, MAE "
            f"{e_err / len(graphs) * 1000:.1f} meV/atom, {f_err / n_forces:.3f} eV/A")
    model.eval()
    losses["holdout_after"] = _errors(model, test_graphs, held_out)
    losses["seconds"] = time.perf_counter() - start
    return losses


def base_model(version: str, path: str = ""):
    """A fresh, trainable copy of the CHGNet model shipped with the package, or of the
    fine-tuned one in ``path`` (checked against its registered hash by the caller)."""
    import chgnet
    from chgnet.model import CHGNet

    if chgnet.__version__ != version:
        raise ScreeningError(f"fine-tuning expects CHGNet {version}, found {chgnet.__version__}")
    if path:
        return CHGNet.from_file(path)
    with contextlib.redirect_stdout(io.StringIO()):
        return CHGNet.load(verbose=False)


def save(model, path: Path) -> None:
    """Write the model as CHGNet's own file format (``CHGNet.from_file`` reads it)."""
    import torch

    torch.save({"model": model.as_dict()}, path)
