package nn

import "sync/atomic"

// ChannelPasses are BatchNorm2D's passes over one channel of a batch:
// n planes of hw values, stride apart, the first at the start of each
// slice. Each is to give every bit that Go's loops in this package give
// (the sums in float64, four interleaved partial sums a plane for Sum
// and SquaredDeviations and two for GradientSums, added plane after
// plane; the element-wise passes in float32, nothing fused), so that a
// kernel running them faster, as the WebAssembly SIMD kernel of the
// page's worker does (see wasm/simd), changes no result. nn calls a
// kernel's passes only on planes of a multiple of 4 values, from any
// goroutine.
type ChannelPasses struct {
	// Sum returns the sum of the channel's values.
	Sum func(x []float32, hw, n, stride int) float64
	// SquaredDeviations returns the sum of (x - mean)².
	SquaredDeviations func(x []float32, hw, n, stride int, mean float64) float64
	// GradientSums returns the sums of dy and of dy*xhat, xhat being
	// (x - mean)*invStd rounded to float32.
	GradientSums func(dy, x []float32, hw, n, stride int, mean, invStd float32) (sdy, sdyx float64)
	// Affine sets y to x*scale + shift.
	Affine func(y, x []float32, hw, n, stride int, scale, shift float32)
	// InputGradient sets dx to a*dy - mdy - xhat*mdyx, xhat as in
	// GradientSums.
	InputGradient func(dx, dy, x []float32, hw, n, stride int, a, mdy, mdyx, mean, invStd float32)
}

// goChannelPasses are the passes in Go.
var goChannelPasses = ChannelPasses{
	Sum: func(x []float32, hw, n, stride int) float64 {
		var t float64
		for i := range n {
			t += sum64(x[i*stride : i*stride+hw])
		}
		return t
	},
	SquaredDeviations: func(x []float32, hw, n, stride int, mean float64) float64 {
		var t float64
		for i := range n {
			t += squaredDeviations(x[i*stride:i*stride+hw], mean)
		}
		return t
	},
	GradientSums: func(dy, x []float32, hw, n, stride int, mean, invStd float32) (sdy, sdyx float64) {
		for i := range n {
			a, ax := gradientSums(dy[i*stride:i*stride+hw], x[i*stride:i*stride+hw], mean, invStd)
			sdy += a
			sdyx += ax
		}
		return sdy, sdyx
	},
	Affine: func(y, x []float32, hw, n, stride int, scale, shift float32) {
		for i := range n {
			dst := y[i*stride : i*stride+hw]
			for j, v := range x[i*stride : i*stride+hw] {
				dst[j] = v*scale + shift
			}
		}
	},
	InputGradient: func(dx, dy, x []float32, hw, n, stride int, a, mdy, mdyx, mean, invStd float32) {
		for i := range n {
			xs := x[i*stride : i*stride+hw]
			dst := dx[i*stride : i*stride+hw]
			for j, d := range dy[i*stride : i*stride+hw] {
				xh := float32((xs[j] - mean) * invStd)
				dst[j] = a*d - mdy - xh*mdyx
			}
		}
	},
}

// GoChannelPasses returns the passes in Go, whose bits a kernel's must
// give.
func GoChannelPasses() *ChannelPasses { return &goChannelPasses }

// channelKernels are the passes set by SetChannelPasses, or nil.
var channelKernels atomic.Pointer[ChannelPasses]

// SetChannelPasses makes BatchNorm2D, in training and evaluation, run
// its passes with k from now on, in every goroutine, or with Go's loops
// again when k is nil.
func SetChannelPasses(k *ChannelPasses) { channelKernels.Store(k) }

// channelPasses returns the passes for planes of hw values: the kernel
// set, else the built-in assembly where there is one (see
// passes_amd64.go), on planes of a positive multiple of 4 values; Go's
// loops on any other.
func channelPasses(hw int) *ChannelPasses {
	if hw%4 != 0 || hw == 0 {
		return &goChannelPasses
	}
	if k := channelKernels.Load(); k != nil {
		return k
	}
	if builtinPasses != nil {
		return builtinPasses
	}
	return &goChannelPasses
}
