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

Paired runs: with --init and --order (written by ../paired) PyTorch starts
from the Go trainer's initial weights and takes its batches in the Go
trainer's order, so the two runs differ only in arithmetic; --step-log
writes every step's loss in the format of paired's go_steps.tsv.
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
from gen import ResNet14, read_safetensors, write_safetensors  # noqa: E402  (the model of the committed fixtures)


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
    ap.add_argument("--epochs", type=int, default=24, help="epochs to train")
    ap.add_argument("--schedule-epochs", type=int, help="epochs of the one-cycle schedule (default --epochs); "
                    "24 with a smaller --epochs trains the start of the full recipe")
    ap.add_argument("--steps", type=int, default=0, help="stop after this many steps (0: after --epochs)")
    ap.add_argument("--save", help="write the final state_dict here (safetensors if the name ends "
                    "in .safetensors, else torch.save)")
    ap.add_argument("--init", help="start from these weights (safetensors with state-dict names, as "
                    "../paired writes) instead of torch's initialization")
    ap.add_argument("--order", help="take the batches in this order (uint32 permutations of the "
                    "training images, one per epoch, as ../paired writes) instead of torch.randperm")
    ap.add_argument("--step-log", help="write step, epoch, loss, lr, beta1 of every step here")
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
    if args.init:
        tensors, _ = read_safetensors(args.init)
        sd = model.state_dict()
        assert set(tensors) == set(sd), set(tensors) ^ set(sd)
        model.load_state_dict({k: torch.from_numpy(v.copy()).to(sd[k].dtype) for k, v in tensors.items()})
    order = None
    if args.order:
        order = torch.from_numpy(np.fromfile(args.order, dtype="<u4").astype(np.int64))
        assert len(order) >= args.epochs * len(yt), "order has fewer epochs than --epochs"
        for e in range(args.epochs):
            assert torch.equal(order[e * len(yt):(e + 1) * len(yt)].sort().values, torch.arange(len(yt))), \
                "epoch %d of the order is not a permutation of the training images" % (e + 1)
    steplog = open(args.step_log, "w") if args.step_log else None
    bs = 64
    steps = math.ceil(len(yt) / bs)
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    sched = OneCycleLR(opt, max_lr=0.01, epochs=args.schedule_epochs or args.epochs, steps_per_epoch=steps)
    start_from = "torch seed %d" % args.seed
    if args.init or args.order:
        start_from = "weights %s, order %s" % (args.init or "from torch seed %d" % args.seed,
                                                args.order or "from torch seed %d" % args.seed)
    print("torch %s, %d threads; %s: %d train, %d val (split seed %d); %s; "
          "%d epochs of %d steps" % (torch.__version__, torch.get_num_threads(), args.data,
                                     len(yt), len(yv), meta["seed"], start_from, args.epochs, steps))
    print("epoch  train_loss  val_loss  val_acc        lr   seconds", flush=True)
    acc, step = 0.0, 0
    for epoch in range(1, args.epochs + 1):
        start = time.time()
        lr = opt.param_groups[0]["lr"]
        model.train()
        if order is not None:
            perm = order[(epoch - 1) * len(yt):epoch * len(yt)]
        else:
            perm = torch.randperm(len(yt))
        loss_sum, seen = 0.0, 0
        for lo in range(0, len(yt), bs):
            if args.steps and step >= args.steps:
                break
            idx = perm[lo:lo + bs]
            loss = F.cross_entropy(model(xt[idx]), yt[idx])
            step_lr, step_beta1 = opt.param_groups[0]["lr"], opt.param_groups[0]["betas"][0]
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_value_(model.parameters(), 0.1)
            opt.step()
            sched.step()
            loss_sum += loss.item() * len(idx)
            seen += len(idx)
            if steplog:
                steplog.write("%d\t%d\t%.9g\t%.9g\t%.9g\n" % (step, epoch, loss.item(), step_lr, step_beta1))
            step += 1
        vloss, right = evaluate(model, xv, yv)
        acc = 100 * right / len(yv)
        if steplog:
            steplog.write("eval\t%d\t%.9g\t%.9g\n" % (epoch, vloss, right / len(yv)))
            steplog.flush()
        print("%5d  %10.4f  %8.4f  %6.2f%%  %8.2e  %8.1f" % (
            epoch, loss_sum / max(seen, 1), vloss, acc, lr, time.time() - start), flush=True)
    print("final validation accuracy: %.2f%% (%d of %d)" % (acc, right, len(yv)), flush=True)
    if args.save and args.save.endswith(".safetensors"):
        write_safetensors(args.save, [(k, v) for k, v in model.state_dict().items()
                                      if not k.endswith("num_batches_tracked")], {"source": "train_reference.py"})
    elif args.save:
        torch.save(model.state_dict(), args.save)


if __name__ == "__main__":
    main()
