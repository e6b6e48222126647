// Gen writes the WebAssembly SIMD kernel module (see wasm/simd) into a
// directory, as gemm-simd.wasm and, using relaxed SIMD's fused
// multiply-add, gemm-simd-fma.wasm. A file that would not change is left
// alone.
//
//	go run ./wasm/simd/gen -o assets
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/intelscenes/resnet-browser/wasm/simd"
)

func main() {
	dir := flag.String("o", ".", "`directory` to write the modules into")
	flag.Parse()
	if err := write(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	for name, fma := range map[string]bool{"gemm-simd.wasm": false, "gemm-simd-fma.wasm": true} {
		path := filepath.Join(dir, name)
		b := simd.Module(fma)
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
			continue
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
	}
	return nil
}
