// Wasm is the page's Web Worker program (GOOS=js GOARCH=wasm): it loads
// a model and classifies the images the page sends it, and times
// training and inference when asked, one request at a time, in the order
// they come, and answers every request, bad ones with an error.
// assets/worker.js starts it, with the WebAssembly SIMD kernel of
// wasm/simd when the browser has SIMD, which it then sets as nn's GEMM
// kernel; wasm/protocol defines its messages. Asked to train on several
// workers, it starts the others itself, from its own script, as helpers
// that compute shares of each step (see replica.go).
package main
