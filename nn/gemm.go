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
// Gemm packs blocks of A and B into buf, which it grows as needed; pass
// the same *GemmBuffer to avoid allocating.
func Gemm(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear32(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	mp := (m + gemmMR - 1) / gemmMR * gemmMR
	np := (n + gemmNR - 1) / gemmNR * gemmNR
	kc := min(k, gemmKC)
	buf.a = grow(buf.a, mp*kc)
	buf.b = grow(buf.b, np*kc)
	for p0 := 0; p0 < k; p0 += gemmKC {
		kb := min(gemmKC, k-p0)
		packA(buf.a, transA, a, lda, m, p0, kb)
		packB(buf.b, transB, b, ldb, n, p0, kb)
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
				for i := 0; i < gemmMR && i0+i < m; i++ {
					row := c[(i0+i)*ldc+j0:]
					for j := 0; j < gemmNR && j0+j < n; j++ {
						if add {
							row[j] += t[i*gemmNR+j]
						} else {
							row[j] = t[i*gemmNR+j]
						}
					}
				}
			}
		}
	}
}

// GemmBuffer holds Gemm's packing space. The zero value is ready to use.
type GemmBuffer struct{ a, b []float32 }

const (
	gemmMR = 4   // rows of the micro-kernel's tile
	gemmNR = 4   // columns of the micro-kernel's tile
	gemmKC = 256 // depth of a packed block
)

func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// packA copies rows of op(A), columns p0 to p0+kb, into dst as panels of
// gemmMR rows: element (i, p) lands at (i/MR)*MR*kb + p*MR + i%MR. Rows past
// m are zero.
func packA(dst []float32, trans bool, a []float32, lda, m, p0, kb int) {
	for i0 := 0; i0 < m; i0 += gemmMR {
		panel := dst[i0*kb : (i0+gemmMR)*kb]
		for ii := 0; ii < gemmMR; ii++ {
			i := i0 + ii
			if i >= m {
				for p := 0; p < kb; p++ {
					panel[p*gemmMR+ii] = 0
				}
				continue
			}
			if trans {
				for p := 0; p < kb; p++ {
					panel[p*gemmMR+ii] = a[(p0+p)*lda+i]
				}
			} else {
				row := a[i*lda+p0 : i*lda+p0+kb]
				for p, v := range row {
					panel[p*gemmMR+ii] = v
				}
			}
		}
	}
}

// packB copies rows p0 to p0+kb of op(B) into dst as panels of gemmNR
// columns: element (p, j) lands at (j/NR)*NR*kb + p*NR + j%NR. Columns past
// n are zero.
func packB(dst []float32, trans bool, b []float32, ldb, n, p0, kb int) {
	for j0 := 0; j0 < n; j0 += gemmNR {
		panel := dst[j0*kb : (j0+gemmNR)*kb]
		if !trans && j0+gemmNR <= n {
			for p := 0; p < kb; p++ {
				src := b[(p0+p)*ldb+j0 : (p0+p)*ldb+j0+gemmNR]
				d := panel[p*gemmNR : p*gemmNR+gemmNR]
				d[0], d[1], d[2], d[3] = src[0], src[1], src[2], src[3]
			}
			continue
		}
		for jj := 0; jj < gemmNR; jj++ {
			j := j0 + jj
			for p := 0; p < kb; p++ {
				var v float32
				if j < n {
					if trans {
						v = b[j*ldb+p0+p]
					} else {
						v = b[(p0+p)*ldb+j]
					}
				}
				panel[p*gemmNR+jj] = v
			}
		}
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
