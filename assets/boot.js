// boot.js starts the page's Go program, ui.wasm (see ui/), which renders
// the app into #app. wasm_exec.js and vugu-render.js load before it.
"use strict";

// Vugu's renderer installs its helper script with window.eval, which this
// page's Content-Security-Policy forbids. vugu-render.js, built from the
// same Vugu version (see ui/internal/renderjs), has defined it already, so
// that one eval has nothing left to do; any other eval fails as the
// policy says.
window.eval = (source) => {
  if (window.vuguRender) {
    return undefined;
  }
  throw new EvalError("eval is not allowed on this page");
};

function showFailure(err) {
  const app = document.getElementById("app");
  app.textContent = "";
  const p = document.createElement("p");
  p.className = "boot-failure";
  p.textContent = "The page could not start: " + err;
  app.appendChild(p);
}

if (typeof WebAssembly !== "object" || typeof Go !== "function") {
  showFailure("this browser has no WebAssembly");
} else {
  const go = new Go();
  WebAssembly.instantiateStreaming(fetch("/assets/ui.wasm"), go.importObject)
    .then((result) => go.run(result.instance))
    .then(() => showFailure("its program stopped (the console says why); reload to start again"), showFailure);
}
