"""Train a small CNN on scikit-learn's bundled 8x8 digits, the PyTorch way.

    python examples/train_digits.py                      # CPU, default settings
    python examples/train_digits.py --device opencl      # another backend
    python examples/train_digits.py --epochs 5 --resume  # continue from the checkpoint
    mpiexec -n 2 python examples/train_digits.py --distributed   # data parallel over MPI

Ends with a line ``test accuracy: 0.XXXX``.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from sklearn.datasets import load_digits
from tqdm import tqdm

import flambeau as fl
import flambeau.distributed as dist
import flambeau.nn as nn
import flambeau.nn.functional as F
from flambeau.utils.data import DataLoader, DistributedSampler, TensorDataset


class DigitsNet(nn.Module):
    """Two 3x3 conv blocks and a two-layer classifier for 1x8x8 images."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 16x4x4
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 32x2x2
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(128, 64), nn.ReLU(),
                                        nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def load_data(seed: int):
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # N, 1, 8, 8 in [0, 1]
    labels = digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(labels))
    cut = int(0.8 * len(labels))
    train, test = order[:cut], order[cut:]
    return (TensorDataset(fl.from_numpy(images[train]), fl.from_numpy(labels[train])),
            TensorDataset(fl.from_numpy(images[test]), fl.from_numpy(labels[test])))


def evaluate(model, loader, device) -> float:
    model.eval()
    correct = total = 0
    with fl.no_grad():
        for x, y in loader:
            pred = model(x.to(device)).argmax(1).cpu()
            correct += int((pred == y).sum())
            total += len(y)
    model.train()
    return correct / total


def main(argv=None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu", help="cpu, opencl, opencl:1, cuda, ...")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", default="digits_checkpoint.safetensors",
                        help="where to save (and, with --resume, load) training state")
    parser.add_argument("--resume", action="store_true", help="continue from --checkpoint")
    parser.add_argument("--distributed", action="store_true",
                        help="data parallel over the ranks of mpiexec; --batch-size stays "
                             "the global batch, split over the ranks")
    args = parser.parse_args(argv)
    if args.distributed:
        dist.init_process_group("mpi")
    show = not args.distributed or dist.get_rank() == 0  # only rank 0 prints and saves

    fl.manual_seed(args.seed)
    device = fl.device(args.device)
    train_set, test_set = load_data(args.seed)
    generator = fl.Generator().manual_seed(args.seed)
    if args.distributed:  # each rank loads its own shard of every epoch
        sampler = DistributedSampler(train_set, seed=args.seed)
        train_loader = DataLoader(train_set, sampler=sampler, batch_size=max(
            1, args.batch_size // dist.get_world_size()))
    else:
        train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                                  generator=generator)
    test_loader = DataLoader(test_set, batch_size=256)

    model = DigitsNet().to(device)
    if args.distributed:  # same start on every rank; gradients averaged in backward
        model = nn.parallel.DistributedDataParallel(model)
    optimizer = fl.optim.Adam(model.parameters(), lr=args.lr)
    start_epoch = 0
    if args.resume:
        state = fl.load(args.checkpoint, map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start_epoch = state["epoch"]
        if show:
            print(f"resumed from {args.checkpoint} at epoch {start_epoch}")

    began = time.perf_counter()
    for epoch in range(start_epoch, start_epoch + args.epochs):
        if args.distributed:
            sampler.set_epoch(epoch)
        bar = tqdm(train_loader, desc=f"epoch {epoch + 1}", leave=False,
                   disable=not (show and os.isatty(1)))
        total = 0.0
        for x, y in bar:
            x, y = x.to(device), y.to(device)
            loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            bar.set_postfix(loss=f"{loss.item():.4f}")
        if args.distributed:  # the mean over all ranks' shards
            mean = fl.tensor([total / len(train_loader)], dtype=fl.float64)
            dist.all_reduce(mean, op=dist.ReduceOp.AVG)
            total = mean.item() * len(train_loader)
        accuracy = evaluate(model, test_loader, device)
        if show:
            print(f"epoch {epoch + 1}: mean loss {total / len(train_loader):.4f}, "
                  f"test accuracy {accuracy:.4f}")
            fl.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                     "epoch": epoch + 1}, args.checkpoint)
    accuracy = evaluate(model, test_loader, device)
    if show:
        print(f"trained in {time.perf_counter() - began:.1f} s; checkpoint: "
              f"{args.checkpoint}")
        print(f"test accuracy: {accuracy:.4f}")
    if args.distributed:
        dist.destroy_process_group()
    return accuracy


if __name__ == "__main__":
    main()
