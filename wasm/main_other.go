//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// main explains that this program only runs as a Web Worker of the page;
// the rest of the package builds everywhere, so that go vet and go test
// check it natively.
func main() {
	fmt.Fprintln(os.Stderr, "wasm is the page's Web Worker program: build it with GOOS=js GOARCH=wasm (./build.sh does)")
	os.Exit(2)
}
