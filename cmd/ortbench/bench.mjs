// Times ONNX Runtime Web's WebAssembly backend on the exported reference
// ResNet-14 (export.py), batch 64, in Node.
//
// Usage: node bench.mjs [--model PATH] [--threads N] [--seconds S]
//                       [--repeats R] [--warmup W] [--check]
//
// Prints one line per repeat:
//   ort-web version=X threads=N batch=64 images/s=NNN
// --check compares the output with PyTorch's for the input export.py saved
// (PATH.input.bin, PATH.output.bin) and exits non-zero past 1e-4.
//
// ort.env.wasm.numThreads is read once, when the wasm backend starts, so
// one process measures one thread count; run.sh starts one per count.
// cpu/wall is the process's CPU time (all its threads) over wall time: about
// 1 when one thread computes, about N when N do (and the cores are free).

import { readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-web';

const BATCH = 64;
const SHAPE = [BATCH, 3, 32, 32];
const CLASSES = 6;

function parseArgs(argv) {
  const o = {
    model: join(process.env.TMPDIR || tmpdir(), 'ortbench', 'resnet14.onnx'),
    threads: 1, seconds: 3, repeats: 3, warmup: 5, check: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--model') o.model = val();
    else if (a === '--threads') o.threads = Number(val());
    else if (a === '--seconds') o.seconds = Number(val());
    else if (a === '--repeats') o.repeats = Number(val());
    else if (a === '--warmup') o.warmup = Number(val());
    else if (a === '--check') o.check = true;
    else throw new Error(`unknown argument ${a}`);
  }
  for (const k of ['threads', 'seconds', 'repeats', 'warmup']) {
    if (!Number.isFinite(o[k]) || o[k] < 0) throw new Error(`--${k} ${o[k]}: want a number >= 0`);
  }
  return o;
}

function readFloats(path, n) {
  const b = readFileSync(path);
  if (b.length !== 4 * n) throw new Error(`${path}: ${b.length} bytes, want ${4 * n}`);
  const f = new Float32Array(n);
  new Uint8Array(f.buffer).set(b);
  return f;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(o.model)) throw new Error(`${o.model}: no such file; run export.py first`);

  ort.env.wasm.numThreads = o.threads;
  ort.env.wasm.simd = true;
  const version = ort.env.versions?.web ?? 'unknown';

  const session = await ort.InferenceSession.create(o.model, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
  });
  const inName = session.inputNames[0];
  const outName = session.outputNames[0];

  const n = SHAPE.reduce((a, b) => a * b, 1);
  const inPath = o.model + '.input.bin';
  let data;
  if (existsSync(inPath)) {
    data = readFloats(inPath, n);
  } else {
    data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.random() * 2 - 1;
  }
  const feeds = { [inName]: new ort.Tensor('float32', data, SHAPE) };

  // Correctness: shape [64, 6] always; values against PyTorch on --check.
  const first = (await session.run(feeds))[outName];
  const dims = Array.from(first.dims);
  if (dims.length !== 2 || dims[0] !== BATCH || dims[1] !== CLASSES) {
    throw new Error(`output shape [${dims}], want [${BATCH},${CLASSES}]`);
  }
  if (o.check) {
    const outPath = o.model + '.output.bin';
    if (!existsSync(inPath) || !existsSync(outPath)) throw new Error(`--check needs ${inPath} and ${outPath}`);
    const want = readFloats(outPath, BATCH * CLASSES);
    const got = first.data;
    let maxAbs = 0;
    for (let i = 0; i < want.length; i++) maxAbs = Math.max(maxAbs, Math.abs(got[i] - want[i]));
    const ok = maxAbs <= 1e-4;
    console.log(`check output=[${dims}] max|ort-pytorch|=${maxAbs.toExponential(3)} ${ok ? 'ok' : 'FAIL (want <= 1e-4)'}`);
    if (!ok) process.exitCode = 1;
  }

  for (let i = 0; i < o.warmup; i++) await session.run(feeds);

  for (let r = 0; r < o.repeats; r++) {
    let runs = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < o.seconds * 1000 || runs === 0) {
      await session.run(feeds);
      runs++;
      t = performance.now();
    }
    const secs = (t - t0) / 1000;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6 / secs; // process CPU, all threads, per wall second
    console.log(`ort-web version=${version} threads=${o.threads} batch=${BATCH} images/s=${(BATCH * runs / secs).toFixed(1)}`
      + ` runs=${runs} seconds=${secs.toFixed(2)} cpu/wall=${cpu.toFixed(2)}`);
  }
  await session.release();
}

main().catch((e) => {
  console.error(`bench.mjs: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
