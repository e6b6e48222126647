package baseline

// block is an 8×8 block of dequantized coefficients, row by row, and
// which of its rows hold any but zeros (bit i for row i), DC aside.
type block struct {
	c    [64]int32
	rows uint8
}

// The fixed-point constants of the inverse DCT, each round(x·2^bits):
// image/jpeg's own, for its rounding is what the pixels must keep.
const (
	// 1/√2·cos(6π/16) and 1/√2·sin(6π/16) to 18 bits, for the rows.
	rowCos6, rowSin6 = 70936, 171254
	// 1/√2 to 8 bits, for the rows; to 14, for the columns.
	rowHalf, colHalf = 181, 11585
	// 1/√2·cos(6π/16) and 1/√2·sin(6π/16) to 12 bits, for the columns.
	colCos6, colSin6 = 1108, 2676
	// cos and sin of 3π/16 and π/16 to 12 bits, for both.
	cos3, sin3 = 3406, 2276
	cos1, sin1 = 4017, 799
)

// rotate is the butterfly of a rotation: x0·c + x1·s and x1·c - x0·s,
// with three multiplications.
func rotate(x0, x1, c, s int32) (y0, y1 int32) {
	sum := c * (x0 + x1)
	return sum + (s-c)*x1, sum - (c+s)*x0
}

// store computes the inverse DCT of b exactly as image/jpeg does
// (Go's fixed-point transform, rows then columns), writes it into the
// 8×8 pixels of dst (rows stride apart), level-shifted by 128 and
// clamped, and leaves b all zeros for the next block.
//
// Rows of zeros give zeros in the row pass, so it skips them; where
// only the first row holds coefficients each column is one value, the
// column pass's shortcut for a lone first input, with the same int32
// arithmetic.
func (b *block) store(dst []uint8, stride int) {
	if b.rows&^1 == 0 {
		var row [8]uint8
		if b.rows == 0 {
			v := clamp(colLone(b.c[0] << 17))
			row = [8]uint8{v, v, v, v, v, v, v, v}
		} else {
			idctRow((*[8]int32)(b.c[0:8]))
			for i := range row {
				row[i] = clamp(colLone(b.c[i]))
			}
		}
		for y := range 8 {
			copy(dst[y*stride:y*stride+8], row[:])
		}
		b.c[0], b.c[1], b.c[2], b.c[3], b.c[4], b.c[5], b.c[6], b.c[7] = 0, 0, 0, 0, 0, 0, 0, 0
		return
	}
	idctRow((*[8]int32)(b.c[0:8]))
	for i := 1; i < 8; i++ {
		if b.rows&(1<<i) != 0 {
			idctRow((*[8]int32)(b.c[8*i : 8*i+8]))
		}
	}
	for i := range 8 {
		idctCol(&b.c, i)
	}
	for y := range 8 {
		out := (*[8]uint8)(dst[y*stride : y*stride+8])
		in := (*[8]int32)(b.c[8*y : 8*y+8])
		for x := range out {
			out[x] = clamp(in[x])
		}
		*in = [8]int32{}
	}
}

// clamp level-shifts a sample by 128 and clamps it to a byte.
// The column pass's outputs are within ±2^14, so c+128 does not
// overflow; it is done without branches.
func clamp(c int32) uint8 {
	v := c + 128
	v &^= v >> 31        // 0 if v < 0
	v |= (255 - v) >> 31 // all ones if v > 255
	return uint8(v)
}

// colLone is the column pass of a column whose only input is its
// first, x0: every output is this.
func colLone(x0 int32) int32 { return ((x0 + 1<<19) >> 2) >> 18 }

// idctRow is the row pass of the inverse DCT, in place.
func idctRow(x *[8]int32) {
	// Even part: inputs 0, 4, 2, 6.
	e0, e4 := x[0]<<17, x[4]<<17
	s, d := e0+e4, e0-e4
	p, q := rotate(x[2], x[6], rowCos6, -rowSin6)
	a0, a3 := s+q, s-q
	a1, a2 := d+p, d-p
	// Odd part: inputs 1, 7, 3, 5.
	o1, o7 := x[1]<<7, x[7]<<7
	t7, t4 := o1+o7, o1-o7
	m3, m5 := x[3]*rowHalf, x[5]*rowHalf
	u7, u5 := t7+m3, t7-m3
	u4, u6 := t4+m5, t4-m5
	v4, v7 := rotate(u4>>2, u7>>2, cos3, -sin3)
	v5, v6 := rotate(u5>>2, u6>>2, cos1, -sin1)
	x[0], x[7] = a0+v7, a0-v7
	x[1], x[6] = a1+v6, a1-v6
	x[2], x[5] = a2+v5, a2-v5
	x[3], x[4] = a3+v4, a3-v4
}

// idctCol is the column pass of the inverse DCT on column i of c, in
// place, rounding to the output's scale.
func idctCol(c *[64]int32, i int) {
	i &= 7
	x0 := c[i] + 1<<19
	x4 := c[32+i]
	s, d := (x0+x4)>>2, (x0-x4)>>2
	p, q := rotate(c[16+i]>>13, c[48+i]>>13, colCos6, -colSin6)
	a0, a3 := s+q, s-q
	a1, a2 := d+p, d-p
	x1, x7 := c[8+i], c[56+i]
	t7, t4 := x1+x7, x1-x7
	m3, m5 := (c[24+i]>>13)*colHalf, (c[40+i]>>13)*colHalf
	u7, u5 := t7+m3, t7-m3
	u4, u6 := t4+m5, t4-m5
	v4, v7 := rotate(u4>>14, u7>>14, cos3, -sin3)
	v5, v6 := rotate(u5>>14, u6>>14, cos1, -sin1)
	c[i], c[56+i] = (a0+v7)>>18, (a0-v7)>>18
	c[8+i], c[48+i] = (a1+v6)>>18, (a1-v6)>>18
	c[16+i], c[40+i] = (a2+v5)>>18, (a2-v5)>>18
	c[24+i], c[32+i] = (a3+v4)>>18, (a3-v4)>>18
}

// A Kernel computes IDCT's result another way (the page's worker has
// one in WebAssembly SIMD): the same bytes for the same coefficients,
// whatever they are, and coefs left zero.
type Kernel func(dst []uint8, stride int, coefs []int32)

// kernel is the Kernel the decoder uses, nil for its own.
var kernel Kernel

// SetKernel has Decode compute its inverse DCTs with k, a row of blocks
// at a time, or with its own Go code if k is nil. It is not safe to
// call while Decode runs.
func SetKernel(k Kernel) { kernel = k }

// IDCT is the decoder's own Go code as a Kernel, which every Kernel
// must equal; nn/data's IDCT documents it.
func IDCT(dst []uint8, stride int, coefs []int32) {
	var b block
	for i := range len(coefs) / 64 {
		c := (*[64]int32)(coefs[64*i:])
		for k := range 8 {
			for r := range 8 {
				if v := c[8*k+r]; v != 0 {
					b.c[8*r+k] = v
					if r|k != 0 { // DC aside
						b.rows |= 1 << r
					}
				}
			}
		}
		b.store(dst[8*i:], stride)
		b.rows = 0
		*c = [64]int32{}
	}
}
