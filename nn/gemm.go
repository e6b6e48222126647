package nn

// Gemm computes C = op(A)·op(B), or C += op(A)·op(B) when accumulate is
// set, where op(A) is m×k and op(B) is k×n, all row-major:
//
//	for i := 0; i < m; i++ {
//		for j := 0; j < n; j++ {
//			var s float32
//			for p := 0; p < k; p++ {
//				s += A(i, p) * B(p, j)
//			}
//			C[i*ldc+j] = s // or += s when accumulate
//		}
//	}
//
// with A(i, p) = a[i*lda+p], or a[p*lda+i] when transA, and B(p, j) =
// b[p*ldb+j], or b[j*ldb+p] when transB. The sum order differs from the
// loop above, so results agree with it to rounding.
//
// Gemm packs blocks of A and B into buf as its micro-kernel needs them,
// growing buf as needed; pass the same *GemmBuffer to avoid allocating.
// The micro-kernel is the one set by SetGemmKernel, if any; else it is in
// assembly on amd64 with AVX2 and FMA (see gemm_amd64.go), in pure Go
// elsewhere or with the noasm build tag. Gemm panics if a leading
// dimension is negative or a slice is too short for its shape.
func Gemm(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if lda < 0 || ldb < 0 || ldc < 0 {
		panic("nn: Gemm with a negative leading dimension")
	}
	if m == 0 || n == 0 {
		return
	}
	// The last element of each operand: with it in range, every other is.
	_ = c[(m-1)*ldc+n-1]
	if k == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear32(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	if transA {
		_ = a[(k-1)*lda+m-1]
	} else {
		_ = a[(m-1)*lda+k-1]
	}
	if transB {
		_ = b[(n-1)*ldb+k-1]
	} else {
		_ = b[(k-1)*ldb+n-1]
	}
	if kern := gemmKernel.Load(); kern != nil {
		gemmWith(*kern, buf, transA, m, n, k, a, lda, operandB{trans: transB, b: b, ld: ldb}, c, ldc, accumulate)
		return
	}
	gemm(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// GemmRows computes C = A·B, or C += A·B when accumulate is set, as Gemm
// does without transposing, where the k×n matrix B is given by its rows:
// B(p, j) = rows[p][j], with k = len(rows) and each row at least n
// long. The rows may be any slices, so that a matrix whose rows are runs
// of another, as a convolution's im2col matrix is of its input, need not
// be copied into one: a GemmKernel's panels are packed from the rows
// straight away (see GatherKernel), and Gemm's own kernel gets them
// copied into buf. Either way the result is Gemm's on the matrix of
// those rows, bit for bit.
func GemmRows(buf *GemmBuffer, m, n int, a []float32, lda int, rows [][]float32, c []float32, ldc int, accumulate bool) {
	k := len(rows)
	kern := gemmKernel.Load()
	if kern == nil || m == 0 || n == 0 || k == 0 {
		// A block of columns at a time (see blockCols). The columns of C
		// do not depend on each other, so that the blocks give Gemm's
		// bits.
		nb := min(n, blockCols(k))
		buf.rows = grow(buf.rows, k*nb)
		for j0 := 0; j0 < n; j0 += nb {
			jn := min(nb, n-j0)
			for p, r := range rows {
				copy(buf.rows[p*jn:(p+1)*jn], r[j0:j0+jn])
			}
			Gemm(buf, false, false, m, jn, k, a, lda, buf.rows, jn, c[j0:], ldc, accumulate)
		}
		return
	}
	if lda < 0 || ldc < 0 {
		panic("nn: GemmRows with a negative leading dimension")
	}
	_ = c[(m-1)*ldc+n-1]
	_ = a[(m-1)*lda+k-1]
	for _, r := range rows {
		_ = r[n-1]
	}
	gemmWith(*kern, buf, false, m, n, k, a, lda, operandB{rows: rows}, c, ldc, accumulate)
}

// blockCols returns the columns of a block of B, k deep, that fits in
// blockFloats: a multiple of 24 (the AVX2 kernel's strips, half the
// AVX-512 kernel's), at least 24. Copied or written a block at a time,
// B stays in the cache until the kernel reads it, and its rows are
// close enough for the kernel to read them in place.
func blockCols(k int) int { return max(1, blockFloats/k/24) * 24 }

// blockFloats is the size of a block of B for blockCols: a quarter of a
// 512 KiB L2 cache.
const blockFloats = 32 << 10

// gemmAliasedRows reports whether rows of a matrix ld floats apart are
// a multiple of 2 KiB apart, so that its columns fall into a few sets of
// the L1 cache: a kernel reading a panel of B down such rows, once for
// every row tile of C, finds it evicted each time. Gemm packs such a B.
func gemmAliasedRows(ld int) bool { return ld%512 == 0 }

// GemmBuffer holds Gemm's packing space. The zero value is ready to use.
type GemmBuffer struct {
	a, b []float32 // packed blocks of A and B
	t    []float32 // on amd64, B's last columns on their way to transposition
	e    []float32 // with a GemmKernel, the tiles of C cut by its edges
	rows []float32 // GemmRows' matrix, for Gemm's own kernel
}

const (
	gemmMR = 4   // rows of the pure-Go micro-kernel's tile
	gemmNR = 4   // columns of the pure-Go micro-kernel's tile
	gemmKC = 256 // depth of a packed block on the pure-Go path
)

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// gemmGo is Gemm's blocked loop around the pure-Go kernel4x4, for m, n,
// k > 0 and leading dimensions ≥ 0.
func gemmGo(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	mp := (m + gemmMR - 1) / gemmMR * gemmMR
	np := (n + gemmNR - 1) / gemmNR * gemmNR
	kc := min(k, gemmKC)
	buf.a = grow(buf.a, mp*kc)
	buf.b = grow(buf.b, np*kc)
	for p0 := 0; p0 < k; p0 += gemmKC {
		kb := min(gemmKC, k-p0)
		packA(buf.a, gemmMR, transA, a, lda, m, p0, kb)
		packB(buf.b, gemmNR, gemmNR, transB, b, ldb, n, p0, kb)
		add := accumulate || p0 > 0
		for i0 := 0; i0 < m; i0 += gemmMR {
			ap := buf.a[i0*kb : (i0+gemmMR)*kb]
			for j0 := 0; j0 < n; j0 += gemmNR {
				bp := buf.b[j0*kb : (j0+gemmNR)*kb]
				if i0+gemmMR <= m && j0+gemmNR <= n {
					kernel4x4(kb, ap, bp, c[i0*ldc+j0:], ldc, add)
					continue
				}
				var t [gemmMR * gemmNR]float32
				kernel4x4(kb, ap, bp, t[:], gemmNR, false)
				storeTile(c[i0*ldc+j0:], ldc, t[:], gemmNR, min(gemmMR, m-i0), min(gemmNR, n-j0), add)
			}
		}
	}
}

// storeTile copies the rows×cols corner of the tile t (row stride ldt)
// into c (row stride ldc), or adds it when add is set.
func storeTile(c []float32, ldc int, t []float32, ldt, rows, cols int, add bool) {
	for i := 0; i < rows; i++ {
		dst := c[i*ldc : i*ldc+cols]
		src := t[i*ldt : i*ldt+cols]
		if !add {
			copy(dst, src)
			continue
		}
		for j, v := range src {
			dst[j] += v
		}
	}
}

// packA copies rows of op(A), columns p0 to p0+kb, into dst as panels of
// mr rows: element (i, p) lands at (i/mr)*mr*kb + p*mr + i%mr. Rows past
// m, up to a multiple of mr, are zero.
func packA(dst []float32, mr int, trans bool, a []float32, lda, m, p0, kb int) {
	i0 := 0
	if k := interleaveKernel.Load(); k != nil && mr == 4 && !trans && m >= 4 {
		tiles := m / 4
		_ = a[(4*tiles-1)*lda+p0+kb-1]
		(*k)(dst[:4*tiles*kb], 4, a[p0:], lda, kb, tiles)
		i0 = 4 * tiles
	}
	for ; i0 < m; i0 += mr {
		panel := dst[i0*kb : (i0+mr)*kb]
		if mr == 4 && i0+4 <= m {
			packA4(panel, trans, a, lda, i0, p0, kb)
			continue
		}
		for ii := 0; ii < mr; ii++ {
			i := i0 + ii
			if i >= m {
				for p := 0; p < kb; p++ {
					panel[p*mr+ii] = 0
				}
				continue
			}
			if trans {
				for p := 0; p < kb; p++ {
					panel[p*mr+ii] = a[(p0+p)*lda+i]
				}
			} else {
				row := a[i*lda+p0 : i*lda+p0+kb]
				for p, v := range row {
					panel[p*mr+ii] = v
				}
			}
		}
	}
}

// packB copies rows p0 to p0+kb of op(B) into dst as panels of nr
// columns, the last panel narrowed to w, n-j0 rounded up to a multiple of
// align: element (p, j) of the panel starting at column j0 lands at
// j0*kb + p*w + j-j0, where w = nr but for the last panel. Columns past n
// are zero.
func packB(dst []float32, nr, align int, trans bool, b []float32, ldb, n, p0, kb int) {
	for j0 := 0; j0 < n; j0 += nr {
		jn := min(nr, n-j0)
		w := min(nr, (jn+align-1)/align*align)
		panel := dst[j0*kb : j0*kb+w*kb]
		if !trans {
			for p := 0; p < kb; p++ {
				src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+jn]
				d := panel[p*w : p*w+w]
				copy(d, src)
				if jn < w {
					clear32(d[jn:])
				}
			}
			continue
		}
		if jn == 8 && w == 8 {
			if k := interleaveKernel.Load(); k != nil {
				// This panel and every whole one after it.
				panels := (n - j0) / 8
				_ = b[(j0+8*panels-1)*ldb+p0+kb-1]
				(*k)(dst[j0*kb:(j0+8*panels)*kb], 8, b[j0*ldb+p0:], ldb, kb, panels)
				j0 += 8 * (panels - 1)
				continue
			}
			packBTrans8(panel, b, ldb, j0, p0, kb)
			continue
		}
		for jj := 0; jj < jn; jj++ {
			col := b[(j0+jj)*ldb+p0 : (j0+jj)*ldb+p0+kb]
			for p, v := range col {
				panel[p*w+jj] = v
			}
		}
		for jj := jn; jj < w; jj++ {
			for p := 0; p < kb; p++ {
				panel[p*w+jj] = 0
			}
		}
	}
}

// packA4 is packA of one whole panel of 4 rows, from row i0: it writes
// the panel in order, four values at a time, which under GOOS=js is
// several times as fast as the general loop's strided stores.
func packA4(panel []float32, trans bool, a []float32, lda, i0, p0, kb int) {
	panel = panel[:4*kb]
	if trans {
		for p := 0; p < kb; p++ {
			o := (p0+p)*lda + i0
			s, q := a[o:o+4:o+4], panel[4*p:4*p+4:4*p+4]
			q[0], q[1], q[2], q[3] = s[0], s[1], s[2], s[3]
		}
		return
	}
	o := i0*lda + p0
	r0 := a[o : o+kb]
	r1 := a[o+lda:][:len(r0)]
	r2 := a[o+2*lda:][:len(r0)]
	r3 := a[o+3*lda:][:len(r0)]
	for p, v := range r0 {
		q := panel[4*p : 4*p+4 : 4*p+4]
		q[0], q[1], q[2], q[3] = v, r1[p], r2[p], r3[p]
	}
}

// packBTrans8 is packB, transposing, of one whole panel of 8 columns from
// column j0: column jj of the panel is row j0+jj of b. It writes the panel
// in order, as packA4 does.
func packBTrans8(panel []float32, b []float32, ldb, j0, p0, kb int) {
	o := j0*ldb + p0
	c0 := b[o : o+kb]
	c1 := b[o+ldb:][:len(c0)]
	c2 := b[o+2*ldb:][:len(c0)]
	c3 := b[o+3*ldb:][:len(c0)]
	c4 := b[o+4*ldb:][:len(c0)]
	c5 := b[o+5*ldb:][:len(c0)]
	c6 := b[o+6*ldb:][:len(c0)]
	c7 := b[o+7*ldb:][:len(c0)]
	panel = panel[:8*len(c0)]
	for p, v := range c0 {
		q := panel[8*p : 8*p+8 : 8*p+8]
		q[0], q[1], q[2], q[3] = v, c1[p], c2[p], c3[p]
		q[4], q[5], q[6], q[7] = c4[p], c5[p], c6[p], c7[p]
	}
}

// kernel4x4 computes the 4×4 tile c = a·b (or c += a·b when add) from a
// packed 4-row panel of A and a packed 4-column panel of B, both of depth k.
func kernel4x4(k int, a, b []float32, c []float32, ldc int, add bool) {
	var c00, c01, c02, c03, c10, c11, c12, c13 float32
	var c20, c21, c22, c23, c30, c31, c32, c33 float32
	a = a[:4*k]
	b = b[:4*k]
	for p := 0; p < 4*k; p += 4 {
		av := a[p : p+4 : p+4]
		bv := b[p : p+4 : p+4]
		a0, a1, a2, a3 := av[0], av[1], av[2], av[3]
		b0, b1, b2, b3 := bv[0], bv[1], bv[2], bv[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
	}
	r0 := c[0:4:4]
	r1 := c[ldc : ldc+4 : ldc+4]
	r2 := c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := c[3*ldc : 3*ldc+4 : 3*ldc+4]
	if add {
		r0[0], r0[1], r0[2], r0[3] = r0[0]+c00, r0[1]+c01, r0[2]+c02, r0[3]+c03
		r1[0], r1[1], r1[2], r1[3] = r1[0]+c10, r1[1]+c11, r1[2]+c12, r1[3]+c13
		r2[0], r2[1], r2[2], r2[3] = r2[0]+c20, r2[1]+c21, r2[2]+c22, r2[3]+c23
		r3[0], r3[1], r3[2], r3[3] = r3[0]+c30, r3[1]+c31, r3[2]+c32, r3[3]+c33
		return
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
	r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
}
