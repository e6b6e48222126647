#!/usr/bin/python3
"""Train the reference recipe in PyTorch on a split exported by ./export.

The control for "is the Go trainer's validation accuracy what PyTorch
would get on the same data?": the exact network and recipe of
/work/shared/REFERENCE.md, trained by PyTorch itself on the very pixels
and split that `resnet train` uses (written by
`go run ./nn/testdata/torch/export -seed S -o DIR`).

    nice -n 19 /usr/bin/python3 nn/testdata/torch/train_reference.py \
        --data /tmp/refsplit1 --seed 1 --threads 2

Recipe (as the notebook): pixels x/255 then (x - 0.5)/0.5; ResNet14 of
gen.py with PyTorch's default initialization (from torch.manual_seed(seed));
batch 64, reshuffled every epoch (torch.randperm), last batch kept;
cross-entropy; Adam(lr=0.01, weight_decay=1e-4) driven by
OneCycleLR(max_lr=0.01, epochs, steps_per_epoch=ceil(N/64)) with its
defaults (momentum cycling on), stepped every batch;
clip_grad_value_(0.1) before each step. After every epoch the model is
evaluated in eval mode on the whole validation split; one line per epoch.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import OneCycleLR

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen import ResNet14  # noqa: E402  (the model of the committed fixtures)


def load(d, part, size):
    """Normalized float32 NCHW images and int64 labels of part (train/val)."""
    pix = np.fromfile(os.path.join(d, part + "_pix.u8"), dtype=np.uint8)
    labels = np.fromfile(os.path.join(d, part + "_labels.u8"), dtype=np.uint8)
    x = torch.from_numpy(pix.reshape(len(labels), size, size, 3)).permute(0, 3, 1, 2)
    x = x.float().div(255)           # torchvision ToTensor
    x = x.sub(0.5).div(0.5)          # Normalize(mean 0.5, std 0.5)
    return x.contiguous(), torch.from_numpy(labels.astype(np.int64))


def evaluate(model, x, y, batch=256):
    model.eval()
    loss, right = 0.0, 0
    with torch.no_grad():
        for lo in range(0, len(y), batch):
            out = model(x[lo:lo + batch])
            loss += F.cross_entropy(out, y[lo:lo + batch], reduction="sum").item()
            right += (out.argmax(1) == y[lo:lo + batch]).sum().item()
    return loss / len(y), right


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="directory written by ./export")
    ap.add_argument("--seed", type=int, default=1, help="torch.manual_seed: initialization and shuffling")
    ap.add_argument("--threads", type=int, default=2, help="torch.set_num_threads")
    ap.add_argument("--epochs", type=int, default=24)
    ap.add_argument("--save", help="write the final state_dict here (torch.save)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)  # after importing gen, which sets 1
    with open(os.path.join(args.data, "split.json")) as f:
        meta = json.load(f)
    size, classes = meta["size"], meta["classes"]
    xt, yt = load(args.data, "train", size)
    xv, yv = load(args.data, "val", size)
    assert xt.min() >= -1 and xt.max() <= 1

    torch.manual_seed(args.seed)
    model = ResNet14(len(classes))
    assert sum(p.numel() for p in model.parameters()) == 195478
    bs = 64
    steps = math.ceil(len(yt) / bs)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    sched = OneCycleLR(opt, max_lr=0.01, epochs=args.epochs, steps_per_epoch=steps)
    print("torch %s, %d threads; %s: %d train, %d val (split seed %d); torch seed %d; "
          "%d epochs of %d steps" % (torch.__version__, torch.get_num_threads(), args.data,
                                     len(yt), len(yv), meta["seed"], args.seed, args.epochs, steps))
    print("epoch  train_loss  val_loss  val_acc        lr   seconds", flush=True)
    acc = 0.0
    for epoch in range(1, args.epochs + 1):
        start = time.time()
        lr = opt.param_groups[0]["lr"]
        model.train()
        perm = torch.randperm(len(yt))
        loss_sum = 0.0
        for lo in range(0, len(yt), bs):
            idx = perm[lo:lo + bs]
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), 0.1)
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
        vloss, right = evaluate(model, xv, yv)
        acc = 100 * right / len(yv)
        print("%5d  %10.4f  %8.4f  %6.2f%%  %8.2e  %8.1f" % (
            epoch, loss_sum / len(yt), vloss, acc, lr, time.time() - start), flush=True)
    print("final validation accuracy: %.2f%% (%d of %d)" % (acc, right, len(yv)), flush=True)
    if args.save:
        torch.save(model.state_dict(), args.save)


if __name__ == "__main__":
    main()
