// Ui is the page's Go program (GOOS=js GOARCH=wasm), a Vugu app mounted
// into #app of index.html: a model card, a drop zone and the list of
// classified images. The work happens in a Web Worker (see wasm/), which
// workerClient talks to.
//
// The components are name.vugu (markup) plus name.go (state and
// handlers); vugugen writes name_gen.go from them. The code uses
// github.com/vugu/vugu/js rather than syscall/js so the package also
// builds natively, where go vet and go test check it.
package main

//go:generate go tool vugugen -skip-go-mod -skip-main .
//go:generate go run ./internal/renderjs -o ../assets/vugu-render.js
