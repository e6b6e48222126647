// worker.js starts the Go worker program, worker.wasm, in this Web Worker
// (see wasm/ and wasm/protocol), in the role its query names
// (?role=classifier, datasets, helper or decoder). If the program ever
// stops, it tells whoever started the worker why, as far as the
// program's last words say, with an exit event, so that a new worker can
// be started.
//
// Before the program runs, it instantiates the WebAssembly SIMD kernel
// (see wasm/simd) with the program's memory and leaves its exports in
// globalThis.nnSIMD, where the program finds them; without SIMD the
// program computes with Go's kernels.
"use strict";

importScripts("/assets/wasm_exec.js");

// Go prints a panic through console.log; keep its first line.
let lastWords = "";
const consoleLog = console.log.bind(console);
console.log = (...args) => {
  const line = args.join(" ");
  if (!lastWords && /^(panic|fatal error):/.test(line)) {
    lastWords = line;
  }
  consoleLog(...args);
};

function exitNotice(message) {
  const error = { code: "worker-lost", message: message };
  postMessage({ head: JSON.stringify({ id: 0, kind: "exit", part: "notice", error: error }) });
}

const go = new Go();
let exitCode = 0;
go.exit = (code) => {
  exitCode = code;
};

// The kernel's variants, best first: with relaxed SIMD's fused
// multiply-add, then with plain SIMD.
const kernelURLs = ["/assets/gemm-simd-fma.wasm", "/assets/gemm-simd.wasm"];

function noKernel(err) {
  console.warn("worker: no SIMD kernel (" + err + "); computing with Go's kernels");
  return undefined;
}

// kernelBytes holds the bytes of the first variant the browser compiles,
// or undefined. It is fetched while worker.wasm is.
const kernelBytes = (async () => {
  for (const url of kernelURLs) {
    const res = await fetch(url);
    if (!res.ok) {
      throw new Error("fetching " + url + ": " + res.status + " " + res.statusText);
    }
    const bytes = await res.arrayBuffer();
    if (WebAssembly.validate(bytes)) {
      return bytes;
    }
  }
  return undefined; // no SIMD here: nothing to say
})().catch(noKernel);

// loadKernel instantiates the kernel with memory, the Go instance's, and
// returns its exports, or undefined when there is no kernel to use.
async function loadKernel(memory) {
  const bytes = await kernelBytes;
  if (bytes === undefined) {
    return undefined;
  }
  try {
    const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
    return instance.exports;
  } catch (err) {
    return noKernel(err);
  }
}

WebAssembly.instantiateStreaming(fetch("/assets/worker.wasm"), go.importObject)
  .then(async (result) => {
    globalThis.nnSIMD = await loadKernel(result.instance.exports.mem);
    return go.run(result.instance);
  })
  .then(
    () => exitNotice("the worker stopped (exit code " + exitCode + (lastWords ? ", " + lastWords : "") + ")"),
    (err) => exitNotice("the worker could not run: " + err),
  );
