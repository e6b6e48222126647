//go:build !noasm

package nn

import "golang.org/x/sys/cpu"

// An asmKernel is one of the assembly micro-kernels with the shape of its
// tile. Each computes a tile of C as a column of mr rows by up to nr
// columns, nr/lanes vectors of lanes float32, and sums every element in
// the same order: over the depth one fused multiply-add at a time, from
// zero, then into C. So the two kernels round alike, to the bit, and as
// the page's WebAssembly kernel with relaxed SIMD does.
type asmKernel struct {
	name   string
	mr, nr int // rows of a tile; columns, at most
	lanes  int // float32 lanes of a vector
}

// The AVX2 kernel's tile is 4 rows by 24 columns, three 8-lane vectors:
// twelve YMM registers of sums, three for a row of B and one for a
// broadcast element of A, all sixteen. Each depth step then loads 7
// vectors for 12 FMAs, keeping both FMA units busy, and 4 rows divide the
// network's channel counts (16 to 64) exactly.
//
// The AVX-512 kernel's tile is 8 rows by 48 columns, three 16-lane
// vectors: 24 ZMM registers of sums, three for a row of B and two for
// broadcast elements of A, of 32. Each depth step loads 11 vectors for 24
// FMAs, and 8 rows still divide the channel counts and the depths of the
// backward products (27 to 576 columns of im2col, 144 up in multiples of
// 16).
var (
	avx2   = asmKernel{name: "avx2", mr: 4, nr: 24, lanes: 8}
	avx512 = asmKernel{name: "avx512", mr: 8, nr: 48, lanes: 16}
)

// builtin is the assembly kernel Gemm runs here, or nil where the CPU
// has neither: AVX-512 (F) where it has it, else AVX2 with FMA. It is set
// once at start-up; GODEBUG=cpu.avx512f=off chooses AVX2 on a CPU that
// has both.
var builtin = func() *asmKernel {
	switch {
	case !cpu.X86.HasAVX2 || !cpu.X86.HasFMA:
		return nil
	case cpu.X86.HasAVX512F:
		return &avx512
	}
	return &avx2
}()

const (
	asmMaxTile = 8 * 48 // elements of the largest tile, the scratch tile's size
	avxKC      = 256    // depth of a block of B, at most, for both kernels

	// avxFarRows is the row stride of B, 4 KiB, from which gemmAsm packs
	// B rather than reading it in place: a new page for every row defeats
	// the hardware prefetchers, and rows so far apart share L1 cache sets.
	avxFarRows = 1024
)

// gemm is Gemm for m, n, k > 0: an assembly kernel where the CPU has one,
// the pure-Go path elsewhere.
func gemm(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if builtin == nil {
		gemmGo(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
		return
	}
	gemmAsm(builtin, buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// gemmAsm is Gemm's blocked loop around the assembly kernel kern, for m,
// n, k > 0 and leading dimensions ≥ 0, with which checking the last
// element that the assembly reads or writes checks them all. It splits k
// into blocks of equal depth up to avxKC (the same blocks whatever the
// kernel, so that every kernel sums in the same order), and each block
// of op(B) into strips of kern.nr columns (the last narrower, a multiple
// of kern.lanes), and runs every row tile of C against a strip while it
// sits in the L1 cache.
//
// The kernel reads A in place through its row and depth strides, and B too
// when its rows are contiguous and closer than avxFarRows. It reads
// packed copies of the rest: op(B) in panels of kern.nr columns as packB
// lays them out, and the last m%kern.mr rows of op(A) as one panel of
// packA, with zero rows below them. Edge tiles go through a scratch tile.
func gemmAsm(kern *asmKernel, buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	mr, nr, lanes := kern.mr, kern.nr, kern.lanes
	rs, cs := lda, 1 // A(i, p) = a[i*rs+p*cs]
	if transA {
		rs, cs = 1, lda
	}
	blocks := (k + avxKC - 1) / avxKC
	kc := (k + blocks - 1) / blocks
	nIn := 0 // columns of B read in place, a multiple of lanes
	if !transB && !gemmAliasedRows(ldb) && (ldb < avxFarRows || kern == &avx512) {
		nIn = n - n%lanes
	}
	buf.b = grow(buf.b, (n-nIn+lanes-1)/lanes*lanes*kc)
	if transB && n%lanes != 0 {
		buf.t = grow(buf.t, 8*kc)
	}
	mFull := m - m%mr // rows of C in whole tiles
	if mFull < m {
		buf.a = grow(buf.a, mr*kc)
	}
	var t [asmMaxTile]float32
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		if nIn < n {
			off := nIn // where column nIn of op(B) starts in b
			if transB {
				off = nIn * ldb
			}
			packBAsm(kern, buf.b, buf.t, transB, b[off:], ldb, n-nIn, p0, kb)
		}
		if mFull < m {
			packA(buf.a, mr, transA, a[mFull*rs:], lda, m-mFull, p0, kb)
		}
		add := accumulate || p0 > 0
		for j0, jn := 0, 0; j0 < n; j0 += jn {
			jn = min(nr, n-j0)
			if j0 < nIn {
				jn = min(jn, nIn-j0)
			}
			nv := (jn + lanes - 1) / lanes
			var bp []float32 // B(p0+p, j0+j) = bp[p*bs+j]
			var bs int
			if j0 < nIn {
				bp, bs = b[p0*ldb+j0:], ldb
			} else {
				bp, bs = buf.b[(j0-nIn)*kb:], lanes*nv
			}
			if jn == lanes*nv && mFull > 0 {
				tilesAsm(kern, kb, mFull/mr, a[p0*cs:], rs, cs, bp, bs, c[j0:], ldc, nv, add)
			} else {
				for i0 := 0; i0 < mFull; i0 += mr {
					tilesAsm(kern, kb, 1, a[i0*rs+p0*cs:], rs, cs, bp, bs, t[:], nr, nv, false)
					storeTile(c[i0*ldc+j0:], ldc, t[:], nr, mr, jn, add)
				}
			}
			if mFull < m {
				tilesAsm(kern, kb, 1, buf.a, 1, mr, bp, bs, t[:], nr, nv, false)
				storeTile(c[mFull*ldc+j0:], ldc, t[:], nr, m-mFull, jn, add)
			}
		}
	}
}

// packBAsm is packB(dst, kern.nr, kern.lanes, trans, b, ldb, n, p0, kb),
// the bulk of it in assembly. When trans is set, stage must hold 8*kb
// elements.
func packBAsm(kern *asmKernel, dst, stage []float32, trans bool, b []float32, ldb, n, p0, kb int) {
	if trans {
		packBTransAsm(kern, dst, stage, b, ldb, n, p0, kb)
		return
	}
	nFull := n - n%kern.nr // columns in whole panels
	if nFull > 0 {
		src := b[p0*ldb:]
		_ = src[(kb-1)*ldb+nFull-1]
		_ = dst[nFull*kb-1]
		if kern == &avx512 {
			packPanelsAVX512(kb, src, ldb, dst, nFull/kern.nr)
		} else {
			packPanelsAVX2(kb, src, ldb, dst, nFull/kern.nr)
		}
	}
	if nFull < n {
		packB(dst[nFull*kb:], kern.nr, kern.lanes, false, b[nFull:], ldb, n-nFull, p0, kb)
	}
}

// packBTransAsm is packB(dst, kern.nr, kern.lanes, true, b, ldb, n, p0,
// kb). It transposes blocks of 8 columns by 8 depths with transposeAVX2,
// a panel's last columns after copying them to stage, zero columns after
// them, and the depths past a multiple of 8 element by element.
func packBTransAsm(kern *asmKernel, dst, stage []float32, b []float32, ldb, n, p0, kb int) {
	k8 := kb - kb%8 // depths in whole blocks
	for j0 := 0; j0 < n; j0 += kern.nr {
		jn := min(kern.nr, n-j0)
		w := (jn + kern.lanes - 1) / kern.lanes * kern.lanes
		panel := dst[j0*kb : j0*kb+w*kb] // B(p0+p, j0+j) = panel[p*w+j]
		for jj := 0; jj < w; jj += 8 {
			var src []float32 // B(p0+p, j0+jj+q) = src[q*lds+p]
			var lds int
			if r := jn - jj; r >= 8 {
				src, lds = b[(j0+jj)*ldb+p0:], ldb
			} else {
				src, lds = stage[:8*kb], kb
				for q := 0; q < r; q++ {
					copy(src[q*kb:(q+1)*kb], b[(j0+jj+q)*ldb+p0:])
				}
				clear32(src[max(r, 0)*kb:])
			}
			if k8 > 0 {
				_ = src[7*lds+k8-1]
				_ = panel[(k8-1)*w+jj+7]
				transposeAVX2(k8/8, src, lds, panel[jj:], w)
			}
			for q := 0; q < 8; q++ {
				for p := k8; p < kb; p++ {
					panel[p*w+jj+q] = src[q*lds+p]
				}
			}
		}
	}
}

// tilesAsm checks that a, b and c hold everything kern reads and writes,
// and runs it; it panics if they do not.
func tilesAsm(kern *asmKernel, k, tiles int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc, nv int, add bool) {
	_ = a[(kern.mr*tiles-1)*rs+(k-1)*cs]
	_ = b[(k-1)*bs+kern.lanes*nv-1]
	_ = c[(kern.mr*tiles-1)*ldc+kern.lanes*nv-1]
	// Direct calls, not through a func value: the assembly's slices do
	// not escape then, nor does the scratch tile on gemmAsm's stack.
	if kern == &avx512 {
		kernelAVX512(k, tiles, a, rs, cs, b, bs, c, ldc, nv, add)
	} else {
		kernelAVX2(k, tiles, a, rs, cs, b, bs, c, ldc, nv, add)
	}
}

// kernelAVX2 computes the 4*tiles × 8*nv block c = A·B, or c += A·B when
// add is set, tile by tile of 4 rows, for tiles ≥ 1, nv in 1 to 3 and
// depth k ≥ 1:
//
//	for i := 0; i < 4*tiles; i++ {
//		for j := 0; j < 8*nv; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[i*rs+p*cs] * b[p*bs+j]
//			}
//			c[i*ldc+j] = s // or += s when add
//		}
//	}
//
// It does not check lengths: tilesAsm does.
//
//go:noescape
func kernelAVX2(k, tiles int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc, nv int, add bool)

// packPanelsAVX2 copies k ≥ 1 rows of b, panels×24 columns, panels ≥ 1,
// into panels of 24 columns:
//
//	for p := 0; p < k; p++ {
//		for j := 0; j < panels*24; j++ {
//			dst[j/24*24*k+p*24+j%24] = b[p*ldb+j]
//		}
//	}
//
// It does not check lengths: its caller does.
//
//go:noescape
func packPanelsAVX2(k int, b []float32, ldb int, dst []float32, panels int)

// transposeAVX2 transposes a block of 8 rows by 8*blocks columns, blocks
// ≥ 1:
//
//	for q := 0; q < 8*blocks; q++ {
//		for r := 0; r < 8; r++ {
//			dst[q*ldd+r] = b[r*ldb+q]
//		}
//	}
//
// It does not check lengths: its caller does.
//
//go:noescape
func transposeAVX2(blocks int, b []float32, ldb int, dst []float32, ldd int)

// kernelAVX512 is kernelAVX2 for tiles of 8 rows by 16*nv columns, nv
// in 1 to 3, in ZMM registers.
//
//go:noescape
func kernelAVX512(k, tiles int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc, nv int, add bool)

// packPanelsAVX512 is packPanelsAVX2 for panels of 48 columns.
//
//go:noescape
func packPanelsAVX512(k int, b []float32, ldb int, dst []float32, panels int)

// builtinKernel names the rounding of the built-in kernel Gemm runs
// here: both assembly kernels round as "avx2-fma".
func builtinKernel() string {
	if builtin != nil {
		return "avx2-fma"
	}
	return "go"
}

// builtinInstructions names the instructions of the built-in kernel.
func builtinInstructions() string {
	if builtin != nil {
		return builtin.name
	}
	return "go"
}

// shiftedWeightGrads reports whether addShiftedWeightGrads computes the
// weight gradient of a 3×3 convolution of in to out channels here: with
// an assembly kernel, no GemmKernel set, out a multiple of 16, and in a
// multiple of the channels of the kernel's tile (2 for AVX2, 4 for
// AVX-512).
func shiftedWeightGrads(in, out int) bool {
	if builtin == nil || gemmKernel.Load() != nil || out%16 != 0 {
		return false
	}
	return in%(weightGradTile().mr/3) == 0
}

// The weight gradient's tiles: 6 rows by 16 columns with AVX2 (two
// channels of the input, kernel6x16AVX2), 12 rows by 32 with AVX-512
// (four channels, kernel12AVX512; 16 columns where the output channels
// are not a multiple of 32).
var (
	avx2x16   = asmKernel{name: "avx2-6x16", mr: 6, nr: 16, lanes: 8}
	avx512x32 = asmKernel{name: "avx512-12x32", mr: 12, nr: 32, lanes: 16}
)

// weightGradTile returns the tile addShiftedWeightGrads runs here.
func weightGradTile() *asmKernel {
	if builtin == &avx512 {
		return &avx512x32
	}
	return &avx2x16
}

// addShiftedWeightGrads adds to g, the weight gradient of a 3×3
// convolution of stride 1 laid out by kernel position (see
// shiftedGradRow), the gradient of one image: dy (out × H*W) times the
// transposed im2col matrix of the input in s. It sums as Gemm does dW +=
// dy·colᵀ, element for element: over the same blocks of depth, each from
// zero in the order of its pixels, then into g.
//
// It computes the transposed product, col·dyᵀ, so that the im2col rows
// are the kernel's A, read in place from s, and the columns of a tile
// are output channels: a tile's rows are the three kernel columns of one
// kernel row, of two channels (kernel6x16AVX2) or four (kernel12AVX512).
// dyᵀ is packed as Gemm packs a transposed B.
func addShiftedWeightGrads(buf *GemmBuffer, g []float32, s *shifted, dy []float32, out int) {
	tile := weightGradTile()
	in, k, p := s.In, s.H*s.W, s.plane()
	chans := tile.mr / 3 // input channels a tile
	blocks := (k + avxKC - 1) / avxKC
	kc := (k + blocks - 1) / blocks
	buf.b = grow(buf.b, out*kc)
	buf.t = grow(buf.t, 8*kc)
	// A tile's rows after the first of each two channels, from it:
	// kernel columns 1 and 2 of the first channel, then 0, 1 and 2 of
	// the second.
	col := in*p + 1 // from one kernel column to the next
	offs := [5]int{col, 2 * col, p, p + col, p + 2*col}
	_ = g[9*in*out-1]
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		packBTransAsm(tile, buf.b, buf.t, dy, k, out, p0, kb)
		for ki := range 3 {
			a := s.Data[s.row(0, ki, 0)+p0:]
			_ = a[(in/chans-1)*chans*p+(chans-2)*p+offs[4]+kb-1]
			for j0 := 0; j0 < out; j0 += tile.nr {
				w := min(tile.nr, out-j0) // a multiple of 16
				bp, c := buf.b[j0*kb:], g[shiftedGradRow(in, 0, ki, 0)*out+j0:]
				_ = bp[(kb-1)*w+w-1]
				_ = c[(3*in-1)*out+w-1]
				if tile == &avx512x32 {
					kernel12AVX512(kb, in/4, a, &offs, 2*p, 4*p, bp, c, out, w/16, true)
				} else {
					kernel6x16AVX2(kb, in/2, a, &offs, 2*p, 1, bp, 16, c, out, true)
				}
			}
		}
	}
}

// kernel6x16AVX2 computes the 6*tiles × 16 block c = A·B, or c += A·B
// when add is set, tile by tile of 6 rows, for tiles ≥ 1 and depth k ≥
// 1, where row r of tile t of A starts at t*ts, plus offs[r-1] for r >
// 0:
//
//	for i := 0; i < 6*tiles; i++ {
//		row := i/6*ts
//		if i%6 > 0 {
//			row += offs[i%6-1]
//		}
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += a[row+p*cs] * b[p*bs+j]
//			}
//			c[i*ldc+j] = s // or += s when add
//		}
//	}
//
// summing as kernelAVX2 does. It does not check lengths: its caller
// does.
//
//go:noescape
func kernel6x16AVX2(k, tiles int, a []float32, offs *[5]int, ts, cs int, b []float32, bs int, c []float32, ldc int, add bool)

// kernelRowsAVX2 is kernelAVX2 with the rows of B anywhere in b: B(p, j)
// = b[offs[p]+j], for p < k. It does not check lengths: its caller does.
//
//go:noescape
func kernelRowsAVX2(k, tiles int, a []float32, rs, cs int, b []float32, offs []int, c []float32, ldc, nv int, add bool)

// kernelRowsAVX512 is kernelAVX512 with the rows of B anywhere in b, as
// kernelRowsAVX2 has them.
//
//go:noescape
func kernelRowsAVX512(k, tiles int, a []float32, rs, cs int, b []float32, offs []int, c []float32, ldc, nv int, add bool)

// shiftedForward reports whether gemmShifted computes a convolution of
// out channels here: with an assembly kernel, no GemmKernel set, and out
// a multiple of the kernel's rows.
func shiftedForward(out int) bool {
	return builtin != nil && gemmKernel.Load() == nil && out%builtin.mr == 0
}

// gemmShifted computes C = A·B, where A is m×k (row stride lda), m a
// multiple of the kernel's rows, and the k×n matrix B has its rows in b,
// B(p, j) = b[offs[p]+j] for k = len(offs), as Gemm computes it on that
// matrix, bit for bit: over the same blocks of depth, each element's sum
// from zero in the order of its depth, reading B in place. Each row must
// have 16*⌈n/16⌉ elements in b, since the last strip's last vector is
// read whole.
func gemmShifted(m, n int, a []float32, lda int, b []float32, offs []int, c []float32, ldc int) {
	kern := builtin
	k := len(offs)
	if lda < 0 || ldc < 0 {
		panic("nn: gemmShifted with a negative leading dimension")
	}
	if m == 0 || n == 0 || k == 0 {
		panic("nn: gemmShifted of an empty product")
	}
	last := 0
	for _, o := range offs {
		if o < 0 {
			panic("nn: gemmShifted with a negative row offset")
		}
		last = max(last, o)
	}
	_ = b[last+(n+15)/16*16-1]
	_ = a[(m-1)*lda+k-1]
	_ = c[(m-1)*ldc+n-1]
	if m%kern.mr != 0 {
		panic("nn: gemmShifted of rows not a multiple of the kernel's")
	}
	blocks := (k + avxKC - 1) / avxKC
	kc := (k + blocks - 1) / blocks
	var t [asmMaxTile]float32
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		rows := offs[p0 : p0+kb]
		add := p0 > 0
		for j0 := 0; j0 < n; j0 += kern.nr {
			jn := min(kern.nr, n-j0)
			nv := (jn + kern.lanes - 1) / kern.lanes
			if jn == kern.lanes*nv {
				tilesRows(kern, kb, m/kern.mr, a[p0:], lda, b[j0:], rows, c[j0:], ldc, nv, add)
				continue
			}
			for i0 := 0; i0 < m; i0 += kern.mr {
				tilesRows(kern, kb, 1, a[i0*lda+p0:], lda, b[j0:], rows, t[:], kern.nr, nv, false)
				storeTile(c[i0*ldc+j0:], ldc, t[:], kern.nr, kern.mr, jn, add)
			}
		}
	}
}

// tilesRows runs kern's kernel with the rows of B at offs (gemmShifted
// has checked the lengths).
func tilesRows(kern *asmKernel, k, tiles int, a []float32, lda int, b []float32, offs []int, c []float32, ldc, nv int, add bool) {
	if kern == &avx512 {
		kernelRowsAVX512(k, tiles, a, lda, 1, b, offs, c, ldc, nv, add)
	} else {
		kernelRowsAVX2(k, tiles, a, lda, 1, b, offs, c, ldc, nv, add)
	}
}

// kernel12AVX512 is kernel6x16AVX2 for tiles of 12 rows, two halves of
// six, and 16*nv columns, nv 1 or 2, B's rows 16*nv apart: row r of tile
// t of A starts at t*ts, plus half for r ≥ 6, plus offs[r%6-1] for r%6 >
// 0, and A's depth stride is 1. It sums as kernelAVX2 does, and does not
// check lengths: its caller does.
//
//go:noescape
func kernel12AVX512(k, tiles int, a []float32, offs *[5]int, half, ts int, b []float32, c []float32, ldc, nv int, add bool)
