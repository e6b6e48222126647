// worker.js starts the Go worker program, worker.wasm, in this Web Worker
// (see wasm/ and wasm/protocol). If the program ever stops, it tells the
// page why, as far as the program's last words say, so the page can
// start a new worker.
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

function exitNotice(error) {
  postMessage({ head: JSON.stringify({ id: 0, kind: "exit", error: error }) });
}

const go = new Go();
let exitCode = 0;
go.exit = (code) => {
  exitCode = code;
};

WebAssembly.instantiateStreaming(fetch("/assets/worker.wasm"), go.importObject)
  .then((result) => go.run(result.instance))
  .then(
    () => exitNotice("the worker stopped (exit code " + exitCode + (lastWords ? ", " + lastWords : "") + ")"),
    (err) => exitNotice("the worker could not run: " + err),
  );
