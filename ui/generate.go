// Ui is the page's Go program (GOOS=js GOARCH=wasm), a Vugu app mounted
// into #app of index.html. The main thread only renders and routes: the
// work happens in two Web Workers (see wasm/), the classifier and the
// data set worker, reached through wasm/link.
//
// The page's state is one type a concern, each in the file named for
// it, with the methods that change it: the images given and their
// results (images.go), the model in use (model.go), the models kept
// (models.go), the data set (dataset.go), an evaluation (evaluation.go),
// the recipe form (recipe.go), the training run (training.go) and the
// runs kept (runs.go). Root (root.go) holds them and the workers, and
// effects.go is every change that crosses concerns, each a function of
// its own. A concern's changes from a worker's answer or the browser's
// storage run with the page locked (page.go); storage.go is the page's
// side of the browser's storage.
//
// The components are name.vugu (markup) plus name.go (the component's
// fields and handlers): state comes down to them, callbacks go up.
// vugugen writes name_gen.go from them. The code uses
// github.com/vugu/vugu/js rather than syscall/js, so that the package
// builds natively too, where go test checks its logic.
package main

//go:generate go tool vugugen -skip-go-mod -skip-main .
//go:generate go run ./internal/renderjs -o ../assets/vugu-render.js
