"""Regenerates the fixtures of package modelfile with an independent writer.

Run with Debian's python3-torch (1.13):

    /usr/bin/python3 nn/modelfile/testdata/gen.py

It writes, next to itself:

  seed-resnet14.golden.json  per tensor of seed-resnet14.pth: shape, kind,
                             first values, float64 sum and the SHA-256 of
                             its values as little-endian float32
  mixed.pth                  a checkpoint dict holding an OrderedDict state
                             dict under "model_state_dict": mixed dtypes,
                             offset, transposed, expanded and shared views
  plain.pth                  a plain dict state dict holding a Parameter
  nested.pth                 {"state_dict": ..., "epoch": ...}
  legacy.pth                 the pre-1.6 non-zip format (must be refused)
  independent.safetensors    safetensors bytes written by hand (struct+json)
  fixtures.golden.json       every value of the small files above
"""
import argparse
import collections
import hashlib
import json
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def as_f32(t):
    return t.detach().contiguous().to(torch.float32).numpy().astype("<f4")


def kind(t):
    return "F32" if t.dtype.is_floating_point else "I64"


def summary(name, t):
    v = as_f32(t).reshape(-1)
    return {
        "name": name,
        "shape": list(t.shape),
        "dtype": kind(t),
        "first": [float(x) for x in v[:3]],
        "sum": float(v.astype(np.float64).sum()),
        "sha256": hashlib.sha256(v.tobytes()).hexdigest(),
    }


def full(name, t):
    d = summary(name, t)
    d["values"] = [float(x) for x in as_f32(t).reshape(-1)]
    return d


def seed_golden():
    sd = torch.load(path("seed-resnet14.pth"), map_location="cpu")
    out = [summary(k, v) for k, v in sd.items()]
    with open(path("seed-resnet14.golden.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


def mixed_state_dict(g):
    base = torch.arange(10, dtype=torch.float32) * 0.5 - 1
    square = torch.randn(3, 4, generator=g)
    sd = collections.OrderedDict()
    sd["a.f32"] = torch.randn(2, 3, generator=g)
    sd["b.f64"] = torch.randn(2, 2, generator=g, dtype=torch.float64)
    sd["c.i64"] = torch.tensor([[-3, 0], [7, 1 << 40]], dtype=torch.int64)
    sd["d.scalar"] = torch.tensor(5, dtype=torch.int64)
    sd["e.offset"] = base[2:7]
    sd["f.transposed"] = square.t()
    sd["g.f16"] = torch.tensor([1.5, -2.25, 65504.0, 6e-8], dtype=torch.float16)
    sd["h.bf16"] = torch.tensor([1.0, -3.5, 1e30], dtype=torch.bfloat16)
    sd["i.bool"] = torch.tensor([True, False, True])
    sd["j.u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd["k.i32"] = torch.tensor([-70000, 70000], dtype=torch.int32)
    sd["l.i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["m.i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["n.expanded"] = torch.tensor([1.0, 2.0]).expand(3, 2)
    sd["o.shared"] = base[5:]
    sd["p.empty"] = torch.zeros(0, 3)
    sd["q.strided"] = square[::2, 1::2]
    return sd


def write_pth(g):
    mixed = mixed_state_dict(g)
    opt = {"state": {0: {"exp_avg": torch.ones(2, 3)}}, "param_groups": [{"lr": 0.01}]}
    ckpt = {
        "epoch": 7,
        "args": argparse.Namespace(lr=0.01, name="run"),
        "model_state_dict": mixed,
        "optimizer_state_dict": opt,
    }
    torch.save(ckpt, path("mixed.pth"))

    plain = {
        "w": torch.nn.Parameter(torch.randn(2, 2, generator=g)),
        "b": torch.tensor([0.25, -0.5]),
    }
    torch.save(plain, path("plain.pth"))

    lin = torch.nn.Linear(3, 2)
    with torch.no_grad():
        lin.weight.copy_(torch.randn(2, 3, generator=g))
        lin.bias.copy_(torch.randn(2, generator=g))
    nested = {"state_dict": lin.state_dict(), "epoch": 3}
    torch.save(nested, path("nested.pth"))

    torch.save({"x": torch.ones(2)}, path("legacy.pth"),
               _use_new_zipfile_serialization=False)
    return {"mixed.pth": mixed, "plain.pth": plain, "nested.pth": lin.state_dict()}


def decode(dtype, raw):
    """Decodes little-endian safetensors bytes to float32 with numpy."""
    if dtype == "BF16":
        bits = np.frombuffer(raw, dtype="<u2").astype("<u4") << 16
        return bits.view("<f4")
    np_type = {"F32": "<f4", "F16": "<f2", "F64": "<f8", "I64": "<i8", "I32": "<i4",
               "I16": "<i2", "I8": "i1", "U8": "u1", "BOOL": "?"}[dtype]
    return np.frombuffer(raw, dtype=np_type).astype(np.float32)


def safetensors_fixture():
    """Builds a safetensors file by hand: header keys unsorted, data in an
    order different from the header's."""
    entries = [  # name, dtype, shape, raw little-endian bytes, float32 values
        ("z.f32", "F32", [2, 2], struct.pack("<4f", 1.5, -2, 0.1, 3e38), [1.5, -2, 0.1, 3e38]),
        ("y.f16", "F16", [3], struct.pack("<3e", 0.5, -65504, 6e-8), [0.5, -65504, 6e-8]),
        ("x.bf16", "BF16", [2], struct.pack("<2H", 0x3FC0, 0xC0A0), [1.5, -5.0]),
        ("w.f64", "F64", [2], struct.pack("<2d", 0.1, -2.5e-3), [0.1, -2.5e-3]),
        ("v.i64", "I64", [3], struct.pack("<3q", -1, 42, 1 << 40), [-1, 42, 1 << 40]),
        ("u.i32", "I32", [2], struct.pack("<2i", -7, 1 << 30), [-7, 1 << 30]),
        ("t.i16", "I16", [1, 2], struct.pack("<2h", -32768, 32767), [-32768, 32767]),
        ("s.i8", "I8", [2], struct.pack("<2b", -128, 5), [-128, 5]),
        ("r.u8", "U8", [2], struct.pack("<2B", 0, 255), [0, 255]),
        ("q.bool", "BOOL", [3], bytes([1, 0, 1]), [1, 0, 1]),
        ("p.scalar", "F32", [], struct.pack("<f", 7.25), [7.25]),
        ("o.empty", "F32", [0, 4], b"", []),
    ]
    header, data, golden = {}, b"", []
    header["__metadata__"] = {"format": "pt", "classes": "a,b,c"}
    for name, dtype, shape, raw, values in reversed(entries):
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
        want = "F32" if dtype[0] in "FB" and dtype != "BOOL" else "I64"
        got = decode(dtype, raw)
        assert np.array_equal(got, np.array(values, dtype=np.float32), equal_nan=True) or dtype in ("F16", "F64")
        golden.append({"name": name, "shape": shape, "dtype": want,
                       "sum": float(got.astype(np.float64).sum()),
                       "values": [float(v) for v in got]})
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path("independent.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + data)
    return golden, header["__metadata__"]


def main():
    g = torch.Generator().manual_seed(1)
    seed_golden()
    pth = write_pth(g)
    st, meta = safetensors_fixture()
    out = {name: [full(k, v) for k, v in sd.items()] for name, sd in pth.items()}
    out["independent.safetensors"] = st
    out["independent.safetensors.metadata"] = meta
    with open(path("fixtures.golden.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
