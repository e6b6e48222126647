// Wasm is the program of the page's Web Workers (GOOS=js GOARCH=wasm).
// assets/worker.js starts it, with the WebAssembly SIMD kernel of
// wasm/simd when the browser has SIMD, which it sets as nn's GEMM
// kernel. Every worker plays one role, which its script's query names
// (?role=), and talks wasm/protocol: it takes its requests one at a
// time, in the order they came, and answers every one, a bad one with an
// Error, without ever stopping.
//
// The roles, each a type in the file named for it:
//
//   - classifier (classifier.go): the page's classifier. It loads the
//     model the page chose and classifies the images dropped on the
//     page, sharing them with classifiers of its own on the other
//     cores (photopeers.go); a huge photo goes to a classifier of its
//     own (photo.go).
//   - datasets (datasets.go): the page's data set worker. It reads
//     dataset zips (dataset.go), decoding their images on decoding
//     workers it starts (decode.go, decoders.go); evaluates models on
//     them (evaluate.go), on helper workers too (predictors.go); trains
//     on them (train.go), data-parallel over
//     helper workers it starts (helpers.go); and keeps what a run needs
//     to resume in the browser's storage (kept.go).
//   - helper (helper.go): computes shares of a run's steps (shard.go),
//     or classifies batches of an evaluation's images.
//   - decoder (decoder.go): decodes one run of a zip's images.
//
// The classifier and the data set worker also time training and
// inference on request (bench.go). serve.go is what every role shares:
// the handlers by kind, the errors, the requests at work.
//
// Workers a worker starts are reached through wasm/link, as the page
// reaches its own. The package uses github.com/vugu/vugu/js, so that all
// of it but main.go builds and is tested natively.
package main
