// boot.js starts the page's Go program, ui.wasm (see ui/), which renders
// the app into #app. wasm_exec.js and vugu-render.js load before it.
"use strict";

// Vugu's renderer (domrender.New in Vugu v0.5.1) installs its helper
// script with one window.eval(script) call, which this page's
// Content-Security-Policy forbids. vugu-render.js, built from the same
// Vugu version (see ui/internal/renderjs), has run that script already,
// and the script starts by returning when window.vuguRender is defined,
// so that call has nothing to do. This swallows that one call, then puts
// the browser's own eval back. Any other call goes to the browser's eval
// as it stands, and the policy decides, as on any page.
const nativeEval = window.eval;
const vuguScriptStart = "(function(){if(window.vuguRender)return;";
window.eval = function (source) {
  if (window.vuguRender && typeof source === "string" && source.startsWith(vuguScriptStart)) {
    window.eval = nativeEval;
    return undefined;
  }
  return nativeEval(source);
};

// showFailure says why the page's program does not run: in place of the
// app before it mounted (into #app, which it then replaces), above it
// after.
function showFailure(err) {
  const p = document.createElement("p");
  p.className = "boot-failure";
  p.setAttribute("role", "alert");
  const app = document.getElementById("app");
  if (app) {
    p.textContent = "The page could not start: " + err;
    app.replaceChildren(p);
  } else {
    p.textContent = "The page stopped working: " + err;
    document.body.prepend(p);
  }
}

if (typeof WebAssembly !== "object" || typeof Go !== "function") {
  showFailure("this browser has no WebAssembly");
} else {
  const go = new Go();
  WebAssembly.instantiateStreaming(fetch("/assets/ui.wasm"), go.importObject)
    .then((result) => go.run(result.instance))
    .then(() => showFailure("its program stopped (the console says why); reload to start again"), showFailure);
}
