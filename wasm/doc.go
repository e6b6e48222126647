// Wasm is the page's Web Worker program (GOOS=js GOARCH=wasm): it loads
// a model and classifies the images the page sends it, one request at a
// time, in the order they come, and answers every request, bad ones with
// an error. assets/worker.js starts it; wasm/protocol defines its
// messages.
package main
