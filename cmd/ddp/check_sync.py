#!/usr/bin/env python3
"""Check train.py's synchronized BatchNorm: one step's gradients and running
statistics on N processes against one process, in float64.

    python3 cmd/ddp/check_sync.py /tmp/one.pt
    torchrun --nproc_per_node 2 cmd/ddp/check_sync.py /tmp/two.pt
    python3 cmd/ddp/check_sync.py --compare /tmp/one.pt /tmp/two.pt

Each run builds the network of train.py (ResNet-14, seed 0) in float64,
splits one batch of 64 random images among its processes as train.py
does, scales the loss as train.py does and takes the gradients; process 0
saves them with the BatchNorm buffers. With BatchNorm over the whole batch
and DDP averaging the gradients, the two runs compute the same numbers but
for rounding: --compare prints the largest difference, relative to each
tensor's largest value, and fails above 1e-10.
"""

import os
import sys

import torch
import torch.distributed as dist
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402


def run(out):
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("gloo")
    torch.set_num_threads(1)
    torch.manual_seed(0)
    config = {"input_size": 32, "width": 16, "stages": [2, 2, 2], "shortcut": "conv3x3", "classes": 6}
    model = train.ResNet(config).double()
    net = torch.nn.parallel.DistributedDataParallel(model, broadcast_buffers=False) if world > 1 else model
    g = torch.Generator()
    g.manual_seed(5)
    x = torch.randn(64, 3, 32, 32, generator=g, dtype=torch.float64)
    y = torch.randint(0, 6, (64,), generator=g)
    share = torch.tensor_split(torch.arange(64), world)[rank]
    loss = F.cross_entropy(net(x[share]), y[share], reduction="sum") * (world / 64)
    loss.backward()
    if rank == 0:
        state = {"grad." + k: p.grad for k, p in model.named_parameters()}
        state.update({k: b for k, b in model.named_buffers()})
        torch.save(state, out)
    if world > 1:
        dist.barrier()  # and no destroy_process_group: see train.run_then_exit


def compare(a, b):
    a, b = torch.load(a), torch.load(b)
    assert a.keys() == b.keys(), set(a) ^ set(b)
    worst, name = max(((a[k] - b[k]).abs().max().item() / max(a[k].abs().max().item(), 1e-300), k)
                      for k in a if not k.endswith("num_batches_tracked"))
    counters = all(torch.equal(a[k], b[k]) for k in a if k.endswith("num_batches_tracked"))
    print("largest relative difference %.3g (%s); counters equal: %s" % (worst, name, counters))
    if worst > 1e-10 or not counters:
        sys.exit("synchronized BatchNorm differs from one process's")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--compare":
        compare(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 2:
        train.run_then_exit(run, sys.argv[1])
    else:
        sys.exit(__doc__)
