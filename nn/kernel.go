package nn

import "sync/atomic"

// GemmKernel computes, for Gemm, a block of C from packed A and from B in
// panels, in tiles of 4 rows by 8 columns:
//
//	for i := 0; i < 4*tiles; i++ {
//		for j := 0; j < 8*panels; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i/4*4*k+p*4+i%4] * b[j/8*ps+p*bs+j%8]
//			}
//			c[i*ldc+j] = s // or += s when add
//		}
//	}
//
// for k, tiles and panels ≥ 1, in any order of the sums. A holds tiles
// panels of 4 rows, each column of a panel 4 consecutive values; B holds
// panels of 8 columns, each row of a panel 8 consecutive values. Gemm
// calls it only with slices that hold every element the loop reads or
// writes, and a kernel must not touch any other. Gemm may call it from
// several goroutines at once, and it must not keep the slices.
//
// A kernel exists to run the innermost loops faster than Go can, as the
// WebAssembly SIMD kernel of the page's worker does (see wasm/simd).
type GemmKernel func(k, tiles, panels int, a, b []float32, ps, bs int, c []float32, ldc int, add bool)

// The tile and blocking of a GemmKernel.
const (
	kernelMR = 4   // rows of a tile
	kernelNR = 8   // columns of a tile, and of a panel of B
	kernelKC = 256 // depth of a block, at most
)

// gemmKernel is the kernel set by SetGemmKernel, or nil.
var gemmKernel atomic.Pointer[GemmKernel]

// SetGemmKernel makes Gemm compute with k from now on, in every
// goroutine, or with its built-in kernels again when k is nil. Gemm packs
// A, and B where its panels are not rows of B already, and computes the
// tiles of C that are cut by its edges into a scratch block that it then
// copies; k computes everything else.
func SetGemmKernel(k GemmKernel) {
	if k == nil {
		gemmKernel.Store(nil)
		return
	}
	gemmKernel.Store(&k)
}

// gemmWith is Gemm's blocked loop around the kernel kern, for m, n, k > 0
// and leading dimensions ≥ 0. It splits k into blocks of equal depth up to
// kernelKC. In each block it packs all of op(A), zero rows completing the
// last tile; it reads the whole panels of op(B) in place when op(B) is B,
// and packs the rest, zero columns completing the last panel. B given by
// its rows is packed a block of columns at a time (gemmRowsBlock). Tiles
// cut by the edges of C go through buf.e.
func gemmWith(kern GemmKernel, buf *GemmBuffer, transA bool, m, n, k int, a []float32, lda int, b operandB, c []float32, ldc int, accumulate bool) {
	blocks := (k + kernelKC - 1) / kernelKC
	kc := (k + blocks - 1) / blocks
	tiles := (m + kernelMR - 1) / kernelMR
	mFull := m - m%kernelMR // rows of C in whole tiles
	nFull := n - n%kernelNR // columns of C in whole panels
	panels := nFull / kernelNR
	np := (n + kernelNR - 1) / kernelNR * kernelNR

	buf.a = grow(buf.a, tiles*kernelMR*kc)
	packAll := b.trans || gemmAliasedRows(b.ld)
	switch {
	case b.rows != nil:
		buf.b = grow(buf.b, max(rowsBlockFloats, kernelNR*kc))
	case packAll:
		buf.b = grow(buf.b, np*kc)
	case nFull < n:
		buf.b = grow(buf.b, kernelNR*kc)
	}
	edge := 0
	if mFull < m {
		edge = kernelMR * nFull
	}
	if nFull < n {
		edge = max(edge, tiles*kernelMR*kernelNR)
	}
	buf.e = grow(buf.e, edge)

	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		add := accumulate || p0 > 0
		packA(buf.a, kernelMR, transA, a, lda, m, p0, kb)
		// The whole panels of op(B) are bFull, ps and bs as GemmKernel
		// reads them; the last, cut one, packed, is bLast.
		var bFull, bLast []float32
		var ps, bs int
		if b.rows != nil {
			gemmRowsBlock(kern, buf, m, n, kb, b.rows[p0:p0+kb], c, ldc, add)
			continue
		}
		if packAll {
			packB(buf.b, kernelNR, kernelNR, b.trans, b.b, b.ld, n, p0, kb)
			bFull, ps, bs = buf.b, kernelNR*kb, kernelNR
			bLast = buf.b[nFull*kb:]
		} else {
			bFull, ps, bs = b.b[p0*b.ld:], kernelNR, b.ld
			if nFull < n {
				packB(buf.b, kernelNR, kernelNR, false, b.b[nFull:], b.ld, n-nFull, p0, kb)
				bLast = buf.b
			}
		}
		if panels > 0 && mFull > 0 {
			callKernel(kern, kb, mFull/kernelMR, panels, buf.a, bFull, ps, bs, c, ldc, add)
		}
		if panels > 0 && mFull < m {
			callKernel(kern, kb, 1, panels, buf.a[mFull*kb:], bFull, ps, bs, buf.e, nFull, false)
			storeTile(c[mFull*ldc:], ldc, buf.e, nFull, m-mFull, nFull, add)
		}
		if nFull < n {
			callKernel(kern, kb, tiles, 1, buf.a, bLast, kernelNR*kb, kernelNR, buf.e, kernelNR, false)
			storeTile(c[nFull:], ldc, buf.e, kernelNR, m, n-nFull, add)
		}
	}
}

// operandB is gemmWith's B: op(B) of the matrix b, ld floats a row, or,
// when rows is set, the matrix of those rows.
type operandB struct {
	trans bool
	b     []float32
	ld    int
	rows  [][]float32
}

// gemmRowsBlock is gemmWith's step for a block of depth kb of the rows
// of B: A is packed in buf.a. Where a RowsGemmKernel is set, it runs on
// the rows in place, every whole panel in one call; else it packs B a
// block of columns at a time, rowsBlockCols of them, and runs the kernel
// on each while it is still in the cache. Then the last, cut panel,
// packed.
func gemmRowsBlock(kern GemmKernel, buf *GemmBuffer, m, n, kb int, rows [][]float32, c []float32, ldc int, add bool) {
	mFull := m - m%kernelMR
	nFull := n - n%kernelNR
	if rk := rowsGemmKernel.Load(); rk != nil && nFull > 0 {
		if mFull > 0 {
			(*rk)(kb, mFull/kernelMR, nFull/kernelNR, buf.a, rows, 0, c, ldc, add)
		}
		if mFull < m {
			(*rk)(kb, 1, nFull/kernelNR, buf.a[mFull*kb:], rows, 0, buf.e, nFull, false)
			storeTile(c[mFull*ldc:], ldc, buf.e, nFull, m-mFull, nFull, add)
		}
	} else {
		nc := rowsBlockCols(kb)
		for j0 := 0; j0 < nFull; j0 += nc {
			jn := min(nc, nFull-j0)
			packRows(buf.b, rows, j0, jn/kernelNR)
			if mFull > 0 {
				callKernel(kern, kb, mFull/kernelMR, jn/kernelNR, buf.a, buf.b, kernelNR*kb, kernelNR, c[j0:], ldc, add)
			}
			if mFull < m {
				callKernel(kern, kb, 1, jn/kernelNR, buf.a[mFull*kb:], buf.b, kernelNR*kb, kernelNR, buf.e, jn, false)
				storeTile(c[mFull*ldc+j0:], ldc, buf.e, jn, m-mFull, jn, add)
			}
		}
	}
	if nFull < n {
		last := buf.b[:kernelNR*kb]
		for p, r := range rows {
			d := last[p*kernelNR : (p+1)*kernelNR]
			clear32(d[copy(d, r[nFull:n]):])
		}
		tiles := (m + kernelMR - 1) / kernelMR
		callKernel(kern, kb, tiles, 1, buf.a, last, kernelNR*kb, kernelNR, buf.e, kernelNR, false)
		storeTile(c[nFull:], ldc, buf.e, kernelNR, m, n-nFull, add)
	}
}

// rowsBlockCols returns the columns of B that gemmRowsBlock packs at a
// time for a depth of kb: a multiple of kernelNR, about
// rowsBlockFloats values in all.
func rowsBlockCols(kb int) int { return max(1, rowsBlockFloats/kb/kernelNR) * kernelNR }

// rowsBlockFloats is the size of the blocks of B that gemmRowsBlock packs,
// small enough to stay in the cache beside A until the kernel reads them.
const rowsBlockFloats = 32 << 10

// packRows packs panels whole panels of kernelNR columns from column j0
// of rows, a block of B's rows, as packB packs a matrix, with the
// GatherKernel if one is set.
func packRows(dst []float32, rows [][]float32, j0, panels int) {
	kb := len(rows)
	if k := gatherKernel.Load(); k != nil {
		(*k)(dst[:kernelNR*panels*kb], rows, j0, panels)
		return
	}
	for p, r := range rows {
		r := r[j0 : j0+kernelNR*panels]
		for t := range panels {
			copy(dst[(t*kb+p)*kernelNR:(t*kb+p+1)*kernelNR], r[t*kernelNR:(t+1)*kernelNR])
		}
	}
}

// callKernel checks that a, b and c hold every element kern reads and
// writes, and calls it; it panics if they do not. A kernel outside Go
// checks nothing.
func callKernel(kern GemmKernel, k, tiles, panels int, a, b []float32, ps, bs int, c []float32, ldc int, add bool) {
	_ = a[tiles*kernelMR*k-1]
	_ = b[(panels-1)*ps+(k-1)*bs+kernelNR-1]
	_ = c[(tiles*kernelMR-1)*ldc+panels*kernelNR-1]
	kern(k, tiles, panels, a, b, ps, bs, c, ldc, add)
}

// KernelName names the rounding of the built-in kernel Gemm computes
// with when no kernel is set: "avx2-fma" (the amd64 assembly, AVX2 or
// AVX-512, which sum alike) or "go". Kernels round differently, so a
// checkpoint says which ran.
func KernelName() string { return builtinKernel() }

// KernelInstructions names the instructions the built-in kernel runs
// on: "avx512" or "avx2" (both rounding as KernelName's "avx2-fma"), or
// "go".
func KernelInstructions() string { return builtinInstructions() }

// ReLUKernels are ReLU's passes run faster than Go can, as the
// WebAssembly SIMD kernel of the page's worker does (see wasm/simd).
// Forward(dst, src) sets dst, of src's length, to max(src, 0) with every
// bit as relu's: +0 for zeros of either sign and for negatives, NaN
// kept; Backward(dx, dy, y) sets dx, of dy's length, to dy where y's bits
// are not zero and to +0 elsewhere. dst may be src, and dx dy.
// Runs(x, n, runs, stride), if not nil, is Forward in place on runs
// runs of n values of x, stride apart, in one call where Forward would
// take one a run (inference applies ReLU to each channel's planes).
// Sum(dst, a, b), if not nil, sets dst, of a's length, to a + b, and
// ForwardSum(dst, a, b), if not nil, to Forward's of a + b: a residual
// block's sums, of its two paths' gradients and of its two paths before
// its ReLU. nn calls them only on slices long enough to pay for a call,
// from any goroutine.
type ReLUKernels struct {
	Forward    func(dst, src []float32)
	Backward   func(dx, dy, y []float32)
	Runs       func(x []float32, n, runs, stride int)
	Sum        func(dst, a, b []float32)
	ForwardSum func(dst, a, b []float32)
}

// reluKernelMin is the least number of elements ReLU's passes hand to
// ReLUKernels; on fewer, Go's loops are as quick as a call.
const reluKernelMin = 256

// reluKernels are the kernels set by SetReLUKernels, or nil.
var reluKernels atomic.Pointer[ReLUKernels]

// SetReLUKernels makes ReLU's passes, in training and inference, run
// with k from now on, in every goroutine, or with Go's loops again when
// k is nil.
func SetReLUKernels(k *ReLUKernels) { reluKernels.Store(k) }

// InterleaveKernel is the transpose Gemm packs its operands with, run
// faster than Go can, as the WebAssembly SIMD kernel of the page's worker
// does (see wasm/simd): for w = 4 or 8, each of panels panels t takes the
// w rows of src from row t*w on, kb values each, lds apart, and writes
// them as the columns of a panel of kb rows of w:
//
//	dst[t*w*kb + p*w + q] = src[(t*w+q)*lds + p]
//
// for q < w and p < kb. It packs the whole panels of op(A) where A is not
// transposed (w = 4) and of op(B) where B is (w = 8). It only moves
// values, so that the products' bits do not depend on it. Gemm calls it
// only with slices that hold every element it reads and writes, from any
// goroutine.
type InterleaveKernel func(dst []float32, w int, src []float32, lds, kb, panels int)

// interleaveKernel is the kernel set by SetInterleaveKernel, or nil.
var interleaveKernel atomic.Pointer[InterleaveKernel]

// SetInterleaveKernel makes Gemm pack with k from now on, in every
// goroutine, or with Go's loops again when k is nil.
func SetInterleaveKernel(k InterleaveKernel) {
	if k == nil {
		interleaveKernel.Store(nil)
		return
	}
	interleaveKernel.Store(&k)
}

// GatherKernel packs the whole panels of a matrix given by its rows, as
// GemmRows hands them to a GemmKernel, run faster than Go can, as the
// WebAssembly SIMD kernel of the page's worker does (see wasm/simd): for
// the len(rows) rows of a block, it writes panels panels of 8 columns
// from column j0 on,
//
//	dst[t*8*len(rows) + p*8 + q] = rows[p][j0+t*8+q]
//
// for t < panels, p < len(rows) and q < 8. It only moves values.
// GemmRows calls it with rows of at least j0+8*panels values and a dst
// that holds every element it writes, from any goroutine.
type GatherKernel func(dst []float32, rows [][]float32, j0, panels int)

// gatherKernel is the kernel set by SetGatherKernel, or nil.
var gatherKernel atomic.Pointer[GatherKernel]

// SetGatherKernel makes GemmRows pack with k from now on, in every
// goroutine, or with Go's loops again when k is nil.
func SetGatherKernel(k GatherKernel) {
	if k == nil {
		gatherKernel.Store(nil)
		return
	}
	gatherKernel.Store(&k)
}

// SplitKernel splits rows by the parity of their columns, as inference
// splits the input of a stride-2 convolution into phases, run faster
// than Go can, as the WebAssembly SIMD kernel of the page's worker does
// (see wasm/simd): for each of planes planes t, each of its rows r <
// rows and j < w, w a positive multiple of 4,
//
//	even[t*dstPlane + r*dstRow + j] = src[t*srcPlane + r*srcRow + 2*j]
//	odd[t*dstPlane + r*dstRow + j] = src[t*srcPlane + r*srcRow + 2*j + 1]
//
// It only moves values. nn calls it with slices that hold every element
// it reads and writes, from any goroutine.
type SplitKernel func(even, odd, src []float32, w, rows, planes, srcRow, srcPlane, dstRow, dstPlane int)

// splitKernel is the kernel set by SetSplitKernel, or nil.
var splitKernel atomic.Pointer[SplitKernel]

// SetSplitKernel makes inference split with k from now on, in every
// goroutine, or with Go's loops again when k is nil.
func SetSplitKernel(k SplitKernel) {
	if k == nil {
		splitKernel.Store(nil)
		return
	}
	splitKernel.Store(&k)
}

// RowsGemmKernel is a GemmKernel that reads B from its rows, in place:
// B(p, j) = rows[p][j0+j] for p < k = len(rows), where a GemmKernel
// reads B packed in panels (GemmRows otherwise packs them with the
// GatherKernel). It must sum as the GemmKernel does, to the bit, and
// touch nothing but the 4*tiles rows of c, 8*panels columns each, and
// what it reads.
type RowsGemmKernel func(k, tiles, panels int, a []float32, rows [][]float32, j0 int, c []float32, ldc int, add bool)

// rowsGemmKernel is the kernel set by SetRowsGemmKernel, or nil.
var rowsGemmKernel atomic.Pointer[RowsGemmKernel]

// SetRowsGemmKernel makes GemmRows compute with k from now on, in every
// goroutine, where a GemmKernel is set; or pack B again when k is nil.
func SetRowsGemmKernel(k RowsGemmKernel) {
	if k == nil {
		rowsGemmKernel.Store(nil)
		return
	}
	rowsGemmKernel.Store(&k)
}
