package main

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// benchZip returns a dataset zip of three images in two class folders.
func benchZip(t *testing.T) []byte {
	t.Helper()
	imgs := encoded(t)
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, img := range map[string][]byte{"a/1.jpg": imgs["a.jpg"], "a/2.png": imgs["a.png"], "b/3.gif": imgs["a.gif"]} {
		f, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write(img); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// tileKernel is nn.GemmKernel's loop, counting its calls.
type tileKernel struct{ calls int }

func (tk *tileKernel) gemm(k, tiles, panels int, a, b []float32, ps, bs int, c []float32, ldc int, add bool) {
	tk.calls++
	for i := 0; i < 4*tiles; i++ {
		for j := 0; j < 8*panels; j++ {
			var s float32
			for p := 0; p < k; p++ {
				s += a[i/4*4*k+p*4+i%4] * b[j/8*ps+p*bs+j%8]
			}
			if add {
				s += c[i*ldc+j]
			}
			c[i*ldc+j] = s
		}
	}
}

func TestServeBench(t *testing.T) {
	body := benchZip(t)
	var w worker
	for _, kind := range []protocol.Kind{protocol.KindBenchTrain, protocol.KindBenchInfer} {
		for _, kernel := range []string{"", protocol.KernelGo} {
			req := protocol.Request{ID: 3, Kind: kind, Name: "bench.zip", Batch: 5, Steps: 2, Kernel: kernel}
			resp := w.serve(req, body)
			if resp.Error != "" || resp.Bench == nil {
				t.Fatalf("%s with kernel %q: got %+v, want a result", kind, kernel, resp)
			}
			b := *resp.Bench
			if b.Kernel != protocol.KernelGo || b.Batch != 5 || b.Steps != 2 || !(b.Seconds > 0) || !(b.ImagesPerSec > 0) {
				t.Errorf("%s with kernel %q: got %+v, want kernel go, batch 5, 2 steps and figures", kind, kernel, b)
			}
		}
	}
}

func TestServeBenchKernels(t *testing.T) {
	body := benchZip(t)
	req := protocol.Request{ID: 4, Kind: protocol.KindBenchInfer, Name: "bench.zip", Batch: 2, Steps: 1, Kernel: protocol.KernelSIMD}
	var plain worker
	if resp := plain.serve(req, body); !strings.Contains(resp.Error, errNoSIMD.Error()) {
		t.Errorf("SIMD asked of a worker without: got %+v, want error %q", resp, errNoSIMD)
	}

	// A worker with a kernel of its own, which is set in nn.
	var tk tileKernel
	w := worker{kernel: tk.gemm}
	nn.SetGemmKernel(w.kernel)
	defer nn.SetGemmKernel(nil)
	resp := w.serve(req, body)
	if resp.Error != "" || resp.Bench.Kernel != protocol.KernelSIMD || tk.calls == 0 {
		t.Fatalf("SIMD asked of a worker with it: got %+v after %d kernel calls, want a result from it", resp, tk.calls)
	}
	req.Kernel = protocol.KernelGo
	tk.calls = 0
	if resp := w.serve(req, body); resp.Error != "" || resp.Bench.Kernel != protocol.KernelGo || tk.calls != 0 {
		t.Fatalf("Go asked of a worker with SIMD: got %+v after %d kernel calls, want a result without them", resp, tk.calls)
	}
	// The worker's kernel is set again.
	var buf nn.GemmBuffer
	c := make([]float32, 4*8)
	nn.Gemm(&buf, false, false, 4, 8, 1, make([]float32, 4), 1, make([]float32, 8), 8, c, 8, false)
	if tk.calls == 0 {
		t.Error("after a benchmark with Go's kernel, nn.Gemm does not use the worker's kernel")
	}
}

func TestServeBenchRefusesBadZip(t *testing.T) {
	w := loadedWorker(t)
	model := w.model
	req := protocol.Request{ID: 5, Kind: protocol.KindBenchTrain, Name: "notes.zip", Batch: 2, Steps: 1}
	resp := w.serve(req, []byte("not a zip"))
	if !strings.Contains(resp.Error, "notes.zip") || resp.Bench != nil {
		t.Errorf("got %+v, want only an error naming notes.zip", resp)
	}
	if w.model != model {
		t.Error("a benchmark replaced the worker's model")
	}
}
