package nn

import (
	"math"
	"unsafe"
)

// ReLU is max(x, 0) element by element. It has no state-dict entries.
type ReLU struct {
	y, dx Tensor
}

// Forward returns max(x, 0); NaN stays NaN, so a diverging step is seen.
func (r *ReLU) Forward(x *Tensor, train bool) *Tensor {
	r.y.Resize(x.Shape...)
	relu(r.y.Data, x.Data)
	return &r.y
}

// forwardSum returns Forward(a + b), keeping the sum in sum, or, where
// ReLUKernels or the assembly have a pass for both, computing it in the
// same pass without keeping it.
func (r *ReLU) forwardSum(a, b, sum *Tensor) *Tensor {
	r.y.Resize(a.Shape...)
	if k := reluKernels.Load(); k != nil && k.ForwardSum != nil && len(a.Data) >= reluKernelMin {
		k.ForwardSum(r.y.Data, a.Data, b.Data[:len(a.Data)])
		return &r.y
	}
	if i := addReLUBulk(r.y.Data, a.Data, b.Data); i > 0 {
		var t [8]float32
		tail := t[:len(a.Data)-i]
		add(tail, a.Data[i:], b.Data[i:])
		reluGo(r.y.Data[i:], tail)
		return &r.y
	}
	sum.Resize(a.Shape...)
	add(sum.Data, a.Data, b.Data)
	relu(r.y.Data, sum.Data)
	return &r.y
}

// Backward passes dy where the output was not zero: positive, or NaN
// (as PyTorch does), so that a NaN is not hidden.
func (r *ReLU) Backward(dy *Tensor) *Tensor {
	r.dx.Resize(dy.Shape...)
	reluBackward(r.dx.Data, dy.Data, r.y.Data)
	return &r.dx
}

// Params returns nothing.
func (r *ReLU) Params() []*Param { return nil }

// relu sets dst, of src's length, to max(src, 0) element by element,
// keeping NaN; dst may be src. It works on the bits of two elements at a
// time, without branches: on activations, whose signs are random, a
// branch per element mispredicts so often that this is four times as
// fast under GOOS=js. Reading float32s as uint64s takes unaligned
// 8-byte loads and stores, which WebAssembly, amd64 and arm64 allow, and
// the two floats' order in the word does not matter: each lane is
// treated alike. Long slices go to the ReLUKernels set, if any; else
// the built-in assembly, where there is one, takes all but the last few
// elements (see passes_amd64.go).
func relu(dst, src []float32) {
	dst = dst[:len(src)]
	if k := reluKernels.Load(); k != nil && len(src) >= reluKernelMin {
		k.Forward(dst, src)
		return
	}
	i := reluBulk(dst, src)
	reluGo(dst[i:], src[i:])
}

// add sets dst, of a's length, to a + b element by element, with
// ReLUKernels' Sum where it is set, else in assembly where there is one.
func add(dst, a, b []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	if k := reluKernels.Load(); k != nil && k.Sum != nil && len(a) >= reluKernelMin {
		k.Sum(dst, a, b)
		return
	}
	for i := addBulk(dst, a, b); i < len(a); i++ {
		dst[i] = a[i] + b[i]
	}
}

// reluGo is relu in Go.
func reluGo(dst, src []float32) {
	const signs = 0x8000000080000000
	in := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(src))), len(src)/2)
	out := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dst))), len(in))
	for i, b := range in {
		// A lane is NaN when its magnitude exceeds that of infinity,
		// 0x7f800000: adding 0x7fffff then carries into its sign bit.
		// The lanes to zero are those of sign bit set and no such carry.
		zero := b &^ (b&^signs + 0x007fffff007fffff) & signs
		out[i] = b &^ (zero >> 31 * 0xffffffff)
	}
	if len(src)%2 == 1 {
		v := src[len(src)-1]
		if v <= 0 {
			v = 0
		}
		dst[len(src)-1] = v
	}
}

// reluRuns applies relu in place to runs runs of n values of x, stride
// apart, for runs ≥ 1: with ReLUKernels' Runs in one call where it is
// set.
func reluRuns(x []float32, n, runs, stride int) {
	_ = x[(runs-1)*stride+n-1]
	if k := reluKernels.Load(); k != nil && k.Runs != nil && n >= reluKernelMin {
		k.Runs(x, n, runs, stride)
		return
	}
	for r := range runs {
		run := x[r*stride : r*stride+n]
		relu(run, run)
	}
}

// reluBackward sets dx, of dy's length, to dy where y, a ReLU output (+0,
// positive or NaN), is not zero, and to 0 elsewhere; dx may be dy. Like
// relu it works on two elements at a time, without branches, or hands
// long slices to the ReLUKernels set, or its bulk to the built-in
// assembly.
func reluBackward(dx, dy, y []float32) {
	dx, y = dx[:len(dy)], y[:len(dy)]
	if k := reluKernels.Load(); k != nil && len(dy) >= reluKernelMin {
		k.Backward(dx, dy, y)
		return
	}
	i := reluBackwardBulk(dx, dy, y)
	reluBackwardGo(dx[i:], dy[i:], y[i:])
}

// reluBackwardGo is reluBackward in Go.
func reluBackwardGo(dx, dy, y []float32) {
	const signs, low = 0x8000000080000000, 0x7fffffff7fffffff
	g := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dy))), len(dy)/2)
	out := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(dx))), len(g))
	in := unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(y))), len(g))
	for i, b := range in {
		// A lane is not zero when its sign is set or its other bits,
		// plus 0x7fffffff, carry into the sign (never out of the lane).
		nonzero := ((b&low + low) | b) & signs >> 31 * 0xffffffff
		out[i] = g[i] & nonzero
	}
	if n := len(dy); n%2 == 1 {
		if math.Float32bits(y[n-1]) == 0 {
			dx[n-1] = 0
		} else {
			dx[n-1] = dy[n-1]
		}
	}
}
