//go:build !noasm

package nn

import "golang.org/x/sys/cpu"

// haveAVX2FMA reports whether the assembly kernels can run here. It is
// set once at start-up.
var haveAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// The AVX2 kernel's tile is 4 rows by 24 columns, three 8-lane vectors:
// twelve YMM registers of sums, three for a row of B and one for a
// broadcast element of A, all sixteen. Each depth step then loads 7
// vectors for 12 FMAs, keeping both FMA units busy, and 4 rows divide the
// network's channel counts (16 to 64) exactly.
const (
	avxMR = 4   // rows of the AVX2 kernel's tile
	avxNR = 24  // columns of the AVX2 kernel's tile, at most
	avxKC = 256 // depth of a block of B, at most

	// avxFarRows is the row stride of B, 4 KiB, from which gemmAVX2 packs
	// B rather than reading it in place: a new page for every row defeats
	// the hardware prefetchers, and rows so far apart share L1 cache sets.
	avxFarRows = 1024
)

// gemm is Gemm for m, n, k > 0: the AVX2 path where the CPU has it, the
// pure-Go one elsewhere.
func gemm(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if !haveAVX2FMA {
		gemmGo(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
		return
	}
	gemmAVX2(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// gemmAVX2 is Gemm's blocked loop around kernelAVX2, for m, n, k > 0 and
// leading dimensions ≥ 0, with which checking the last element that the
// assembly reads or writes checks them all. It splits k into blocks of
// equal depth up to avxKC, and each block of op(B) into strips of avxNR
// columns (the last narrower, a multiple of 8), and runs every row tile of
// C against a strip while it sits in the L1 cache.
//
// The kernel reads A in place through its row and depth strides, and B too
// when its rows are contiguous and closer than avxFarRows. It reads
// packed copies of the rest: op(B) in panels of avxNR columns as packB
// lays them out, and the last m%avxMR rows of op(A) as one panel of
// packA, with zero rows below them. Edge tiles go through a scratch tile.
func gemmAVX2(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	rs, cs := lda, 1 // A(i, p) = a[i*rs+p*cs]
	if transA {
		rs, cs = 1, lda
	}
	blocks := (k + avxKC - 1) / avxKC
	kc := (k + blocks - 1) / blocks
	nIn := 0 // columns of B read in place, a multiple of 8
	if !transB && ldb < avxFarRows {
		nIn = n - n%8
	}
	buf.b = grow(buf.b, (n-nIn+7)/8*8*kc)
	if transB && n%8 != 0 {
		buf.t = grow(buf.t, 8*kc)
	}
	mFull := m - m%avxMR // rows of C in whole tiles
	if mFull < m {
		buf.a = grow(buf.a, avxMR*kc)
	}
	var t [avxMR * avxNR]float32
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		if nIn < n {
			off := nIn // where column nIn of op(B) starts in b
			if transB {
				off = nIn * ldb
			}
			packBAVX2(buf.b, buf.t, transB, b[off:], ldb, n-nIn, p0, kb)
		}
		if mFull < m {
			packA(buf.a, avxMR, transA, a[mFull*rs:], lda, m-mFull, p0, kb)
		}
		add := accumulate || p0 > 0
		for j0, jn := 0, 0; j0 < n; j0 += jn {
			jn = min(avxNR, n-j0)
			if j0 < nIn {
				jn = min(jn, nIn-j0)
			}
			nv := (jn + 7) / 8
			var bp []float32 // B(p0+p, j0+j) = bp[p*bs+j]
			var bs int
			if j0 < nIn {
				bp, bs = b[p0*ldb+j0:], ldb
			} else {
				bp, bs = buf.b[(j0-nIn)*kb:], 8*nv
			}
			if jn == 8*nv && mFull > 0 {
				tilesAVX2(kb, mFull/avxMR, a[p0*cs:], rs, cs, bp, bs, c[j0:], ldc, nv, add)
			} else {
				for i0 := 0; i0 < mFull; i0 += avxMR {
					tilesAVX2(kb, 1, a[i0*rs+p0*cs:], rs, cs, bp, bs, t[:], avxNR, nv, false)
					storeTile(c[i0*ldc+j0:], ldc, t[:], avxNR, avxMR, jn, add)
				}
			}
			if mFull < m {
				tilesAVX2(kb, 1, buf.a, 1, avxMR, bp, bs, t[:], avxNR, nv, false)
				storeTile(c[mFull*ldc+j0:], ldc, t[:], avxNR, m-mFull, jn, add)
			}
		}
	}
}

// packBAVX2 is packB(dst, avxNR, 8, trans, b, ldb, n, p0, kb), the bulk
// of it in assembly. When trans is set, stage must hold 8*kb elements.
func packBAVX2(dst, stage []float32, trans bool, b []float32, ldb, n, p0, kb int) {
	if trans {
		packBTransAVX2(dst, stage, b, ldb, n, p0, kb)
		return
	}
	nFull := n - n%avxNR // columns in whole panels
	if nFull > 0 {
		src := b[p0*ldb:]
		_ = src[(kb-1)*ldb+nFull-1]
		_ = dst[nFull*kb-1]
		packPanelsAVX2(kb, src, ldb, dst, nFull/avxNR)
	}
	if nFull < n {
		packB(dst[nFull*kb:], avxNR, 8, false, b[nFull:], ldb, n-nFull, p0, kb)
	}
}

// packBTransAVX2 is packB(dst, avxNR, 8, true, b, ldb, n, p0, kb). It
// transposes blocks of 8 columns by 8 depths with transposeAVX2, a
// panel's last columns after copying them to stage, zero columns after
// them, and the depths past a multiple of 8 element by element.
func packBTransAVX2(dst, stage []float32, b []float32, ldb, n, p0, kb int) {
	k8 := kb - kb%8 // depths in whole blocks
	for j0 := 0; j0 < n; j0 += avxNR {
		jn := min(avxNR, n-j0)
		w := (jn + 7) / 8 * 8
		panel := dst[j0*kb : j0*kb+w*kb] // B(p0+p, j0+j) = panel[p*w+j]
		for jj := 0; jj < w; jj += 8 {
			src, lds := b[(j0+jj)*ldb+p0:], ldb // B(p0+p, j0+jj+q) = src[q*lds+p]
			if r := jn - jj; r < 8 {
				src, lds = stage[:8*kb], kb
				for q := 0; q < r; q++ {
					copy(src[q*kb:(q+1)*kb], b[(j0+jj+q)*ldb+p0:])
				}
				clear32(src[r*kb:])
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

// tilesAVX2 checks that a, b and c hold everything kernelAVX2 reads and
// writes, and runs it; it panics if they do not.
func tilesAVX2(k, tiles int, a []float32, rs, cs int, b []float32, bs int, c []float32, ldc, nv int, add bool) {
	_ = a[(4*tiles-1)*rs+(k-1)*cs]
	_ = b[(k-1)*bs+8*nv-1]
	_ = c[(4*tiles-1)*ldc+8*nv-1]
	kernelAVX2(k, tiles, a, rs, cs, b, bs, c, ldc, nv, add)
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
// It does not check lengths: tilesAVX2 does.
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

// builtinKernel names the built-in kernel Gemm runs here.
func builtinKernel() string {
	if haveAVX2FMA {
		return "avx2-fma"
	}
	return "go"
}
