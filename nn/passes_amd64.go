//go:build !noasm

package nn

import "golang.org/x/sys/cpu"

// The passes of BatchNorm2D, ReLU and col2im in AVX2 assembly, which
// training runs natively where no kernel is set (see SetChannelPasses
// and SetReLUKernels) and the CPU has AVX2. They give every bit that Go's
// loops give, as a set kernel must, but for a NaN's sign and payload,
// which the order of a commutative addition's operands decides and
// which WebAssembly does not fix either; only the speed differs.
//
// Go's sums of a plane are latency-bound: each of their four (or two)
// partial sums waits for its last addition. The assembly keeps a plane's
// partial sums in the lanes of one vector, as Go keeps them apart, and
// sums four planes at once, which Go then adds to the channel's total in
// their order.

// builtinPasses are the channel passes in assembly, or nil where the CPU
// lacks AVX2.
var builtinPasses = func() *ChannelPasses {
	if !cpu.X86.HasAVX2 {
		return nil
	}
	return &ChannelPasses{
		Sum:               sumAVX2,
		SquaredDeviations: squaredDeviationsAVX2,
		GradientSums:      gradientSumsAVX2,
		Affine:            affineAVX2,
		InputGradient:     inputGradientAVX2,
	}
}()

// asmPasses is whether relu, reluBackward, add, addReLU and splitRows
// run their bulk in assembly (tests turn it off to have Go's loops).
var asmPasses = cpu.X86.HasAVX2

// planeOffsets sets offs to the element offsets of planes i to i+3 of
// n, stride apart, repeating the last plane where fewer than four are
// left (the assembly then sums it more than once, and the caller keeps
// one), and returns how many are new.
func planeOffsets(offs *[4]int, i, n, stride int) int {
	m := min(4, n-i)
	for j := range offs {
		offs[j] = (i + min(j, m-1)) * stride
	}
	return m
}

func sumAVX2(x []float32, hw, n, stride int) float64 {
	return planeTotal(x, hw, n, stride, false, 0)
}

func squaredDeviationsAVX2(x []float32, hw, n, stride int, mean float64) float64 {
	return planeTotal(x, hw, n, stride, true, mean)
}

// planeTotal adds up, plane after plane, the sums of the n planes of x,
// hw values stride apart, or of their squared deviations from mean when
// squares is set.
func planeTotal(x []float32, hw, n, stride int, squares bool, mean float64) float64 {
	_ = x[(n-1)*stride+hw-1]
	var offs [4]int
	var s [4]float64
	var t float64
	for i := 0; i < n; i += 4 {
		m := planeOffsets(&offs, i, n, stride)
		if squares {
			planeSquares4(&x[0], &offs, hw, mean, &s)
		} else {
			planeSums4(&x[0], &offs, hw, &s)
		}
		for _, v := range s[:m] {
			t += v
		}
	}
	return t
}

func gradientSumsAVX2(dy, x []float32, hw, n, stride int, mean, invStd float32) (sdy, sdyx float64) {
	_ = x[(n-1)*stride+hw-1]
	_ = dy[(n-1)*stride+hw-1]
	var offs [4]int
	var s [8]float64 // the planes' sums of dy, then of dy*xhat
	for i := 0; i < n; i += 4 {
		m := planeOffsets(&offs, i, n, stride)
		planeGradients4(&dy[0], &x[0], &offs, hw, mean, invStd, &s)
		for j := range m {
			sdy += s[j]
			sdyx += s[4+j]
		}
	}
	return sdy, sdyx
}

func affineAVX2(y, x []float32, hw, n, stride int, scale, shift float32) {
	_ = x[(n-1)*stride+hw-1]
	_ = y[(n-1)*stride+hw-1]
	affinePlanes(&y[0], &x[0], hw, n, stride, scale, shift)
}

func inputGradientAVX2(dx, dy, x []float32, hw, n, stride int, a, mdy, mdyx, mean, invStd float32) {
	_ = x[(n-1)*stride+hw-1]
	_ = dy[(n-1)*stride+hw-1]
	_ = dx[(n-1)*stride+hw-1]
	inputGradientPlanes(&dx[0], &dy[0], &x[0], hw, n, stride, a, mdy, mdyx, mean, invStd)
}

// reluBulk applies relu to the longest prefix of src that is a multiple
// of 8 in assembly, and returns its length.
func reluBulk(dst, src []float32) int {
	n := len(src) &^ 7
	if !asmPasses || n == 0 {
		return 0
	}
	_ = dst[n-1]
	reluAVX2(&dst[0], &src[0], n)
	return n
}

// addBulk sets the longest prefix of dst that is a multiple of 8 to a +
// b in assembly, and returns its length.
func addBulk(dst, a, b []float32) int {
	n := len(a) &^ 7
	if !asmPasses || n == 0 {
		return 0
	}
	_, _ = dst[n-1], b[n-1]
	addAVX2(&dst[0], &a[0], &b[0], n)
	return n
}

// addReLUBulk is addBulk for relu(a + b).
func addReLUBulk(dst, a, b []float32) int {
	n := len(a) &^ 7
	if !asmPasses || n == 0 {
		return 0
	}
	_, _ = dst[n-1], b[n-1]
	addReLUAVX2(&dst[0], &a[0], &b[0], n)
	return n
}

// reluBackwardBulk is reluBulk for reluBackward.
func reluBackwardBulk(dx, dy, y []float32) int {
	n := len(dy) &^ 7
	if !asmPasses || n == 0 {
		return 0
	}
	_, _ = dx[n-1], y[n-1]
	reluBackwardAVX2(&dx[0], &dy[0], &y[0], n)
	return n
}

// splitBulk splits the first w &^ 3 columns of rows rows as splitRows
// does, in assembly, and returns how many.
func splitBulk(even, odd, src []float32, w, rows, srcRow, dstRow int) int {
	w4 := w &^ 3
	if !asmPasses || w4 == 0 || rows == 0 {
		return 0
	}
	_ = src[(rows-1)*srcRow+2*w4-1]
	_, _ = even[(rows-1)*dstRow+w4-1], odd[(rows-1)*dstRow+w4-1]
	splitAVX2(&even[0], &odd[0], &src[0], w4, rows, srcRow, dstRow)
	return w4
}

//go:noescape
func splitAVX2(even, odd, src *float32, w, rows, srcRow, dstRow int)

//go:noescape
func planeSums4(x *float32, offs *[4]int, hw int, out *[4]float64)

//go:noescape
func planeSquares4(x *float32, offs *[4]int, hw int, mean float64, out *[4]float64)

//go:noescape
func planeGradients4(dy, x *float32, offs *[4]int, hw int, mean, invStd float32, out *[8]float64)

//go:noescape
func affinePlanes(y, x *float32, hw, n, stride int, scale, shift float32)

//go:noescape
func inputGradientPlanes(dx, dy, x *float32, hw, n, stride int, a, mdy, mdyx, mean, invStd float32)

//go:noescape
func reluAVX2(dst, src *float32, n int)

//go:noescape
func reluBackwardAVX2(dx, dy, y *float32, n int)

//go:noescape
func addAVX2(dst, a, b *float32, n int)

//go:noescape
func addReLUAVX2(dst, a, b *float32, n int)
