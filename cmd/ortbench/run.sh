#!/usr/bin/env bash
# ONNX Runtime Web (wasm) inference anchor: exports the reference ResNet-14
# to ONNX if it is missing, installs onnxruntime-web if node_modules is
# missing, checks ORT's output against PyTorch's, then times batch 64 on one
# thread (and on two). Arguments after the script name go to bench.mjs.
#
#   cmd/ortbench/run.sh                 # threads 1 and 2, 3 repeats of ~3 s each
#   THREADS="1" cmd/ortbench/run.sh     # one thread only
#   MODEL=/path/x.onnx cmd/ortbench/run.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
model="${MODEL:-${TMPDIR:-/tmp}/ortbench/resnet14.onnx}"
threads="${THREADS:-1 2}"
python=/usr/bin/python3

die() { echo "ortbench: $*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "node not found; install Node.js (e.g. apt-get install nodejs)"
command -v npm >/dev/null 2>&1 || die "npm not found; install npm (e.g. apt-get install npm)"
[ -x "$python" ] || die "$python not found; it needs PyTorch (Debian's python3-torch)"
"$python" -c 'import torch' 2>/dev/null || die "$python cannot import torch; install PyTorch for it (Debian: apt-get install python3-torch)"

if [ ! -f "$model" ] || [ ! -f "$model.input.bin" ] || [ ! -f "$model.output.bin" ]; then
	"$python" "$here/export.py" "$model" || die "export.py failed"
fi
if [ ! -d "$here/node_modules/onnxruntime-web" ]; then
	(cd "$here" && npm install --no-audit --no-fund) || die "npm install failed in $here"
fi

echo "node $(node --version), $(nproc) cores, model $model"
# The correctness check: output [64,6], within 1e-4 of PyTorch's.
node "$here/bench.mjs" --model "$model" --check --warmup 0 --repeats 0
for t in $threads; do
	node "$here/bench.mjs" --model "$model" --threads "$t" "$@"
done
