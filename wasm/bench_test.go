package main

import (
	"archive/zip"
	"bytes"
	"slices"
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

func TestBench(t *testing.T) {
	body := benchZip(t)
	tt := serveRole((&classifier{}).handlers())
	for _, c := range []protocol.Call[protocol.BenchRequest, protocol.BenchResult, protocol.None]{protocol.BenchTrain, protocol.BenchInfer} {
		for _, kernel := range []string{"", protocol.KernelGo} {
			b, _, err := ask(tt, c, 3, protocol.BenchRequest{Name: "bench.zip", Batch: 5, Steps: 2, Kernel: kernel}, body)
			if err != nil {
				t.Fatalf("%s with kernel %q: got %v, want a result", c.Kind(), kernel, err)
			}
			if b.Kernel != protocol.KernelGo || b.Batch != 5 || b.Steps != 2 || !(b.Seconds > 0) || !(b.ImagesPerSec > 0) {
				t.Errorf("%s with kernel %q: got %+v, want kernel go, batch 5, 2 steps and figures", c.Kind(), kernel, b)
			}
		}
	}
}

func TestBenchKernels(t *testing.T) {
	body := benchZip(t)
	q := protocol.BenchRequest{Name: "bench.zip", Batch: 2, Steps: 1, Kernel: protocol.KernelSIMD}
	plain := serveRole((&classifier{}).handlers())
	if _, _, err := ask(plain, protocol.BenchInfer, 4, q, body); err == nil || !strings.Contains(err.Message, errNoSIMD.Error()) {
		t.Errorf("SIMD asked of a worker without: got %+v, want error %q", err, errNoSIMD)
	}

	// A worker with a kernel of its own, which is set in nn.
	var tk tileKernel
	c := &classifier{kernels: kernels{simd: tk.gemm}}
	tt := serveRole(c.handlers())
	nn.SetGemmKernel(c.simd)
	defer nn.SetGemmKernel(nil)
	res, _, err := ask(tt, protocol.BenchInfer, 5, q, body)
	if err != nil || res.Kernel != protocol.KernelSIMD || tk.calls == 0 {
		t.Fatalf("SIMD asked of a worker with it: got %+v, %v after %d kernel calls, want a result from it", res, err, tk.calls)
	}
	q.Kernel = protocol.KernelGo
	tk.calls = 0
	if res, _, err := ask(tt, protocol.BenchInfer, 6, q, body); err != nil || res.Kernel != protocol.KernelGo || tk.calls != 0 {
		t.Fatalf("Go asked of a worker with SIMD: got %+v, %v after %d kernel calls, want a result without them", res, err, tk.calls)
	}
	// The worker's kernel is set again.
	var buf nn.GemmBuffer
	out := make([]float32, 4*8)
	nn.Gemm(&buf, false, false, 4, 8, 1, make([]float32, 4), 1, make([]float32, 8), 8, out, 8, false)
	if tk.calls == 0 {
		t.Error("after a benchmark with Go's kernel, nn.Gemm does not use the worker's kernel")
	}
}

func TestBenchRefusesBadZip(t *testing.T) {
	c, tt := loadedClassifier(t)
	model := c.model
	res, _, err := ask(tt, protocol.BenchTrain, 5, protocol.BenchRequest{Name: "notes.zip", Batch: 2, Steps: 1}, []byte("not a zip"))
	if err == nil || err.File != "notes.zip" || res.Batch != 0 {
		t.Errorf("got %+v, %+v, want only an error about notes.zip", res, err)
	}
	if c.model != model {
		t.Error("a benchmark replaced the classifier's model")
	}
}

// TestBenchRecipe times the network of a request's recipe on the images
// of the zip in its body: another network trains to other losses than
// the reference's, the same recipe to the same.
func TestBenchRecipe(t *testing.T) {
	body := benchZip(t)
	tt := serveRole((&classifier{}).handlers())
	losses := func(r *nn.Recipe) []float64 {
		t.Helper()
		res, _, err := ask(tt, protocol.BenchTrain, 7, protocol.BenchRequest{Name: "bench.zip", Batch: 3, Steps: 2, Recipe: r}, body)
		if err != nil {
			t.Fatal(err)
		}
		return res.Losses
	}
	other := nn.DefaultRecipe()
	other.Config = nn.Config{InputSize: 40, Width: 4, Stages: []int{1, 1}, Shortcut: "conv1x1"}
	reference, small := losses(nil), losses(&other)
	if len(reference) != 3 || len(small) != 3 || slices.Equal(reference, small) {
		t.Errorf("losses of the reference network %v and of a 40×40 one %v: want three each, not the same", reference, small)
	}
	if again := losses(&other); !slices.Equal(again, small) {
		t.Errorf("the same recipe twice: %v, then %v", small, again)
	}
}
