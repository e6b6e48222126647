package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestRelu checks the branch-free ReLU against the comparison
// "v <= 0 gives 0, else v" on the values where bit tricks go wrong: zeros
// of both signs, infinities, NaNs of both signs and payloads, subnormals;
// at even and odd offsets and lengths, in place and into another slice.
func TestRelu(t *testing.T) {
	var vals []float32
	for _, b := range []uint32{0, 0x80000000, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000,
		0x7f800001, 0xff800001, 0x7fffffff, 0xffffffff, 1, 0x80000001, 0x7f7fffff, 0xff7fffff} {
		vals = append(vals, math.Float32frombits(b))
	}
	vals = append(vals, 1, -1, 0.5, -0.5)
	want := make([]float32, len(vals))
	for i, v := range vals {
		if v <= 0 {
			v = 0
		}
		want[i] = v
	}
	check := func(how string, got []float32, lo int) {
		t.Helper()
		for i, g := range got {
			w := want[lo+i]
			if math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
				t.Errorf("%s: relu(%#08x) = %#08x, want %#08x", how, math.Float32bits(vals[lo+i]), math.Float32bits(g), math.Float32bits(w))
			}
		}
	}
	for lo := 0; lo < 2; lo++ {
		for hi := len(vals) - 1; hi <= len(vals); hi++ {
			in := append([]float32(nil), vals...)[lo:hi]
			relu(in, in)
			check("in place", in, lo)
			out := make([]float32, hi-lo+1)[1:] // at another alignment
			relu(out, vals[lo:hi])
			check("into another slice", out, lo)
		}
	}
}

// TestReluBackward checks the branch-free mask against "pass dy where the
// output is not +0" on every kind of output relu makes (+0, positive
// finite, +Inf, NaNs of both signs, subnormals), at even and odd offsets
// and lengths, in place and into another slice.
func TestReluBackward(t *testing.T) {
	var y []float32
	for _, b := range []uint32{0, 1, 0x7f800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001,
		0x7fffffff, 0xffffffff, 0x7f7fffff, 0x00800000, 0x3f800000} {
		y = append(y, math.Float32frombits(b))
	}
	dy := make([]float32, len(y))
	want := make([]float32, len(y))
	for i := range dy {
		dy[i] = float32(i+1) * -0.75
		if math.Float32bits(y[i]) != 0 {
			want[i] = dy[i]
		}
	}
	for lo := 0; lo < 2; lo++ {
		for hi := len(y) - 1; hi <= len(y); hi++ {
			out := make([]float32, hi-lo+1)[1:] // at another alignment
			for i := range out {
				out[i] = 99
			}
			reluBackward(out, dy[lo:hi], y[lo:hi])
			in := append([]float32(nil), dy...)[lo:hi]
			reluBackward(in, in, y[lo:hi])
			for i := range out {
				if out[i] != want[lo+i] || in[i] != want[lo+i] {
					t.Errorf("y %#08x, dy %v: got %v (in place %v), want %v", math.Float32bits(y[lo+i]), dy[lo+i], out[i], in[i], want[lo+i])
				}
			}
		}
	}
}

// TestReLURuns checks reluRuns against relu on each run, with Go's loops
// and with a Runs kernel, which gets the runs in one call, and that it
// leaves the values between runs alone.
func TestReLURuns(t *testing.T) {
	for _, withRuns := range []bool{false, true} {
		calls := 0
		if withRuns {
			SetReLUKernels(&ReLUKernels{
				Forward:  func(dst, src []float32) { t.Error("Forward called with Runs set") },
				Backward: func(dx, dy, y []float32) {},
				Runs: func(x []float32, n, runs, stride int) {
					calls++
					for r := range runs {
						for i := r * stride; i < r*stride+n; i++ {
							x[i] = max(x[i], 0)
						}
					}
				},
			})
		}
		rng := rand.New(rand.NewPCG(4, 4))
		for _, n := range []int{1, reluKernelMin - 1, reluKernelMin, 1089} {
			for _, runs := range []int{1, 3} {
				stride := n + 7
				x := make([]float32, (runs-1)*stride+n+5)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				want := slices.Clone(x)
				for r := range runs {
					for i := r * stride; i < r*stride+n; i++ {
						want[i] = max(want[i], 0)
					}
				}
				reluRuns(x, n, runs, stride)
				for i := range x {
					if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
						t.Fatalf("Runs set %v, %d runs of %d: x[%d] = %v, want %v", withRuns, runs, n, i, x[i], want[i])
					}
				}
			}
		}
		SetReLUKernels(nil)
		if withRuns && calls != 4 {
			t.Errorf("%d calls of Runs, want 4 (one for each call of at least reluKernelMin values a run)", calls)
		}
	}
}

// TestReLUKernelsSet checks that ReLU's passes hand slices of at least
// reluKernelMin elements to the ReLUKernels set, whole, and compute
// shorter ones themselves.
func TestReLUKernelsSet(t *testing.T) {
	var forward, backward []int
	SetReLUKernels(&ReLUKernels{
		Forward:  func(dst, src []float32) { forward = append(forward, len(src)) },
		Backward: func(dx, dy, y []float32) { backward = append(backward, len(dy)) },
	})
	defer SetReLUKernels(nil)
	for _, n := range []int{reluKernelMin - 1, reluKernelMin, 3*reluKernelMin + 1} {
		forward, backward = nil, nil
		var r ReLU
		x := NewTensor(n)
		x.Data[0] = -1
		y := r.Forward(x, true)
		r.Backward(NewTensor(n))
		want := []int{n}
		if n < reluKernelMin {
			want = nil
			if y.Data[0] != 0 {
				t.Errorf("%d elements: relu(-1) = %v without the kernel, want 0", n, y.Data[0])
			}
		}
		if !slices.Equal(forward, want) || !slices.Equal(backward, want) {
			t.Errorf("%d elements: the kernels got forward %v and backward %v, want %v each", n, forward, backward, want)
		}
	}
}
