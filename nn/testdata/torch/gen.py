#!/usr/bin/python3
"""Reference fixtures for package nn, computed by PyTorch itself.

Run from the repository root with Debian's PyTorch (python3-torch):

    /usr/bin/python3 nn/testdata/torch/gen.py

It writes *.safetensors files next to this script (nn/testdata/torch/).
The output is deterministic: every section re-seeds torch's generator with
its own fixed seed, PyTorch runs single-threaded, and the files are written
byte for byte by our own writer (no safetensors package).

Precision policy
----------------
* Every input (x, weights, dy, labels, grads fed to optimizers, ...) is
  generated as float32.
* Layer fixtures (conv, batchnorm, linear, pool, loss) and the full-network
  fixture (resnet) are computed in float64 from those same float32 inputs, so
  a stored output is the exact math rounded once to float32.
* The optimizer sequences (adam, clip, train) are computed in float32,
  exactly as PyTorch trains (the notebook trained in float32).  adam also
  carries an `f64.` variant computed in float64 from the same inputs.
* onecycle records the Python floats (float64) the scheduler produced,
  stored rounded to float32.

File format: safetensors, written by hand (see write_safetensors).  Every
tensor is dtype F32, including labels, counters and scalars; scalars have
shape [1].  Scalar settings are also in "__metadata__" as strings.

The seed weights are read from $SEED_PTH, or else the first of
<repo>/../shared/data/seed-resnet14.pth and /work/shared/data/seed-resnet14.pth
that exists.  Its sha256 is recorded in the metadata of resnet/train.
"""

import hashlib
import json
import math
import os
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.optim.lr_scheduler import OneCycleLR

OUT = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(OUT, "..", "..", ".."))

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)

F32 = torch.float32
F64 = torch.float64

# --------------------------------------------------------------------------
# safetensors writer / reader (by hand)
# --------------------------------------------------------------------------


def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, tensor); every tensor is stored as F32 LE."""
    header = OrderedDict()
    blobs = []
    off = 0
    seen = set()
    for name, t in tensors:
        assert name not in seen, name
        seen.add(name)
        if isinstance(t, torch.Tensor):
            a = t.detach().cpu()
            if a.dim() == 0:
                a = a.reshape(1)
            a = a.to(F32).contiguous().numpy()
        else:
            a = np.asarray(t, dtype=np.float32)
            if a.ndim == 0:
                a = a.reshape(1)
        b = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    header["__metadata__"] = OrderedDict((k, str(v)) for k, v in metadata.items())
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((-len(h)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Returns (OrderedDict name -> numpy array, metadata dict); F32 or I64 tensors."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0
    header = json.loads(raw[8:8 + n].decode("utf-8"), object_pairs_hook=OrderedDict)
    meta = header.pop("__metadata__", {})
    data = raw[8 + n:]
    out = OrderedDict()
    end_max = 0
    for name, info in header.items():
        dt = {"F32": "<f4", "I64": "<i8"}[info["dtype"]]  # I64: the Go models' num_batches_tracked
        b, e = info["data_offsets"]
        count = int(np.prod(info["shape"])) if info["shape"] else 1
        assert e - b == np.dtype(dt).itemsize * count, name
        out[name] = np.frombuffer(data[b:e], dtype=dt).reshape(info["shape"])
        end_max = max(end_max, e)
    assert end_max == len(data), path
    return out, meta


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

ERRS = []  # (fixture, name, max|f32 - f64|, max|f64|) for the README


def note_err(fixture, name, ref64, got32):
    ref = ref64.detach().to(F64)
    got = got32.detach().to(F64)
    ERRS.append((fixture, name, (ref - got).abs().max().item(), ref.abs().max().item()))


def leaf(t, dtype):
    """A fresh leaf copy of t in dtype that records its gradient."""
    return t.detach().to(dtype).clone().requires_grad_()


def seed(n):
    torch.manual_seed(n)


def meta_common():
    return OrderedDict([
        ("generator", "nn/testdata/torch/gen.py"),
        ("torch_version", torch.__version__),
        ("layout", "NCHW; conv weight [out,in,kh,kw]; linear weight [out,in]"),
        ("dtype_note", "all tensors F32 (labels/counters too); scalars have shape [1]"),
    ])


# --------------------------------------------------------------------------
# 1. conv
# --------------------------------------------------------------------------


def conv_ref(x, w, b, dy, stride, dtype):
    xd = leaf(x, dtype)
    wd = leaf(w, dtype)
    bd = leaf(b, dtype) if b is not None else None
    y = F.conv2d(xd, wd, bd, stride=stride, padding=1)
    (y * dy.to(dtype)).sum().backward()
    r = OrderedDict([("y", y), ("dx", xd.grad), ("dw", wd.grad)])
    if b is not None:
        r["db"] = bd.grad
    return r


def gen_conv():
    seed(1001)
    cases = [
        # N, Cin, Cout, H, W, stride, bias
        (2, 3, 4, 5, 5, 1, False),
        (2, 3, 4, 5, 5, 1, True),
        (2, 4, 6, 6, 6, 2, False),
        (2, 4, 6, 7, 7, 2, True),
        (1, 1, 1, 4, 6, 1, False),
        (2, 2, 3, 5, 8, 2, True),  # extra: non-square, odd H, stride 2
    ]
    tensors = []
    meta = meta_common()
    meta["op"] = "y = conv2d(x, w, b, stride, padding=1), kernel 3x3; loss = sum(y*dy)"
    meta["cases"] = str(len(cases))
    for k, (N, Ci, Co, H, W, s, bias) in enumerate(cases):
        x = torch.randn(N, Ci, H, W, dtype=F32)
        w = (torch.randn(Co, Ci, 3, 3, dtype=F32) / math.sqrt(Ci * 9)).to(F32)
        b = torch.randn(Co, dtype=F32) if bias else None
        Ho = (H + 2 - 3) // s + 1
        Wo = (W + 2 - 3) // s + 1
        dy = torch.randn(N, Co, Ho, Wo, dtype=F32)
        r = conv_ref(x, w, b, dy, s, F64)
        r32 = conv_ref(x, w, b, dy, s, F32)
        p = "c%d." % k
        tensors += [(p + "x", x), (p + "w", w)]
        if bias:
            tensors.append((p + "b", b))
        tensors.append((p + "dy", dy))
        for n, v in r.items():
            tensors.append((p + n, v))
            note_err("conv", p + n, v, r32[n])
        meta[p + "stride"] = str(s)
        meta[p + "padding"] = "1"
        meta[p + "bias"] = "true" if bias else "false"
        meta[p + "shape"] = "N=%d Cin=%d Cout=%d H=%d W=%d -> Ho=%d Wo=%d" % (N, Ci, Co, H, W, Ho, Wo)
    write_safetensors(os.path.join(OUT, "conv.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# 2. batchnorm
# --------------------------------------------------------------------------


def bn_ref(x, w, b, rm, rv, dy, training, dtype):
    xd = leaf(x, dtype)
    wd = leaf(w, dtype)
    bd = leaf(b, dtype)
    rmd = rm.to(dtype).clone()
    rvd = rv.to(dtype).clone()
    y = F.batch_norm(xd, rmd, rvd, wd, bd, training=training, momentum=0.1, eps=1e-5)
    (y * dy.to(dtype)).sum().backward()
    return y, xd.grad, wd.grad, bd.grad, rmd, rvd


def gen_batchnorm():
    seed(1002)
    N, C, H, W = 4, 3, 3, 5
    mean = torch.tensor([1.5, -2.0, 0.3], dtype=F32).view(1, C, 1, 1)
    scale = torch.tensor([0.5, 2.0, 1.2], dtype=F32).view(1, C, 1, 1)
    x = (torch.randn(N, C, H, W, dtype=F32) * scale + mean).to(F32)
    weight = torch.tensor([1.3, 0.7, -0.4], dtype=F32) + 0.1 * torch.randn(C, dtype=F32)
    bias = torch.tensor([0.2, -0.6, 1.1], dtype=F32) + 0.1 * torch.randn(C, dtype=F32)
    rm = torch.tensor([0.2, -0.5, 1.0], dtype=F32)
    rv = torch.tensor([0.8, 1.5, 0.3], dtype=F32)
    dy = torch.randn(N, C, H, W, dtype=F32)

    y, dx, dw, db, rm2, rv2 = bn_ref(x, weight, bias, rm, rv, dy, True, F64)
    y32, dx32, dw32, db32, rm232, rv232 = bn_ref(x, weight, bias, rm, rv, dy, True, F32)
    ye, dxe, dwe, dbe, _, _ = bn_ref(x, weight, bias, rm, rv, dy, False, F64)
    ye32, dxe32, _, _, _, _ = bn_ref(x, weight, bias, rm, rv, dy, False, F32)
    xd = x.to(F64)
    bmean = xd.mean(dim=(0, 2, 3))
    bvar = xd.var(dim=(0, 2, 3), unbiased=False)
    for n, a, b_ in [("y", y, y32), ("dx", dx, dx32), ("dweight", dw, dw32), ("dbias", db, db32),
                     ("running_mean_after", rm2, rm232), ("running_var_after", rv2, rv232),
                     ("y_eval", ye, ye32), ("dx_eval", dxe, dxe32)]:
        note_err("batchnorm", n, a, b_)
    tensors = [
        ("x", x), ("weight", weight), ("bias", bias),
        ("running_mean", rm), ("running_var", rv), ("dy", dy),
        ("y", y), ("dx", dx), ("dweight", dw), ("dbias", db),
        ("running_mean_after", rm2), ("running_var_after", rv2),
        ("batch_mean", bmean), ("batch_var", bvar),
        ("y_eval", ye), ("dx_eval", dxe), ("dweight_eval", dwe), ("dbias_eval", dbe),
        ("eps", torch.tensor([1e-5])), ("momentum", torch.tensor([0.1])),
    ]
    meta = meta_common()
    meta["op"] = "BatchNorm2d(3, eps=1e-5, momentum=0.1); loss = sum(y*dy)"
    meta["eps"] = "1e-5"
    meta["momentum"] = "0.1"
    meta["running_update"] = ("running_mean_after = 0.9*running_mean + 0.1*batch_mean; "
                              "running_var_after = 0.9*running_var + 0.1*batch_var*n/(n-1), n=N*H*W=60 "
                              "(batch_var is the biased variance used for normalisation)")
    meta["eval"] = "y_eval/dx_eval use running_mean/running_var (the 'before' stats), same dy"
    write_safetensors(os.path.join(OUT, "batchnorm.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# 3. linear
# --------------------------------------------------------------------------


def gen_linear():
    seed(1003)
    x = torch.randn(5, 64, dtype=F32)
    w = (torch.randn(6, 64, dtype=F32) / 8).to(F32)
    b = torch.randn(6, dtype=F32)
    dy = torch.randn(5, 6, dtype=F32)
    res = {}
    for dt in (F64, F32):
        xd, wd, bd = (leaf(t, dt) for t in (x, w, b))
        y = F.linear(xd, wd, bd)
        (y * dy.to(dt)).sum().backward()
        res[dt] = OrderedDict([("y", y), ("dx", xd.grad), ("dw", wd.grad), ("db", bd.grad)])
    for n in res[F64]:
        note_err("linear", n, res[F64][n], res[F32][n])
    tensors = [("x", x), ("w", w), ("b", b), ("dy", dy)] + list(res[F64].items())
    meta = meta_common()
    meta["op"] = "y = x @ w.T + b (nn.Linear(64, 6)); loss = sum(y*dy)"
    write_safetensors(os.path.join(OUT, "linear.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# 4. pool
# --------------------------------------------------------------------------


def distinct(shape):
    """float32 values, all distinct (no ties in max pooling), exact in f32."""
    n = int(np.prod(shape))
    return ((torch.randperm(n).to(F32) - n / 2) * 0.125).reshape(shape).to(F32)


def gen_pool():
    seed(1004)
    tensors = []
    # global average pool
    x = torch.randn(2, 3, 8, 8, dtype=F32)
    dy = torch.randn(2, 3, 1, 1, dtype=F32)
    res = {}
    for dt in (F64, F32):
        xd = leaf(x, dt)
        y = F.avg_pool2d(xd, 8)
        (y * dy.to(dt)).sum().backward()
        res[dt] = (y, xd.grad)
    note_err("pool", "y", res[F64][0], res[F32][0])
    note_err("pool", "dx", res[F64][1], res[F32][1])
    tensors += [("x", x), ("y", res[F64][0]), ("dy", dy), ("dx", res[F64][1])]

    # max pools
    for p, shape, k, s, pad in [("m", (2, 2, 6, 6), 2, 2, 0), ("m3", (1, 2, 7, 7), 3, 2, 1)]:
        x = distinct(shape)
        Ho = (shape[2] + 2 * pad - k) // s + 1
        Wo = (shape[3] + 2 * pad - k) // s + 1
        dy = torch.randn(shape[0], shape[1], Ho, Wo, dtype=F32)
        xd = leaf(x, F64)
        y = F.max_pool2d(xd, k, s, pad)
        (y * dy.to(F64)).sum().backward()
        tensors += [(p + "x", x), (p + "y", y), (p + "dy", dy), (p + "dx", xd.grad)]
    meta = meta_common()
    meta["avg"] = "y = F.avg_pool2d(x, 8): x (2,3,8,8) -> y (2,3,1,1)"
    meta["m"] = "my = F.max_pool2d(mx, kernel 2, stride 2, padding 0): (2,2,6,6) -> (2,2,3,3)"
    meta["m3"] = ("m3y = F.max_pool2d(m3x, kernel 3, stride 2, padding 1): (1,2,7,7) -> (1,2,4,4); "
                  "padding counts as -inf; windows overlap, so m3dx accumulates")
    meta["distinct"] = "mx and m3x hold distinct values (multiples of 0.125): no ties"
    write_safetensors(os.path.join(OUT, "pool.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# 5. loss
# --------------------------------------------------------------------------


def ce_ref(logits, labels, dt, smoothing=0.0):
    ld = leaf(logits, dt)
    loss = F.cross_entropy(ld, labels.long(), label_smoothing=smoothing)
    loss.backward()
    return loss, ld.grad


def gen_loss():
    seed(1005)
    logits = (torch.randn(7, 6, dtype=F32) * 2).to(F32)
    labels = torch.tensor([0, 1, 2, 3, 4, 5, 2])[torch.randperm(7)]
    loss, dl = ce_ref(logits, labels, F64)
    loss32, dl32 = ce_ref(logits, labels, F32)
    note_err("loss", "loss", loss, loss32)
    note_err("loss", "dlogits", dl, dl32)

    big = (torch.rand(7, 6, dtype=F32) * 180 - 90).to(F32)
    big[0, 0] = 90.0      # exp(90) overflows float32: a naive softmax fails
    big[1, 3] = -90.0
    big_labels = torch.randint(0, 6, (7,))
    big_labels[1] = 3     # label at a very negative logit: large loss
    bl, bdl = ce_ref(big, big_labels, F64)
    assert torch.isfinite(bl) and torch.isfinite(bdl).all()
    sl, sdl = ce_ref(logits, labels, F64, 0.1)
    sl32, sdl32 = ce_ref(logits, labels, F32, 0.1)
    note_err("loss", "smooth_loss", sl, sl32)
    note_err("loss", "smooth_dlogits", sdl, sdl32)
    bsl, bsdl = ce_ref(big, big_labels, F64, 0.1)
    tensors = [("logits", logits), ("labels", labels.to(F32)), ("loss", loss), ("dlogits", dl),
               ("big_logits", big), ("big_labels", big_labels.to(F32)),
               ("big_loss", bl), ("big_dlogits", bdl),
               ("smooth_loss", sl), ("smooth_dlogits", sdl),
               ("big_smooth_loss", bsl), ("big_smooth_dlogits", bsdl)]
    meta = meta_common()
    meta["op"] = "loss = F.cross_entropy(logits, labels) (mean over the batch); dlogits = dloss/dlogits"
    meta["labels"] = "class indices stored as F32"
    meta["big"] = "big_logits in [-90, 90], includes exactly +90 and -90 (exp(90) overflows float32)"
    meta["smooth"] = "smooth_* and big_smooth_*: the same with F.cross_entropy(..., label_smoothing=0.1)"
    write_safetensors(os.path.join(OUT, "loss.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# 6. onecycle
# --------------------------------------------------------------------------


def onecycle_record(steps, **kw):
    p = nn.Parameter(torch.zeros(1))
    opt = torch.optim.Adam([p], lr=0.01)
    sch = OneCycleLR(opt, max_lr=0.01, **kw)
    lrs, b1 = [], []
    for _ in range(steps):
        lrs.append(float(opt.param_groups[0]["lr"]))
        b1.append(float(opt.param_groups[0]["betas"][0]))
        opt.step()  # p.grad is None: a no-op, keeps the step order PyTorch expects
        sch.step()
    return torch.tensor(lrs, dtype=F64), torch.tensor(b1, dtype=F64)


def gen_onecycle():
    lr, b1 = onecycle_record(4224, epochs=24, steps_per_epoch=176)
    slr, sb1 = onecycle_record(10, total_steps=10)
    tlr, tb1 = onecycle_record(20, total_steps=20, three_phase=True)
    assert abs(lr[0].item() - 4e-4) < 1e-15 and abs(b1[0].item() - 0.95) < 1e-15
    tensors = [("lr", lr), ("beta1", b1), ("small_lr", slr), ("small_beta1", sb1),
               ("three_lr", tlr), ("three_beta1", tb1)]
    meta = meta_common()
    meta["record"] = ("value i = optimizer.param_groups[0]['lr'] / ['betas'][0] read BEFORE the "
                      "i-th optimizer.step() (scheduler.step() after it); float64 rounded to F32")
    meta["settings"] = ("OneCycleLR(Adam, max_lr=0.01, pct_start=0.3, anneal_strategy='cos', "
                        "div_factor=25, final_div_factor=1e4, cycle_momentum=True, "
                        "base_momentum=0.85, max_momentum=0.95)")
    meta["lr"] = "epochs=24, steps_per_epoch=176 (total_steps 4224), three_phase=False"
    meta["small"] = "total_steps=10, three_phase=False"
    meta["three"] = "total_steps=20, three_phase=True"
    meta["max_lr"] = "0.01"
    meta["total_steps"] = "4224"
    write_safetensors(os.path.join(OUT, "onecycle.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# 7. adam (+ clip)
# --------------------------------------------------------------------------

ADAM_SHAPES = [(4, 3, 3, 3), (4,), (6, 4)]
ADAM_STEPS = 6


def adam_run(init, grads, clip, dtype):
    params = [nn.Parameter(t.to(dtype).clone()) for t in init]
    opt = torch.optim.Adam(params, lr=0.01, weight_decay=1e-4)
    sch = OneCycleLR(opt, max_lr=0.01, total_steps=8)
    rec = OrderedDict()
    lrs, b1s, norms = [], [], []
    for s in range(ADAM_STEPS):
        lrs.append(opt.param_groups[0]["lr"])
        b1s.append(opt.param_groups[0]["betas"][0])
        opt.zero_grad()
        for p, g in zip(params, grads[s]):
            p.grad = g.to(dtype).clone()
        if clip == "value":
            nn.utils.clip_grad_value_(params, 0.1)
        else:
            norms.append(nn.utils.clip_grad_norm_(params, max_norm=1.0).item())
        for i, p in enumerate(params):
            rec["gc%d.s%d" % (i, s)] = p.grad.detach().clone()
        opt.step()
        sch.step()
        for i, p in enumerate(params):
            rec["p%d.s%d" % (i, s)] = p.detach().clone()
    return rec, lrs, b1s, norms


def gen_adam():
    seed(1007)
    init = [(torch.randn(s, dtype=F32) * 0.5).to(F32) for s in ADAM_SHAPES]
    # grads: std 0.15, so many elements lie beyond +-0.1 (value clipping bites) and
    # the global L2 norm (136 elements) is ~1.7 > 1 (norm clipping bites).
    grads = [[(torch.randn(s, dtype=F32) * 0.15).to(F32) for s in ADAM_SHAPES]
             for _ in range(ADAM_STEPS)]
    tensors = []
    for i, t in enumerate(init):
        tensors.append(("p%d.init" % i, t))
    for s in range(ADAM_STEPS):
        for i, g in enumerate(grads[s]):
            tensors.append(("g%d.s%d" % (i, s), g))

    rec, lrs, b1s, _ = adam_run(init, grads, "value", F32)
    rec64, lrs64, b1s64, _ = adam_run(init, grads, "value", F64)
    for k in rec:
        if k.startswith("p"):
            note_err("adam", k, rec64[k], rec[k])
    tensors += list(rec.items())
    tensors += [("lr", torch.tensor(lrs, dtype=F64)), ("beta1", torch.tensor(b1s, dtype=F64))]

    nrec, _, _, norms = adam_run(init, grads, "norm", F32)
    for s in range(ADAM_STEPS):
        for i, g in enumerate(grads[s]):
            tensors.append(("norm.g%d.s%d" % (i, s), g))
    tensors += [("norm." + k, v) for k, v in nrec.items()]
    tensors.append(("norm.total_norm", torch.tensor(norms, dtype=F64)))
    assert min(norms) > 1.0, norms

    tensors += [("f64." + k, v) for k, v in rec64.items()]

    # clip alone
    seed(1077)
    cg = [(torch.randn(s, dtype=F32) * 0.15).to(F32) for s in ADAM_SHAPES]
    pv = [nn.Parameter(torch.zeros(s)) for s in ADAM_SHAPES]
    pn = [nn.Parameter(torch.zeros(s)) for s in ADAM_SHAPES]
    for p, q, g in zip(pv, pn, cg):
        p.grad = g.clone()
        q.grad = g.clone()
    nn.utils.clip_grad_value_(pv, 0.1)
    tn = nn.utils.clip_grad_norm_(pn, max_norm=1.0)
    assert tn.item() > 1.0
    for i in range(len(ADAM_SHAPES)):
        tensors += [("clip.g%d" % i, cg[i]), ("clip.value%d" % i, pv[i].grad),
                    ("clip.norm%d" % i, pn[i].grad)]
    tensors.append(("clip.total_norm", tn))

    meta = meta_common()
    meta["params"] = "p0 [4,3,3,3], p1 [4], p2 [6,4]; one param group"
    meta["optimizer"] = "torch.optim.Adam(params, lr=0.01, betas=(0.9,0.999), eps=1e-8, weight_decay=1e-4) (coupled L2)"
    meta["scheduler"] = "OneCycleLR(opt, max_lr=0.01, total_steps=8), other args default; stepped after every optimizer.step()"
    meta["step"] = ("for s in 0..5: p.grad = g<i>.s<s>; clip; (gc<i>.s<s> = grads after clip); "
                    "optimizer.step(); scheduler.step(); (p<i>.s<s> = params after)")
    meta["clip"] = "plain: clip_grad_value_(params, 0.1); norm.: clip_grad_norm_(params, max_norm=1.0) (L2 over all grads)"
    meta["precision"] = "plain and norm. computed in float32 as PyTorch trains; f64. = same plain run in float64"
    meta["lr_beta1"] = "lr[s], beta1[s]: the group's lr and betas[0] in effect for step s (same for norm.)"
    meta["steps"] = str(ADAM_STEPS)
    meta["clip_fixture"] = ("clip.g<i> raw; clip.value<i> = clip_grad_value_(0.1); clip.norm<i> = "
                            "clip_grad_norm_(max_norm=1.0): g*min(1, 1/(total_norm+1e-6)); float32")
    write_safetensors(os.path.join(OUT, "adam.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# 8. resnet
# --------------------------------------------------------------------------


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(
                nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + shortcut)


class ResNet14(nn.Module):
    def __init__(self, num_classes=6):
        super().__init__()
        self.conv = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn = nn.BatchNorm2d(16)
        self.layer1 = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 16, 1))
        self.layer2 = nn.Sequential(BasicBlock(16, 32, 2), BasicBlock(32, 32, 1))
        self.layer3 = nn.Sequential(BasicBlock(32, 64, 2), BasicBlock(64, 64, 1))
        self.fc = nn.Linear(64, num_classes)

    def forward(self, x):
        out = F.relu(self.bn(self.conv(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        out = F.avg_pool2d(out, 8)
        out = out.view(out.size(0), -1)
        return self.fc(out)


def seed_path():
    cands = [os.environ.get("SEED_PTH", ""),
             os.path.join(REPO, "..", "shared", "data", "seed-resnet14.pth"),
             "/work/shared/data/seed-resnet14.pth"]
    for c in cands:
        if c and os.path.isfile(c):
            return os.path.abspath(c)
    sys.exit("seed-resnet14.pth not found; set SEED_PTH")


def load_seed_model():
    path = seed_path()
    sd = torch.load(path, map_location="cpu")
    model = ResNet14()
    want = model.state_dict()
    assert list(sd.keys()) == list(want.keys()), (set(sd) ^ set(want))
    for k in want:
        assert tuple(sd[k].shape) == tuple(want[k].shape), k
    model.load_state_dict(sd, strict=True)
    n_train = sum(p.numel() for p in model.parameters())
    assert n_train == 195478, n_train
    with open(path, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    return model, sd, sha


ACT_POINTS = ["stem", "layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0", "layer3.1"]


def forward_with_acts(model, x):
    acts = OrderedDict()
    out = F.relu(model.bn(model.conv(x)))
    acts["stem"] = out
    for li, layer in enumerate([model.layer1, model.layer2, model.layer3], 1):
        for bi, blk in enumerate(layer):
            out = blk(out)
            acts["layer%d.%d" % (li, bi)] = out
    out = F.avg_pool2d(out, 8).view(out.size(0), -1)
    acts["pool"] = out
    return model.fc(out), acts


def gen_resnet():
    model, sd, sha = load_seed_model()
    seed(1008)
    x = (torch.rand(8, 3, 32, 32, dtype=F32) * 2 - 1).to(F32)
    labels = torch.tensor([0, 1, 2, 3, 4, 5, 0, 3])[torch.randperm(8)]

    results = {}
    for dt in (F64, F32):
        m = ResNet14()
        m.load_state_dict(sd)
        m = m.to(dt)
        xd = x.to(dt)
        m.eval()
        with torch.no_grad():
            le, acts_e = forward_with_acts(m, xd)
        m.train()
        m.zero_grad()
        lt, acts_t = forward_with_acts(m, xd)
        loss = F.cross_entropy(lt, labels)
        loss.backward()
        results[dt] = dict(le=le.detach(), lt=lt.detach(), loss=loss.detach(), acts_e=acts_e,
                           acts_t={k: v.detach() for k, v in acts_t.items()},
                           grads=OrderedDict((n, p.grad.detach().clone()) for n, p in m.named_parameters()),
                           sd=OrderedDict((k, v.detach().clone()) for k, v in m.state_dict().items()))
    r, r32 = results[F64], results[F32]
    with torch.no_grad():
        chk = ResNet14()
        chk.load_state_dict(sd)
        chk = chk.double().eval()
        assert torch.equal(chk(x.double()), r["le"])

    note_err("resnet", "logits_eval", r["le"], r32["le"])
    note_err("resnet", "logits_train", r["lt"], r32["lt"])
    note_err("resnet", "loss", r["loss"], r32["loss"])
    worst = max(((r["grads"][n] - r32["grads"][n].double()).abs().max().item() /
                 max(r["grads"][n].abs().max().item(), 1e-30), n) for n in r["grads"])
    ERRS.append(("resnet", "grad.* worst relative-to-max: " + worst[1],
                 worst[0], 1.0))

    tensors = [("x", x), ("labels", labels.to(F32)),
               ("logits_eval", r["le"]), ("logits_train", r["lt"]), ("loss", r["loss"])]
    for n, g in r["grads"].items():
        tensors.append(("grad." + n, g))
    for k, v in r["sd"].items():
        if k.endswith("running_mean") or k.endswith("running_var") or k.endswith("num_batches_tracked"):
            tensors.append(("after." + k, v))
    # activations of the first two images of the batch (to keep the file small)
    for k in ACT_POINTS:
        tensors.append(("act." + k, r["acts_t"][k][:2]))
    tensors.append(("act.pool", r["acts_t"]["pool"]))
    for k in ACT_POINTS:
        tensors.append(("act_eval." + k, r["acts_e"][k][:2]))
    tensors.append(("act_eval.pool", r["acts_e"]["pool"]))

    meta = meta_common()
    meta["seed_sha256"] = sha
    meta["model"] = "ResNet-14 of REFERENCE.md, loaded from seed-resnet14.pth, computed in float64 (model.double())"
    meta["eval"] = "model.eval(): logits_eval, act_eval.* (running stats of the .pth)"
    meta["train"] = ("then model.train(): one forward with batch statistics -> logits_train, "
                     "loss = F.cross_entropy(logits_train, labels) (mean), loss.backward() -> grad.<param>; "
                     "after.<bn buffers> = buffers after that forward (momentum 0.1, unbiased var)")
    meta["act"] = ("act.<point> (train mode) / act_eval.<point>: output of stem (relu(bn(conv))) and of each "
                   "block, images 0..1 only; act.pool / act_eval.pool: (8,64) after avg_pool2d+flatten, all images")
    meta["labels"] = "class indices stored as F32"
    write_safetensors(os.path.join(OUT, "resnet.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# 9. train
# --------------------------------------------------------------------------


def train_run(sd, xs, ys, dtype):
    model = ResNet14()
    model.load_state_dict(sd)
    model = model.to(dtype)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=0.01, weight_decay=1e-4)
    sch = OneCycleLR(opt, max_lr=0.01, epochs=24, steps_per_epoch=176)
    losses, lrs, b1s = [], [], []
    for x, y in zip(xs, ys):
        lrs.append(opt.param_groups[0]["lr"])
        b1s.append(opt.param_groups[0]["betas"][0])
        opt.zero_grad()
        out = model(x.to(dtype))
        loss = F.cross_entropy(out, y)
        loss.backward()
        nn.utils.clip_grad_value_(model.parameters(), 0.1)
        opt.step()
        sch.step()
        losses.append(loss.detach().clone())
    return losses, lrs, b1s, OrderedDict((k, v.detach().clone()) for k, v in model.state_dict().items())


def gen_train():
    _, sd, sha = load_seed_model()
    seed(1009)
    xs = [(torch.rand(16, 3, 32, 32, dtype=F32) * 2 - 1).to(F32) for _ in range(3)]
    ys = [torch.randint(0, 6, (16,)) for _ in range(3)]
    losses, lrs, b1s, final = train_run(sd, xs, ys, F32)
    losses64, _, _, final64 = train_run(sd, xs, ys, F64)

    # how far float32 PyTorch is from the float64 run of the same recipe: a
    # guide for the tolerance a float32 engine needs
    worst_p, worst_name, n_big, n_tot = 0.0, "", 0, 0
    for k in final:
        if k.endswith("num_batches_tracked"):
            assert final[k].item() == sd[k].item() + 3
            continue
        d = (final[k].double() - final64[k]).abs()
        n_tot += d.numel()
        n_big += int((d > 1e-4).sum())
        if d.max().item() > worst_p:
            worst_p, worst_name = d.max().item(), k
    for i in range(3):
        note_err("train", "loss%d" % i, losses64[i], losses[i])
    ERRS.append(("train", "final.* max abs (f32 vs f64 run) at " + worst_name, worst_p, 1.0))
    ERRS.append(("train", "final.* elements with |f32-f64| > 1e-4: %d of %d" % (n_big, n_tot), 0.0, 1.0))

    tensors = []
    for i in range(3):
        tensors += [("xs%d" % i, xs[i]), ("ys%d" % i, ys[i].to(F32))]
    for i in range(3):
        tensors.append(("loss%d" % i, losses[i]))
    tensors += [("lr", torch.tensor(lrs, dtype=F64)), ("beta1", torch.tensor(b1s, dtype=F64))]
    for k, v in final.items():
        tensors.append(("final." + k, v))

    meta = meta_common()
    meta["seed_sha256"] = sha
    meta["recipe"] = ("float32; model.train(); Adam(lr=0.01, weight_decay=1e-4); OneCycleLR(max_lr=0.01, "
                      "epochs=24, steps_per_epoch=176); per step i=0..2 on (xs<i>, ys<i>): zero_grad, forward, "
                      "F.cross_entropy (mean), backward, clip_grad_value_(0.1), optimizer.step(), scheduler.step()")
    meta["loss"] = "loss<i> = the loss of step i (before its update)"
    meta["final"] = "final.<state dict name> after the 3 steps, running stats and num_batches_tracked (as F32) included"
    meta["f32_vs_f64_max_abs_param_diff"] = "%.3g" % worst_p
    meta["labels"] = "class indices stored as F32"
    write_safetensors(os.path.join(OUT, "train.safetensors"), tensors, meta)


# --------------------------------------------------------------------------
# self-check
# --------------------------------------------------------------------------

FILES = ["conv", "batchnorm", "linear", "pool", "loss", "onecycle", "adam", "resnet", "train"]


def self_check():
    total = 0
    for f in FILES:
        path = os.path.join(OUT, f + ".safetensors")
        t, meta = read_safetensors(path)
        size = os.path.getsize(path)
        total += size
        for n, a in t.items():
            assert np.isfinite(a).all(), (f, n)
        print("%-22s %9d bytes  %4d tensors  %2d metadata keys" % (f + ".safetensors", size, len(t), len(meta)))
    # a few shape checks
    c, _ = read_safetensors(os.path.join(OUT, "conv.safetensors"))
    assert c["c2.y"].shape == (2, 6, 3, 3) and c["c3.y"].shape == (2, 6, 4, 4)
    assert c["c4.y"].shape == (1, 1, 4, 6) and c["c5.y"].shape == (2, 3, 3, 4)
    o, _ = read_safetensors(os.path.join(OUT, "onecycle.safetensors"))
    assert o["lr"].shape == (4224,) and o["beta1"].shape == (4224,)
    r, _ = read_safetensors(os.path.join(OUT, "resnet.safetensors"))
    assert r["logits_train"].shape == (8, 6) and r["grad.layer2.0.downsample.1.weight"].shape == (32,)
    assert sum(1 for n in r if n.startswith("grad.")) == 47
    tr, _ = read_safetensors(os.path.join(OUT, "train.safetensors"))
    assert sum(1 for n in tr if n.startswith("final.")) == 92
    print("total %d bytes (%.2f MB)" % (total, total / 1e6))


def main():
    print("torch", torch.__version__, "numpy", np.__version__)
    gen_conv()
    gen_batchnorm()
    gen_linear()
    gen_pool()
    gen_loss()
    gen_onecycle()
    gen_adam()
    gen_resnet()
    gen_train()
    print("\nfloat32 PyTorch vs the float64 reference (guide for tolerances):")
    for fx, name, err, ref in ERRS:
        print("  %-10s %-60s max|d|=%.3g  max|ref|=%.3g" % (fx, name, err, ref))
    print()
    self_check()


if __name__ == "__main__":
    main()
