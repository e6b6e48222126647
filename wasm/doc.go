// Wasm is the page's Web Worker program (GOOS=js GOARCH=wasm): it loads
// a model and classifies the images the page sends it, and times
// training and inference when asked, one request at a time, in the order
// they come, and answers every request, bad ones with an error.
// assets/worker.js starts it, with the WebAssembly SIMD kernel of
// wasm/simd when the browser has SIMD, which it then sets as nn's GEMM
// kernel; wasm/protocol defines its messages.
package main
