//go:build js && wasm

package simd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// TestInferWithKernels runs nn's fast inference with each kernel set and
// compares its logits with the plain eval-mode Forward's, computed with
// nn's own kernel. They differ by rounding only (nn's TestInferMatchesForward
// explains the tolerance; relaxed SIMD may fuse or not, which is rounding
// too).
func TestInferWithKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	net, err := nn.NewResNet(nn.Reference(), rng)
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
	x := &nn.Tensor{Shape: []int{21, 3, 32, 32}, Data: randSlice(rng, 21*3*32*32)}
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
			got := net.Infer(x).Data
			for i := range want {
				if d := math.Abs(float64(got[i] - want[i])); !(d <= tol) {
					t.Fatalf("logit %d: got %v, want %v (tolerance %g)", i, got[i], want[i], tol)
				}
			}
		})
	}
}
