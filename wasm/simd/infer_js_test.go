//go:build js && wasm

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// TestInferWithKernels runs nn's fast inference with each kernel set,
// its Winograd transforms included, and compares its logits with the
// plain eval-mode Forward's, computed with nn's own kernel. They differ
// by rounding only (nn's TestInferMatchesForward explains the
// tolerance; relaxed SIMD may fuse or not, which is rounding too). With
// the same products, the kernel's transforms must give the logits of
// Go's (nn.WinogradGo) bit for bit. Images of 32 pixels a side have
// rows of 16, 8 and 4 tiles, whole groups of the kernel's 4; the
// built-in model's of 40, rows of 20, 10 and 5, which end in fewer.
func TestInferWithKernels(t *testing.T) {
	for _, side := range []int{32, 40} {
		t.Run(fmt.Sprintf("side=%d", side), func(t *testing.T) { testInferWithKernels(t, side) })
	}
}

// testInferWithKernels is TestInferWithKernels on images of side × side
// pixels.
func testInferWithKernels(t *testing.T, side int) {
	rng := rand.New(rand.NewPCG(8, 9))
	cfg := nn.Reference()
	cfg.InputSize = side
	net, err := nn.NewResNet(cfg, rng)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range net.Params() {
		if !p.Trainable() && !p.Integer {
			for i := range p.Value.Data {
				p.Value.Data[i] = float32(0.2 + rng.Float64()) // running statistics
			}
		}
	}
	x := &nn.Tensor{Shape: []int{21, 3, side, side}, Data: randSlice(rng, 21*3*side*side)}
	want := append([]float32(nil), net.Forward(x, false).Data...)
	tol := 0.0
	for _, v := range want {
		tol = max(tol, 1e-5*math.Abs(float64(v)))
	}
	for name, k := range kernels(t) {
		t.Run(name, func(t *testing.T) {
			nn.SetGemmKernel(k.Gemm)
			nn.SetInterleaveKernel(k.Interleave)
			nn.SetGatherKernel(k.Gather)
			nn.SetRowsGemmKernel(k.GemmRows)
			nn.SetSplitKernel(k.Split)
			defer nn.SetGemmKernel(nil)
			defer nn.SetInterleaveKernel(nil)
			defer nn.SetGatherKernel(nil)
			defer nn.SetRowsGemmKernel(nil)
			defer nn.SetSplitKernel(nil)
			defer nn.SetWinogradKernels(nil)
			nn.SetWinogradKernels(&nn.WinogradGo)
			goWinograd := append([]float32(nil), net.Infer(x).Data...)
			nn.SetWinogradKernels(k.Winograd())
			got := net.Infer(x).Data
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); !(d <= tol) {
					t.Fatalf("logit %d: got %v, want %v (tolerance %g)", i, got[i], want[i], tol)
				}
				if math.Float32bits(got[i]) != math.Float32bits(goWinograd[i]) {
					t.Fatalf("logit %d: got %v, with Go's Winograd transforms %v", i, got[i], goWinograd[i])
				}
			}
		})
	}
}
