#!/usr/bin/env python3
"""Train the page's network on a data set zip with PyTorch, on one process or many.

The same network, recipes and data as `resnet train` and the page, run by
PyTorch's DistributedDataParallel so that it scales to the machines and
GPUs a person has:

    python3 cmd/ddp/train.py --data scenes.zip --recipe default -o model.safetensors
    torchrun --nproc_per_node 2 cmd/ddp/train.py --data scenes.zip -o model.safetensors
    torchrun --nnodes 2 --node_rank 0 --master_addr HOST --master_port 29500 \\
        --nproc_per_node 8 cmd/ddp/train.py --data scenes.zip -o model.safetensors

What is the same as `resnet train`:

- The zip is read by the rules of nn/data: the class folders, optionally
  inside train/ and test/ folders (Kaggle's seg_train/seg_train too),
  junk and files outside class folders left out, images in the order of
  torchvision's ImageFolder. Pixels are Pillow's: Image.convert("RGB") and
  the bilinear resize to the input size, which nn/data reproduces bit for
  bit (JPEGs can differ by 1 in a channel here and there, where Go's
  inverse DCT rounds otherwise than libjpeg-turbo's).
- The validation split is the very one `resnet train --seed S` (and the
  page) makes: Go's PCG generator and rand.Perm are reproduced here.
- The network (ResNet: stem, stages of basic blocks, global average
  pooling, a linear layer), with the state-dict names of the model files,
  and every recipe field under the flag name `resnet train` gives it.
- Each batch is split among the processes, and BatchNorm normalizes over
  the whole batch (synchronized across processes, on CPU too), as
  `resnet train` does across its workers.
- The model file: safetensors with the metadata the page and
  `resnet evaluate` read (classes, input size, normalization,
  architecture, recipe and history), written after every epoch.

What differs: PyTorch's initialization, shuffling and augmentation draw
from torch's generators, not Go's, so a run is repeatable (the same seed
and number of processes give the same weights) but not the same run as
`resnet train`'s; and the checkpoint (FILE.ckpt) is torch.save's, which
only this program resumes.
"""

import argparse
import concurrent.futures
import hashlib
import io
import json
import math
import os
import posixpath
import struct
import sys
import time
import traceback
import zipfile

import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

# ---------------------------------------------------------------------------
# Recipes: nn/recipe.go's presets and nn/recipefields.go's flags.
# ---------------------------------------------------------------------------

REFERENCE = {
    "name": "reference",
    "config": {"input_size": 32, "width": 16, "stages": [2, 2, 2], "shortcut": "conv3x3", "classes": 6},
    "epochs": 24, "batch_size": 64, "max_lr": 0.01, "pct_start": 0.3, "weight_decay": 1e-4,
    "clip_value": 0.1, "clip_norm": 0.0, "val_fraction": 0.2,
    "augment": {"Pad": 0, "FlipProb": 0.0}, "seed": 1,
}


def preset(name):
    """The recipe named name: reference (the notebook), default (plus crops
    and flips), quick (default in 8 epochs, flips only) or best (default at
    40x40 with label smoothing 0.1)."""
    r = json.loads(json.dumps(REFERENCE))
    if name == "reference":
        return r
    r["name"], r["augment"] = "default", {"Pad": 4, "FlipProb": 0.5}
    if name == "default":
        return r
    if name == "quick":
        r["name"], r["epochs"], r["augment"]["Pad"] = "quick", 8, 0
        return r
    if name == "best":
        r["name"], r["label_smoothing"] = "best", 0.1
        r["config"]["input_size"] = 40
        return r
    raise ValueError("recipe %r: want reference, default, quick or best" % name)


def _int(lo, hi):
    def parse(s):
        try:
            v = int(s)
        except ValueError:
            raise ValueError("%r is not a whole number" % s)
        if not lo <= v <= hi:
            raise ValueError("%d is out of range: %d to %d" % (v, lo, hi))
        return v
    return parse


def _float(lo, hi, open_lo=False, open_hi=False):
    def parse(s):
        try:
            v = float(s)
        except ValueError:
            raise ValueError("%r is not a number" % s)
        if not math.isfinite(v) or v < lo or v > hi or (open_lo and v == lo) or (open_hi and v == hi):
            raise ValueError("%s is out of range: %s%s, %s%s" % (
                s, "(" if open_lo else "[", lo, "∞" if hi == math.inf else hi, ")" if open_hi else "]"))
        return v
    return parse


def _stages(s):
    try:
        stages = [int(p) for p in s.split(",")]
    except ValueError:
        raise ValueError("%r: want whole numbers from 1 to 64, comma-separated" % s)
    if not 1 <= len(stages) <= 8 or not all(1 <= b <= 64 for b in stages):
        raise ValueError("%r: want 1 to 8 stages of 1 to 64 blocks" % s)
    return stages


def _shortcut(s):
    if s not in ("conv3x3", "conv1x1"):
        raise ValueError("%r: want conv3x3 or conv1x1" % s)
    return s


_seed = _int(0, 2**64 - 1)


# FIELDS are the recipe's fields as flags, in nn.RecipeFields's order and
# with its names and limits: (flag, where in the recipe, parse, usage).
FIELDS = [
    ("width", ("config", "width"), _int(1, 1024), "channels of the stem and the first stage; each stage doubles them"),
    ("stages", ("config", "stages"), _stages, "residual blocks in each stage, comma-separated; a stage halves the image"),
    ("shortcut", ("config", "shortcut"), _shortcut, "how a block that halves the image adds its input: conv3x3 or conv1x1"),
    ("size", ("config", "input_size"), _int(1, 1024), "side of the square images the network sees"),
    ("epochs", ("epochs",), _int(1, 10000), "passes over the training images"),
    ("batch", ("batch_size",), _int(1, 4096), "images per optimizer step, over all processes"),
    ("lr", ("max_lr",), _float(0, 10, True, True), "the one-cycle schedule's highest learning rate"),
    ("warmup", ("pct_start",), _float(0, 1, True, True), "share of the steps over which the learning rate rises to its peak"),
    ("wd", ("weight_decay",), _float(0, 1, False, True), "Adam's L2 penalty on the weights, added to the gradients"),
    ("clip-value", ("clip_value",), _float(0, math.inf, False, True), "each gradient element kept within ± this; 0 is off"),
    ("clip-norm", ("clip_norm",), _float(0, math.inf, False, True), "the gradients scaled to at most this L2 norm, after clipping by value; 0 is off"),
    ("label-smoothing", ("label_smoothing",), _float(0, 1, False, True), "share of each label spread evenly over all classes in the training loss, so that wrong labels mislead less; 0 is off"),
    ("pad", ("augment", "Pad"), _int(0, 1024), "random crops of the image padded by this many pixels; 0 is off"),
    ("flip", ("augment", "FlipProb"), _float(0, 1), "chance that a training image is mirrored left to right"),
    ("val", ("val_fraction",), _float(0, 1, False, True), "share of the training folder held out to validate each epoch"),
    ("seed", ("seed",), _seed, "decides the initial weights, the split, the order and the augmentation"),
]


def recipe_from(args):
    """The preset args.recipe with every field flag given applied on top."""
    r = preset(args.recipe)
    for flag, where, parse, _ in FIELDS:
        s = getattr(args, flag.replace("-", "_"))
        if s is None:
            continue
        try:
            v = parse(s.strip())
        except ValueError as e:
            sys.exit("--%s: %s" % (flag, e))
        d = r
        for k in where[:-1]:
            d = d[k]
        d[where[-1]] = v
    if not r.get("label_smoothing"):
        r.pop("label_smoothing", None)  # as nn's JSON leaves it out
    if args.split_seed is not None:
        r["split_seed"] = _seed(args.split_seed)
    if args.batchnorm_per_share:
        r["batchnorm_per_share"] = True
    return r


# ---------------------------------------------------------------------------
# Go's math/rand/v2 PCG and Rand.Perm, for resnet train's split.
# ---------------------------------------------------------------------------

M64 = (1 << 64) - 1


class GoPCG:
    """math/rand/v2's PCG (128-bit LCG, DXSM output) and the Rand methods
    the split draws with, giving exactly Go's numbers."""

    MUL = (2549297995355413924 << 64) | 4865540595714422341
    INC = (6364136223846793005 << 64) | 1442695040888963407

    def __init__(self, seed1, seed2):
        self.state = (seed1 << 64) | seed2

    def uint64(self):
        self.state = (self.state * self.MUL + self.INC) & ((1 << 128) - 1)
        hi, lo = self.state >> 64, self.state & M64
        hi ^= hi >> 32
        hi = (hi * 0xDA942042E4DD58B5) & M64
        hi ^= hi >> 48
        return (hi * (lo | 1)) & M64

    def uint64n(self, n):
        if n & (n - 1) == 0:
            return self.uint64() & (n - 1)
        p = self.uint64() * n
        if p & M64 < n:
            thresh = (-n & M64) % n
            while p & M64 < thresh:
                p = self.uint64() * n
        return p >> 64

    def perm(self, n):
        p = list(range(n))
        for i in range(n - 1, 0, -1):
            j = self.uint64n(i + 1)
            p[i], p[j] = p[j], p[i]
        return p


def split_indices(n, recipe):
    """The training and validation images of a training folder of n images,
    as nn/data's Set.SplitIndices draws them from Recipe.SplitRand."""
    first = int((1 - recipe["val_fraction"]) * n)
    seed = recipe.get("split_seed", recipe["seed"])
    p = GoPCG(seed, 1).perm(n)
    return p[:first], p[first:]


# ---------------------------------------------------------------------------
# The data set zip, by nn/data's rules (layout.go, open.go, decode.go).
# ---------------------------------------------------------------------------

TRAIN_NAMES = ("train", "training", "seg_train", "train_set", "trainset")
TEST_NAMES = ("test", "testing", "seg_test", "test_set", "testset")
VAL_NAMES = ("val", "valid", "validation", "seg_val", "val_set")
IMAGE_EXTS = (".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp")
MAX_PIXELS = 40_000_000  # data.DefaultMaxPixels


class Folder:
    def __init__(self, path):
        self.path, self.folders, self.files = path, {}, []  # files: (name, ZipInfo)

    def sub(self):
        return [self.folders[k] for k in sorted(self.folders)]

    def has_images(self):
        return any(is_image(name) for name, _ in self.files)

    def all_files(self):
        """Files in this folder and below: by folder path, then name."""
        out = sorted(self.files, key=lambda f: f[0].encode())
        for c in self.sub():
            out += c.all_files()
        return out

    def name(self):
        return self.path.rstrip("/").rsplit("/", 1)[-1]


def is_image(name):
    return posixpath.splitext(name)[1].lower() in IMAGE_EXTS


def is_junk(name):
    return any(p.startswith(".") or p.lower() in ("__macosx", "thumbs.db", "desktop.ini") for p in name.split("/"))


def clean_name(name):
    """The entry's name cleaned as nn/data's cleanName does, or None for
    one that is unsafe or names nothing."""
    name = name.replace("\\", "/")
    is_dir = name.endswith("/")
    if name.startswith("/") or (len(name) >= 2 and name[1] == ":" and name[0].isalpha()):
        return None
    name = posixpath.normpath(name)
    if name == ".." or name.startswith("../") or name == ".":
        return None
    return name + "/" if is_dir else name


class Dataset:
    """The images of a data set zip: names, labels and the train/test
    split of each, as nn/data's OpenZip lists them."""

    def __init__(self, path):
        self.path = path
        self.zip = zipfile.ZipFile(path)
        top = Folder("")
        for info in self.zip.infolist():
            name = clean_name(info.filename)
            if not name or is_junk(name):
                continue
            parts = name.rstrip("/").split("/")
            is_dir = name.endswith("/") or info.is_dir()
            d = top
            for p in parts if is_dir else parts[:-1]:
                d = d.folders.setdefault(p, Folder(d.path + p + "/"))
            if not is_dir:
                d.files.append((parts[-1], info))
        train, test = self.layout(top)
        self.classes = [c.name() for c in train.sub()]
        if len(self.classes) < 2:
            raise ValueError("%s: want at least two class folders in %s" % (path, train.path or "the top folder"))
        self.names, self.labels, self.test, self.infos = [], [], [], []
        for split, is_test in ((train, False), (test, True)):
            if split is None:
                continue
            for c in split.sub():
                if c.name() not in self.classes:
                    raise ValueError("%s: test class %s is not among the train classes" % (path, c.path))
                for name, info in c.all_files():
                    if is_image(name) and not info.flag_bits & 1:
                        self.names.append(info.filename)
                        self.labels.append(self.classes.index(c.name()))
                        self.test.append(is_test)
                        self.infos.append(info)

    @staticmethod
    def unwrap(d):
        while len(d.folders) == 1 and not d.has_images():
            c = d.sub()[0]
            if c.has_images() or not c.folders:
                break
            d = c
        return d

    def layout(self, top):
        root = self.unwrap(top)
        subs = root.sub()
        named = lambda names: next((f for f in subs if f.name().lower() in names), None)
        train = named(TRAIN_NAMES)
        if train is None:
            return root, None
        test = named(TEST_NAMES) or named(VAL_NAMES)
        test = self.unwrap(test) if test is not None else None
        if test is not None and not test.folders:
            test = None
        return self.unwrap(train), test

    def decode(self, i, size):
        """Image i at size×size RGB, as bytes of rows of pixels, or the
        reason it cannot be read."""
        try:
            with Image.open(io.BytesIO(self.zip.read(self.infos[i]))) as im:
                if im.width * im.height > MAX_PIXELS:
                    return "%d×%d pixels: more than %d" % (im.width, im.height, MAX_PIXELS)
                return im.convert("RGB").resize((size, size), Image.BILINEAR).tobytes()
        except Exception as e:  # a corrupt or unsupported file is skipped, as nn/data skips it
            return "cannot be read: %s" % e


def load(ds, size, rank, world, threads):
    """Every image of ds decoded at size: this process decodes every
    world-th, from its rank, and the processes exchange them. Returns the
    uint8 pixels [N, size, size, 3] and the reasons of the skipped, by
    index."""
    mine = range(rank, len(ds.names), world)
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:  # Pillow decodes without the GIL
        got = dict(zip(mine, pool.map(lambda i: ds.decode(i, size), mine)))
    if world > 1:
        parts = [None] * world
        dist.all_gather_object(parts, got)
        got = {k: v for p in parts for k, v in p.items()}
    pix = torch.zeros(len(ds.names), size, size, 3, dtype=torch.uint8)
    skipped = {}
    for i, v in got.items():
        if isinstance(v, str):
            skipped[i] = v
        else:
            pix[i] = torch.frombuffer(bytearray(v), dtype=torch.uint8).view(size, size, 3)
    return pix, skipped


# ---------------------------------------------------------------------------
# The network: nn/resnet.go's ResNet, with its state-dict names.
# ---------------------------------------------------------------------------


class _SyncBatchNormFunction(torch.autograd.Function):
    """Batch normalization over the batch of every process: the mean and
    variance gathered with their counts, the backward's two sums reduced,
    as torch.nn.SyncBatchNorm does (which, up to PyTorch 1.13, refuses
    tensors on the CPU)."""

    @staticmethod
    def forward(ctx, x, weight, bias, running_mean, running_var, eps, momentum):
        c = x.shape[1]
        n = x.numel() // c
        if n > 0:
            var, mean = torch.var_mean(x, dim=(0, 2, 3), unbiased=False)
        else:
            var = mean = x.new_zeros(c)
        stats = torch.cat([mean, var, x.new_full((1,), n)]).double()
        parts = [torch.empty_like(stats) for _ in range(dist.get_world_size())]
        dist.all_gather(parts, stats)
        parts = torch.stack(parts)
        counts = parts[:, 2 * c:]
        total = counts.sum()
        if total < 2:
            raise ValueError("BatchNorm needs more than one value a channel; the batch has %d" % int(total))
        gmean = (parts[:, :c] * counts).sum(0) / total
        gvar = ((parts[:, c:2 * c] + (parts[:, :c] - gmean) ** 2) * counts).sum(0) / total
        with torch.no_grad():
            running_mean.mul_(1 - momentum).add_(gmean.to(running_mean.dtype), alpha=momentum)
            running_var.mul_(1 - momentum).add_((gvar * total / (total - 1)).to(running_var.dtype), alpha=momentum)
        invstd = torch.rsqrt(gvar + eps).to(x.dtype)
        xhat = (x - gmean.to(x.dtype).view(1, c, 1, 1)) * invstd.view(1, c, 1, 1)
        ctx.save_for_backward(xhat, weight, invstd)
        ctx.total = float(total)
        return xhat * weight.view(1, c, 1, 1) + bias.view(1, c, 1, 1)

    @staticmethod
    def backward(ctx, dy):
        xhat, weight, invstd = ctx.saved_tensors
        c = dy.shape[1]
        dbias = dy.sum(dim=(0, 2, 3))
        dweight = (dy * xhat).sum(dim=(0, 2, 3))
        sums = torch.cat([dbias, dweight])
        dist.all_reduce(sums)
        mean_dy = (sums[:c] / ctx.total).view(1, c, 1, 1)
        mean_dy_xhat = (sums[c:] / ctx.total).view(1, c, 1, 1)
        dx = (dy - mean_dy - xhat * mean_dy_xhat) * (weight * invstd).view(1, c, 1, 1)
        return dx, dweight, dbias, None, None, None, None


class BatchNorm(nn.BatchNorm2d):
    """BatchNorm2d that, in training with several processes, normalizes
    over the whole batch of all of them (unless sync is turned off); alone,
    or in evaluation, it is PyTorch's own."""

    sync = True

    def forward(self, x):
        if not (self.sync and self.training and dist.is_initialized() and dist.get_world_size() > 1):
            return super().forward(x)
        self.num_batches_tracked.add_(1)
        return _SyncBatchNormFunction.apply(x, self.weight, self.bias, self.running_mean, self.running_var,
                                            self.eps, self.momentum)


class Block(nn.Module):
    """conv3×3 (with the stride), BN, ReLU, conv3×3, BN, plus the shortcut
    (identity, or a convolution with BN where the shape changes), ReLU."""

    def __init__(self, cin, cout, stride, shortcut):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = BatchNorm(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = BatchNorm(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            k = 1 if shortcut == "conv1x1" else 3
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), BatchNorm(cout))

    def forward(self, x):
        s = x if self.downsample is None else self.downsample(x)
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))) + s)


class ResNet(nn.Module):
    """The stem (conv3×3, BN, ReLU), stages of blocks (each after the first
    halves the image and doubles the channels), global average pooling
    and a linear layer: nn.Reference() is ResNet-14."""

    def __init__(self, config):
        super().__init__()
        w = config["width"]
        self.conv = nn.Conv2d(3, w, 3, 1, 1, bias=False)
        self.bn = BatchNorm(w)
        cin = w
        for s, blocks in enumerate(config["stages"]):
            cout = w << s
            layer = []
            for b in range(blocks):
                layer.append(Block(cin, cout, 2 if s > 0 and b == 0 else 1, config["shortcut"]))
                cin = cout
            self.add_module("layer%d" % (s + 1), nn.Sequential(*layer))
        self.fc = nn.Linear(cin, config["classes"])
        self.stages = len(config["stages"])

    def forward(self, x):
        x = F.relu(self.bn(self.conv(x)))
        for s in range(self.stages):
            x = getattr(self, "layer%d" % (s + 1))(x)
        return self.fc(x.mean(dim=(2, 3)))


def arch(config):
    return "resnet%d" % (2 + 2 * sum(config["stages"]))


# ---------------------------------------------------------------------------
# The model file: safetensors with nn.Meta's metadata (nn/model.go).
# ---------------------------------------------------------------------------

MEAN, STD = [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]


def write_model(path, model, recipe, classes, history, source):
    """Write the state dict and the metadata the page reads, atomically."""
    header, blobs, off = {}, [], 0
    for name, t in model.state_dict().items():
        t = t.detach().cpu().contiguous()
        dtype = "I64" if t.dtype == torch.int64 else "F32"
        b = t.numpy().astype("<i8" if dtype == "I64" else "<f4").tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    js = lambda v: json.dumps(v, separators=(",", ":"))
    header["__metadata__"] = {
        "format": "pt", "config": js(recipe["config"]), "classes": js(classes),
        "input_size": str(recipe["config"]["input_size"]), "normalization": js({"Mean": MEAN, "Std": STD}),
        "source": source, "recipe": js(recipe), "history": js(history),
    }
    h = js(header).encode()
    h += b" " * (-len(h) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# Training.
# ---------------------------------------------------------------------------


def generator(*key):
    """A torch generator seeded from key: the same on every process and in
    a resumed run as in an uninterrupted one."""
    g = torch.Generator()
    g.manual_seed(int.from_bytes(hashlib.sha256(repr(key).encode()).digest()[:8], "little"))
    return g


def to_input(pix, device):
    """uint8 NHWC pixels to the network's normalized float NCHW input, as
    torchvision's ToTensor and Normalize(0.5, 0.5) compute it."""
    x = pix.to(device).permute(0, 3, 1, 2).float().div(255)
    mean = torch.tensor(MEAN, device=device).view(1, 3, 1, 1)
    std = torch.tensor(STD, device=device).view(1, 3, 1, 1)
    return x.sub(mean).div(std).contiguous()


def augment(pix, aug, g):
    """Random crops of the images padded by aug["Pad"] black pixels and
    flips with probability aug["FlipProb"] (torchvision's RandomCrop and
    RandomHorizontalFlip), drawn from g."""
    n, s = pix.shape[0], pix.shape[1]
    pad, p = aug["Pad"], aug["FlipProb"]
    if n == 0 or (pad == 0 and p == 0):
        return pix
    top = torch.randint(0, 2 * pad + 1, (n,), generator=g) if pad else torch.full((n,), 0)
    left = torch.randint(0, 2 * pad + 1, (n,), generator=g) if pad else torch.full((n,), 0)
    flip = torch.rand(n, generator=g) < p if p else torch.zeros(n, dtype=torch.bool)
    padded = F.pad(pix, (0, 0, pad, pad, pad, pad)) if pad else pix
    ar = torch.arange(s)
    rows = top[:, None] + ar
    cols = left[:, None] + torch.where(flip[:, None], s - 1 - ar, ar)
    return padded[torch.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def evaluate(model, pix, labels, classes, device, rank, world, batch=256):
    """Loss and confusion matrix (rows actual) of the model on the images,
    each process scoring its share."""
    model.eval()
    idx = torch.tensor_split(torch.arange(len(labels)), world)[rank]
    cm = torch.zeros(len(classes), len(classes), dtype=torch.float64)
    loss = torch.zeros(1, dtype=torch.float64)
    with torch.no_grad():
        for lo in range(0, len(idx), batch):
            i = idx[lo:lo + batch]
            out = model(to_input(pix[i], device))
            y = labels[i].to(device)
            loss += F.cross_entropy(out, y, reduction="sum").double().cpu()
            cm.index_put_((labels[i], out.argmax(1).cpu()), torch.ones(len(i), dtype=torch.float64), accumulate=True)
    if world > 1:
        both = torch.cat([loss, cm.flatten()])
        dist.all_reduce(both)
        loss, cm = both[:1], both[1:].view_as(cm)
    return loss.item() / max(len(labels), 1), cm.long()


def accuracy_line(cm):
    """nn.ConfusionMatrix.AccuracyLine: "accuracy: 0.9154 (12847/14034)"."""
    right, total = int(cm.diag().sum()), int(cm.sum())
    return "accuracy: %.4f (%d/%d)" % (right / total if total else 0, right, total)


def weights_digest(model):
    h = hashlib.sha256()
    for name, t in model.state_dict().items():
        h.update(name.encode())
        h.update(t.detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 epilog="Under torchrun each process trains a share of every batch.")
    ap.add_argument("--data", help="data set zip (class folders, optionally in train/ and test/)")
    ap.add_argument("--recipe", default="default", help="starting recipe: reference, default, quick or best; "
                    "the field flags override its values")
    ap.add_argument("-o", "--out", default="model.safetensors", help="model file written after every epoch; "
                    "the checkpoint for --resume is kept beside it as FILE.ckpt")
    ap.add_argument("--resume", action="store_true", help="continue the run in FILE.ckpt from its last epoch")
    ap.add_argument("--steps", type=int, default=0, help="stop after this many optimizer steps (0: all epochs), "
                    "for trying a setup; the model is written as it is then")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads a process (default: cores / processes)")
    ap.add_argument("--print-recipe", action="store_true", help="print the recipe as JSON and stop")
    for flag, _, _, usage in FIELDS:
        ap.add_argument("--" + flag, metavar="V", help=usage)
    ap.add_argument("--split-seed", metavar="V", help="seed of the train/validation split alone (default: --seed)")
    ap.add_argument("--batchnorm-per-share", action="store_true",
                    help="each process's BatchNorm normalizes its own share of a batch (process 0's running "
                    "statistics are kept), instead of the whole batch: no exchange in every BatchNorm, "
                    "which costs where the processes' network is slow")
    args = ap.parse_args()
    recipe = recipe_from(args)
    if args.print_recipe:
        print(json.dumps(recipe))
        return
    if not args.data:
        ap.error("--data is required: the data set zip to train on")

    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_world = int(os.environ.get("LOCAL_WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available()
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if world > 1:
        if cuda:
            torch.cuda.set_device(device)
        dist.init_process_group("nccl" if cuda else "gloo")
    threads = args.threads or max(1, (os.cpu_count() or 1) // local_world)
    torch.set_num_threads(threads)
    say = (lambda *a, **k: print(*a, **k, flush=True)) if rank == 0 else (lambda *a, **k: None)
    if recipe["batch_size"] < world:
        sys.exit("--batch %d: want at least one image a process (%d)" % (recipe["batch_size"], world))

    start = time.time()
    try:
        ds = Dataset(args.data)
    except zipfile.BadZipFile as e:
        sys.exit("%s is not a zip file, or a damaged one (%s): give the data set's zip" % (args.data, e))
    except (OSError, ValueError) as e:
        sys.exit("%s: %s" % (args.data, e))
    size = recipe["config"]["input_size"]
    pix, skipped = load(ds, size, rank, world, threads)
    for i in sorted(skipped):
        say("skipped %s: %s" % (ds.names[i], skipped[i]))
    kept = [i for i in range(len(ds.names)) if i not in skipped]
    train_all = [i for i in kept if not ds.test[i]]
    test = [i for i in kept if ds.test[i]]
    for c, name in enumerate(ds.classes):
        if not any(ds.labels[i] == c for i in train_all):
            sys.exit("%s: class %s has no image that could be read" % (args.data, name))
    tr, va = split_indices(len(train_all), recipe)
    tr, va = [train_all[i] for i in tr], [train_all[i] for i in va]
    labels = torch.tensor(ds.labels)
    recipe["config"]["classes"] = len(ds.classes)
    say("read %s: %d images in %d classes (%d skipped) in %.1fs" % (
        args.data, len(kept), len(ds.classes), len(skipped), time.time() - start))

    torch.manual_seed(recipe["seed"])
    model = ResNet(recipe["config"]).to(device)
    per_share = recipe.get("batchnorm_per_share", False)
    for m in model.modules():
        if isinstance(m, BatchNorm):
            m.sync = not per_share
    # Synchronized, every process computes the same running statistics;
    # per share, DDP hands process 0's to the others at every step.
    net = nn.parallel.DistributedDataParallel(
        model, device_ids=[local_rank] if cuda else None, broadcast_buffers=per_share) if world > 1 else model
    bs = recipe["batch_size"]
    steps_per_epoch = math.ceil(len(tr) / bs)
    opt = torch.optim.Adam(model.parameters(), lr=recipe["max_lr"], weight_decay=recipe["weight_decay"])
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=recipe["max_lr"], pct_start=recipe["pct_start"],
                                                total_steps=recipe["epochs"] * steps_per_epoch)
    history, first = [], 1
    ckpt = args.out + ".ckpt"
    if args.resume:
        try:
            state = torch.load(ckpt, map_location=device)
        except Exception as e:  # missing, truncated or not a checkpoint: torch.load's many errors
            sys.exit("--resume: %s cannot be read: %s" % (ckpt, e))
        if state["recipe"] != recipe:
            sys.exit("--resume: %s was made with another recipe: %s" % (ckpt, json.dumps(state["recipe"])))
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        sched.load_state_dict(state["scheduler"])
        history, first = state["history"], state["epoch"] + 1
        say("resumed %s after epoch %d of %d" % (ckpt, state["epoch"], recipe["epochs"]))
    source = "trained with PyTorch %s DistributedDataParallel on %d process%s (%s), the %s recipe, seed %d" % (
        torch.__version__, world, "" if world == 1 else "es", "nccl, GPU" if cuda else "gloo, CPU",
        recipe["name"], recipe["seed"])
    say("%s, %d parameters; %d train, %d validation, %d test images; %d epochs of %d steps on %d process%s, "
        "%d threads each" % (arch(recipe["config"]), sum(p.numel() for p in model.parameters()), len(tr), len(va),
                             len(test), recipe["epochs"], steps_per_epoch, world, "" if world == 1 else "es", threads))
    say("epoch  train_loss  train_acc  val_loss  val_acc        lr   seconds")
    step = (first - 1) * steps_per_epoch
    stopped = False
    for epoch in range(first, recipe["epochs"] + 1):
        t0 = time.time()
        lr = opt.param_groups[0]["lr"]
        model.train()
        order = torch.randperm(len(tr), generator=generator(recipe["seed"], "order", epoch))
        aug = generator(recipe["seed"], "augment", epoch, rank, world)
        sums = torch.zeros(3, dtype=torch.float64)  # loss, right, seen
        for lo in range(0, len(tr), bs):
            if args.steps and step >= args.steps:
                stopped = True
                break
            batch = [tr[i] for i in order[lo:lo + bs]]
            share = torch.tensor_split(torch.tensor(batch), world)[rank]
            x = to_input(augment(pix[share], recipe["augment"], aug), device)
            y = labels[share].to(device)
            out = net(x)
            loss = F.cross_entropy(out, y, reduction="sum", label_smoothing=recipe.get("label_smoothing", 0.0))
            if not math.isfinite(loss.item()):
                sys.exit("the loss is %s at step %d (epoch %d): the recipe diverged, try a lower --lr; %s" % (
                    loss.item(), step + 1, epoch, "the model of epoch %d is in %s" % (epoch - 1, args.out)
                    if epoch > 1 else "no model was written"))
            opt.zero_grad()
            (loss * (world / len(batch))).backward()  # the batch's mean loss, once DDP averages
            if recipe["clip_value"]:
                nn.utils.clip_grad_value_(model.parameters(), recipe["clip_value"])
            if recipe["clip_norm"]:
                nn.utils.clip_grad_norm_(model.parameters(), recipe["clip_norm"])
            opt.step()
            sched.step()
            step += 1
            sums += torch.tensor([loss.item(), (out.argmax(1) == y).sum().item(), len(share)], dtype=torch.float64)
        if stopped and sums[2] == 0:
            break
        if world > 1:
            dist.all_reduce(sums)
            if per_share:  # the last step's statistics are each process's own
                for b in model.buffers():
                    dist.broadcast(b, 0)
        vloss, vcm = evaluate(model, pix[va], labels[va], ds.classes, device, rank, world) if va else (0.0, None)
        e = {"epoch": epoch, "train_loss": sums[0].item() / sums[2].item(), "train_acc": sums[1].item() / sums[2].item(),
             "val_loss": vloss, "val_acc": (vcm.diag().sum() / vcm.sum()).item() if va else 0.0,
             "lr": lr, "seconds": time.time() - t0}
        history.append(e)
        val = "%8.4f  %6.2f%%" % (e["val_loss"], 100 * e["val_acc"]) if va else "%8s  %7s" % ("-", "-")
        say("%5d  %10.4f  %8.2f%%  %s  %8.2e  %8.1f" % (epoch, e["train_loss"], 100 * e["train_acc"], val, lr,
                                                         e["seconds"]))
        if rank == 0:
            write_model(args.out, model, recipe, ds.classes, history, source)
        if rank == 0 and not stopped:  # a checkpoint holds whole epochs only
            torch.save({"epoch": epoch, "recipe": recipe, "model": model.state_dict(), "optimizer": opt.state_dict(),
                        "scheduler": sched.state_dict(), "history": history, "world_size": world}, ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)
        if stopped:
            break

    for name, part in (("validation", va), ("test", test)):
        if part:
            loss, cm = evaluate(model, pix[part], labels[part], ds.classes, device, rank, world)
            say("\n%s (%d images):\nloss: %.4f\n%s" % (name, len(part), loss, accuracy_line(cm)))
    if world > 1:  # every process says what it holds: DDP keeps the replicas equal
        print("process %d of %d: weights sha256 %s" % (rank, world, weights_digest(model)), flush=True)
        dist.barrier()  # and no destroy_process_group: see run_then_exit
    say("model written to %s" % args.out)


def run_then_exit(fn, *args):
    """Runs fn(*args) and ends the process with its status. Once a process
    group is joined (under torchrun) it ends without the interpreter's
    teardown: in PyTorch 1.13 that teardown can deadlock, the DDP reducer
    freeing the gloo process group, which joins a worker thread that waits
    for the interpreter lock to free a tensor (seen in the tests, one run
    in a few hanging after its last line). So the process group is never
    destroyed: destroy_process_group would leave DDP's reducer its last
    holder, and the deadlock would come back when fn returns. A status
    that is not a number is printed and ends the process with 1, as
    sys.exit does; any other exception, Ctrl-C too, with 1."""
    try:
        fn(*args)
        status = 0
    except SystemExit as e:
        status = e.code
    except BaseException:
        traceback.print_exc()
        status = 1
    if not dist.is_initialized():
        sys.exit(status)
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status or 0)


if __name__ == "__main__":
    run_then_exit(main)
