"""Export the reference ResNet-14 (cmd/ddp/train.py's ResNet with the
reference recipe's config) to ONNX for the ONNX Runtime Web benchmark.

Usage: /usr/bin/python3 export.py [OUT.onnx]

The network has random initial weights (speed does not depend on them),
is put in eval mode (BatchNorm uses its running statistics) and exported
with a fixed input of [64, 3, 32, 32] float32. Next to OUT.onnx it writes
OUT.onnx.input.bin and OUT.onnx.output.bin: a random input of that shape
and PyTorch's output for it ([64, 6]), raw little-endian float32, which
bench.mjs --check compares with ONNX Runtime Web's output.
"""

import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "ddp"))

import torch  # noqa: E402

import train  # noqa: E402  (cmd/ddp/train.py)

BATCH = 64


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(tempfile.gettempdir(), "ortbench", "resnet14.onnx")
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    config = train.preset("reference")["config"]
    torch.manual_seed(1)
    model = train.ResNet(config)
    # Give BatchNorm non-trivial running statistics so the check is not
    # against an identity normalization.
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.1, 0.1)
                m.running_var.uniform_(0.5, 1.5)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.1, 0.1)
    model.eval()
    size = config["input_size"]
    x = torch.randn(BATCH, 3, size, size, dtype=torch.float32)
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, (x,), out, opset_version=13, input_names=["input"], output_names=["logits"],
                      do_constant_folding=True, training=torch.onnx.TrainingMode.EVAL)
    x.numpy().astype("<f4").tofile(out + ".input.bin")
    y.numpy().astype("<f4").tofile(out + ".output.bin")
    print("exported %s (%s, input [%d,3,%d,%d], output %s) to %s"
          % (train.arch(config), config, BATCH, size, size, list(y.shape), out))


if __name__ == "__main__":
    main()
