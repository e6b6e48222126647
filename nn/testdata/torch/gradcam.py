#!/usr/bin/python3
"""Grad-CAM computed by PyTorch, the fixture of nn's GradCAM.

Run from the repository root with Debian's PyTorch and Pillow:

    /usr/bin/python3 nn/testdata/torch/gradcam.py

It writes gradcam.safetensors next to this script: the built-in model
(assets/model.safetensors) in evaluation mode on six photos of
nn/data/testdata/photo, each resized by Pillow to the model's input side S
(S by S) and normalized as the model's metadata says, and for each photo
the Grad-CAM map (Selvaraju et al., 2017) of its most probable class and
of its third:

    A = layer3's output (the last stage's feature map, 64 x S/4 x S/4)
    g = d logits[c] / d A, by autograd
    cam = relu(sum_k mean_ij(g[k]) * A[k])

Tensors (all F32): x [6,3,S,S], classes [6,2], cams [6,2,S/4,S/4], and the
cams upsampled by F.interpolate(mode="bilinear", align_corners=False) to
45x30 (height by width), up [6,2,45,30]. The output is deterministic.
"""

import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
from gen import ResNet14, read_safetensors, write_safetensors  # noqa: E402

PHOTOS = ["buildings_0.jpg", "forest_10007.jpg", "glacier_10.jpg",
          "mountain_10000.jpg", "sea_1.jpg", "street_10015.jpg"]


def main():
    torch.set_num_threads(1)
    weights, meta = read_safetensors(os.path.join(REPO, "assets", "model.safetensors"))
    model = ResNet14(num_classes=len(json.loads(meta["classes"])))
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()}, strict=True)
    model.eval()
    side = int(meta["input_size"])
    norm = json.loads(meta["normalization"])
    mean = torch.tensor(norm["Mean"]).view(1, 3, 1, 1)
    std = torch.tensor(norm["Std"]).view(1, 3, 1, 1)

    xs = []
    for name in PHOTOS:
        im = Image.open(os.path.join(REPO, "nn", "data", "testdata", "photo", name)).convert("RGB")
        a = np.asarray(im.resize((side, side), Image.BILINEAR), dtype=np.float32) / 255
        xs.append(torch.from_numpy(a).permute(2, 0, 1))
    x = ((torch.stack(xs) - mean) / std).to(torch.float32)

    acts = {}
    model.layer3.register_forward_hook(lambda m, i, o: acts.__setitem__("A", o))
    logits = model(x)
    A = acts["A"]
    classes, cams = [], []
    for i in range(len(PHOTOS)):
        order = torch.argsort(logits[i], descending=True)
        row, maps = [], []
        for c in (int(order[0]), int(order[2])):
            g, = torch.autograd.grad(logits[i, c], A, retain_graph=True)
            alpha = g[i].mean(dim=(1, 2))
            maps.append(F.relu((alpha[:, None, None] * A[i]).sum(0)).detach())
            row.append(c)
        classes.append(row)
        cams.append(torch.stack(maps))
    cams = torch.stack(cams)
    up = F.interpolate(cams, size=(45, 30), mode="bilinear", align_corners=False)

    write_safetensors(os.path.join(HERE, "gradcam.safetensors"),
                      [("x", x), ("classes", torch.tensor(classes, dtype=torch.float32)),
                       ("cams", cams), ("up", up)],
                      {"generator": "nn/testdata/torch/gradcam.py", "torch_version": torch.__version__,
                       "model": "assets/model.safetensors", "photos": ",".join(PHOTOS),
                       "layer": "layer3"})
    print("cams max %.4f, up %s" % (cams.max(), tuple(up.shape)))


if __name__ == "__main__":
    main()
