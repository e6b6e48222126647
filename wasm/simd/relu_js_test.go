//go:build js && wasm

package simd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// reluValues returns n values that hold, among random ones, every kind
// ReLU's bits can go wrong on: zeros of both signs, infinities, NaNs of
// both signs and payloads, subnormals, the largest finite values.
func reluValues(n int, rng *rand.Rand) []float32 {
	specials := []uint32{0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
		0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff, 1, 0x80000001, 0x7f7fffff, 0xff7fffff}
	v := make([]float32, n)
	for i := range v {
		if rng.IntN(4) == 0 {
			v[i] = math.Float32frombits(specials[rng.IntN(len(specials))])
		} else {
			v[i] = float32(rng.NormFloat64())
		}
	}
	return v
}

// sameBits reports the first index where got and want differ in any bit,
// or -1.
func sameBits(got, want []float32) int {
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return i
		}
	}
	return -1
}

// TestReLUKernels checks the kernel's ReLU passes against nn's Go loops
// bit for bit (NaNs' bits too), at lengths around multiples of 4, at each
// alignment, in place and into another slice, the backward pass also
// against its rule (dy where y's bits are not zero) on any y; and that
// nn's ReLU layer gives the same bits with them set.
func TestReLUKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for name, k := range kernels(t) {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{0, 1, 3, 4, 5, 8, 11, 16, 37, 515, 4099} {
				for lo := range 4 {
					x := reluValues(lo+n, rng)[lo:]
					dy := reluValues(lo+n, rng)[lo:]
					want, wantDx := layerReLU(x, dy) // nn's Go loops: no kernels are set

					got := make([]float32, n+3)[3:] // another alignment
					k.ReLU(got, x)
					if i := sameBits(got, want); i >= 0 {
						t.Fatalf("n %d at %d: relu(%#08x) = %#08x, want %#08x", n, lo, math.Float32bits(x[i]), math.Float32bits(got[i]), math.Float32bits(want[i]))
					}
					in := append([]float32(nil), x...)
					k.ReLU(in, in)
					if i := sameBits(in, want); i >= 0 {
						t.Fatalf("n %d at %d, in place: relu(%#08x) = %#08x, want %#08x", n, lo, math.Float32bits(x[i]), math.Float32bits(in[i]), math.Float32bits(want[i]))
					}

					dx := make([]float32, n+1)[1:]
					k.ReLUBackward(dx, dy, want)
					if i := sameBits(dx, wantDx); i >= 0 {
						t.Fatalf("n %d at %d: backward of dy %#08x at y %#08x = %#08x, want %#08x", n, lo, math.Float32bits(dy[i]), math.Float32bits(want[i]), math.Float32bits(dx[i]), math.Float32bits(wantDx[i]))
					}
					anyY := reluValues(n, rng) // -0 and negatives too: bits, not values, decide
					k.ReLUBackward(dx, dy, anyY)
					for i := range anyY {
						w := dy[i]
						if math.Float32bits(anyY[i]) == 0 {
							w = 0
						}
						if math.Float32bits(dx[i]) != math.Float32bits(w) {
							t.Fatalf("n %d at %d: backward of dy %#08x at y %#08x = %#08x, want %#08x", n, lo, math.Float32bits(dy[i]), math.Float32bits(anyY[i]), math.Float32bits(dx[i]), math.Float32bits(w))
						}
					}
					g := append([]float32(nil), dy...)
					k.ReLUBackward(g, g, want)
					if i := sameBits(g, wantDx); i >= 0 {
						t.Fatalf("n %d at %d, in place: backward %#08x, want %#08x", n, lo, math.Float32bits(g[i]), math.Float32bits(wantDx[i]))
					}

					nn.SetReLUKernels(k.ReLUKernels())
					got, gotDx := layerReLU(x, dy)
					nn.SetReLUKernels(nil)
					if i, j := sameBits(got, want), sameBits(gotDx, wantDx); i >= 0 || j >= 0 {
						t.Fatalf("n %d at %d: nn.ReLU with the kernels differs from without, forward at %d, backward at %d", n, lo, i, j)
					}
				}
			}
		})
	}
}

// TestReLURuns checks the kernel's ReLURuns against its ReLU on each run,
// bit for bit, runs of lengths around multiples of 4 at any stride, and
// the values between the runs left as they were.
func TestReLURuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 3))
	for name, k := range kernels(t) {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{1, 3, 4, 5, 1089} {
				for _, runs := range []int{1, 2, 5} {
					stride := n + rng.IntN(9)
					x := reluValues((runs-1)*stride+n+3, rng)
					want := append([]float32(nil), x...)
					for r := range runs {
						run := want[r*stride : r*stride+n]
						k.ReLU(run, run)
					}
					k.ReLURuns(x, n, runs, stride)
					if i := sameBits(x, want); i >= 0 {
						t.Fatalf("%d runs of %d, %d apart: x[%d] = %#08x, want %#08x", runs, n, stride, i, math.Float32bits(x[i]), math.Float32bits(want[i]))
					}
				}
			}
		})
	}
}

// layerReLU returns nn.ReLU's forward of x and backward of dy.
func layerReLU(x, dy []float32) (y, dx []float32) {
	var r nn.ReLU
	in := nn.NewTensor(len(x))
	copy(in.Data, x)
	y = append([]float32(nil), r.Forward(in, true).Data...)
	g := nn.NewTensor(len(dy))
	copy(g.Data, dy)
	return y, append([]float32(nil), r.Backward(g).Data...)
}

// TestAddKernels checks the kernel's residual sums, Add and AddReLU,
// against Go's a + b and nn.ReLU's Forward of it, bit for bit but for
// NaNs' payloads (which WebAssembly leaves to the engine), at lengths
// around multiples of 4 and at each alignment; and that a network's
// forward and backward passes give the same bits with them set.
func TestAddKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 4))
	for name, k := range kernels(t) {
		t.Run(name, func(t *testing.T) {
			for _, n := range []int{1, 3, 4, 5, 8, 11, 37, 515} {
				for lo := range 4 {
					a, b := reluValues(lo+n, rng)[lo:], reluValues(n, rng)
					sum := make([]float32, n)
					for i := range sum {
						sum[i] = a[i] + b[i]
					}
					want, _ := layerReLU(sum, sum)
					got, gotSum := make([]float32, n+1)[1:], make([]float32, n)
					k.Add(gotSum, a, b)
					k.AddReLU(got, a, b)
					if i := sameValues(gotSum, sum); i >= 0 {
						t.Fatalf("n %d at %d: add(%v, %v) = %v, want %v", n, lo, a[i], b[i], gotSum[i], sum[i])
					}
					if i := sameValues(got, want); i >= 0 {
						t.Fatalf("n %d at %d: addReLU(%v, %v) = %#08x, want %#08x", n, lo, a[i], b[i], math.Float32bits(got[i]), math.Float32bits(want[i]))
					}
				}
			}
			net := func() *nn.ResNet {
				r, err := nn.NewResNet(nn.Config{InputSize: 12, Width: 8, Stages: []int{1, 1}, Shortcut: "conv1x1", Classes: 3}, rand.New(rand.NewPCG(5, 5)))
				if err != nil {
					t.Fatal(err)
				}
				return r
			}
			x := nn.NewTensor(4, 3, 12, 12)
			for i := range x.Data {
				x.Data[i] = float32(rng.NormFloat64())
			}
			dy := nn.NewTensor(4, 3)
			for i := range dy.Data {
				dy.Data[i] = float32(rng.NormFloat64())
			}
			run := func() (logits, dx []float32) {
				r := net()
				logits = append([]float32(nil), r.Forward(x, true).Data...)
				return logits, append([]float32(nil), r.Backward(dy).Data...)
			}
			wantY, wantDx := run()
			nn.SetReLUKernels(k.ReLUKernels())
			gotY, gotDx := run()
			nn.SetReLUKernels(nil)
			if i, j := sameBits(gotY, wantY), sameBits(gotDx, wantDx); i >= 0 || j >= 0 {
				t.Fatalf("a network with the kernels differs from without: logits at %d, input gradient at %d", i, j)
			}
		})
	}
}

// sameValues is sameBits, but for NaNs, which need only both be NaN.
func sameValues(got, want []float32) int {
	for i := range want {
		if got[i] != got[i] && want[i] != want[i] {
			continue
		}
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			return i
		}
	}
	return -1
}
