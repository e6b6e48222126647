package simd

// The parameters of the exported idct function, all i32, in order.
const (
	iDst    = iota // the byte address of the first block's top left pixel
	iStride        // the bytes from one pixel row to the next
	iCoefs         // the byte address of the coefficients
	iBlocks        // the number of blocks, at least 1
)

// The fixed-point constants of Go's inverse DCT (image/jpeg's, which
// nn/data/internal/baseline keeps too; its tests hold the kernel to
// them): 1/√2·cos(6π/16) and 1/√2·sin(6π/16) to 18 bits for the rows,
// to 12 for the columns; 1/√2 to 8 bits for the rows, to 14 for the
// columns; cos and sin of 3π/16 and π/16 to 12 bits, for both.
const (
	rowCos6, rowSin6 = 70936, 171254
	rowHalf, colHalf = 181, 11585
	colCos6, colSin6 = 1108, 2676
	cos3, sin3       = 3406, 2276
	cos1, sin1       = 4017, 799
)

// idctFunction returns idct(dst, stride, coefs, n): the inverse DCT of
// n blocks lying left to right, each written 8 bytes on from the last,
// exactly as Go's image/jpeg computes it (its int32 arithmetic, which
// i32x4 lanes wrap alike), level-shifted by 128 and clamped to a byte,
// and the coefficients left zero for the next blocks.
//
// A block's 64 coefficients are int32s stored by column: coefficient
// (row r, column k) at 4·(8k + r) bytes. So a vector loaded from column
// k holds element k of four rows, and the row pass works on four rows
// at once, lane by lane; a transpose then gives vectors of four columns
// of a row, on which the column pass works alike.
func idctFunction() *function {
	f := newFunction("idct", 4)
	g := &idctGen{f: f, consts: map[int32]uint32{}}
	row := f.local(i32) // the address of the pixel row being written
	g.constants()

	f.loop()
	{
		// The row pass, rows 0 to 3 then 4 to 7, back in place.
		for half := uint32(0); half < 2; half++ {
			var x [8]uint32
			for k := range x {
				x[k] = g.load(iCoefs, 32*uint32(k)+16*half)
			}
			y := g.rowPass(x)
			for k := range y {
				f.localGet(iCoefs)
				f.localGet(y[k])
				f.v128Store(32*uint32(k) + 16*half)
			}
		}
		// The column pass, columns 0 to 3 then 4 to 7: rows r of those
		// columns are the transposes of element vectors 4c..4c+3.
		var out [2][8]uint32
		for c := uint32(0); c < 2; c++ {
			var v [8]uint32
			for half := uint32(0); half < 2; half++ {
				var e [4]uint32
				for j := range e {
					e[j] = g.load(iCoefs, 32*(4*c+uint32(j))+16*half)
				}
				t := g.transpose(e)
				copy(v[4*half:], t[:])
			}
			out[c] = g.colPass(v)
		}
		// Each row's 8 bytes: narrowed to 16 bits (the column pass's
		// outputs are int32 >> 18, within ±2^13), shifted by 128,
		// narrowed to bytes with saturation: Go's clamp.
		f.localGet(iDst)
		f.localSet(row)
		for r := range 8 {
			f.localGet(row)
			f.localGet(out[0][r])
			f.localGet(out[1][r])
			f.i16x8NarrowI32x4S()
			f.localGet(g.c16)
			f.i16x8Add()
			f.v128Zero()
			f.i8x16NarrowI16x8U()
			f.v128Store64Lane(0, 0)
			addLocal(f, row, iStride)
		}
		for i := range uint32(16) {
			f.localGet(iCoefs)
			f.v128Zero()
			f.v128Store(16 * i)
		}
		addConst(f, iDst, 8)
		addConst(f, iCoefs, 256)
		addConst(f, iBlocks, -1)
		f.localGet(iBlocks)
		f.brIf(0)
	}
	f.end()
	return f
}

// idctGen emits the lanes' arithmetic of the inverse DCT, each value
// in a v128 local of its own.
type idctGen struct {
	f      *function
	consts map[int32]uint32 // i32x4 constants by value: their locals
	c16    uint32           // the i16x8 constant 128
}

// constants fills the locals of every constant the passes multiply or
// add by, before the loop.
func (g *idctGen) constants() {
	for _, c := range []int32{
		rowCos6, -rowSin6 - rowCos6, rowCos6 - rowSin6, rowHalf,
		colCos6, -colSin6 - colCos6, colCos6 - colSin6, colHalf,
		cos3, -sin3 - cos3, cos3 - sin3, cos1, -sin1 - cos1, cos1 - sin1,
		1 << 19,
	} {
		if _, ok := g.consts[c]; ok {
			continue
		}
		x := g.f.local(v128)
		g.f.i32Const(c)
		g.f.i32x4Splat()
		g.f.localSet(x)
		g.consts[c] = x
	}
	g.c16 = g.f.local(v128)
	g.f.i32Const(128)
	g.f.i16x8Splat()
	g.f.localSet(g.c16)
}

// load returns a local holding the vector at the address in local p
// plus offset.
func (g *idctGen) load(p, offset uint32) uint32 {
	g.f.localGet(p)
	g.f.v128Load(offset)
	return g.set()
}

// set pops the vector on the stack into a new local.
func (g *idctGen) set() uint32 {
	x := g.f.local(v128)
	g.f.localSet(x)
	return x
}

// op pushes the vector in local a and the operand b pushes, applies
// the instruction op to them and returns the local of its result.
func (g *idctGen) op(a uint32, b, op func()) uint32 {
	g.f.localGet(a)
	b()
	op()
	return g.set()
}

// vector and scalar push the local x, the i32 n.
func (g *idctGen) vector(x uint32) func() { return func() { g.f.localGet(x) } }
func (g *idctGen) scalar(n int32) func()  { return func() { g.f.i32Const(n) } }

func (g *idctGen) add(a, b uint32) uint32       { return g.op(a, g.vector(b), g.f.i32x4Add) }
func (g *idctGen) sub(a, b uint32) uint32       { return g.op(a, g.vector(b), g.f.i32x4Sub) }
func (g *idctGen) shl(a uint32, n int32) uint32 { return g.op(a, g.scalar(n), g.f.i32x4Shl) }
func (g *idctGen) shr(a uint32, n int32) uint32 { return g.op(a, g.scalar(n), g.f.i32x4ShrS) }

// mul returns a·c for the constant c.
func (g *idctGen) mul(a uint32, c int32) uint32 { return g.op(a, g.vector(g.consts[c]), g.f.i32x4Mul) }

// rotate is baseline's rotate: x0·c + x1·s and x1·c - x0·s, as
// c·(x0+x1) + (s-c)·x1 and c·(x0+x1) - (c+s)·x0, here with s negative
// as the passes call it: s = -t.
func (g *idctGen) rotate(x0, x1 uint32, c, t int32) (y0, y1 uint32) {
	sum := g.mul(g.add(x0, x1), c)
	return g.add(sum, g.mul(x1, -t-c)), g.sub(sum, g.mul(x0, c-t))
}

// rowPass is baseline's idctRow on the element vectors x.
func (g *idctGen) rowPass(x [8]uint32) [8]uint32 {
	e0, e4 := g.shl(x[0], 17), g.shl(x[4], 17)
	p, q := g.rotate(x[2], x[6], rowCos6, rowSin6)
	o1, o7 := g.shl(x[1], 7), g.shl(x[7], 7)
	return g.butterfly(g.add(e0, e4), g.sub(e0, e4), p, q,
		g.add(o1, o7), g.sub(o1, o7), g.mul(x[3], rowHalf), g.mul(x[5], rowHalf), 2)
}

// colPass is baseline's idctCol on the row vectors c, with the final
// shift to the output's scale.
func (g *idctGen) colPass(c [8]uint32) (out [8]uint32) {
	x0 := g.add(c[0], g.consts[1<<19])
	p, q := g.rotate(g.shr(c[2], 13), g.shr(c[6], 13), colCos6, colSin6)
	y := g.butterfly(g.shr(g.add(x0, c[4]), 2), g.shr(g.sub(x0, c[4]), 2), p, q,
		g.add(c[1], c[7]), g.sub(c[1], c[7]), g.mul(g.shr(c[3], 13), colHalf), g.mul(g.shr(c[5], 13), colHalf), 14)
	for i, v := range y {
		out[i] = g.shr(v, 18)
	}
	return out
}

// butterfly is what both passes do after their first steps: from the
// even part's sum and difference s and d and its rotation p and q, and
// the odd part's t7, t4, m3 and m5, the eight outputs, the odd part
// shifted right by shift before its rotations.
func (g *idctGen) butterfly(s, d, p, q, t7, t4, m3, m5 uint32, shift int32) [8]uint32 {
	a0, a3 := g.add(s, q), g.sub(s, q)
	a1, a2 := g.add(d, p), g.sub(d, p)
	u7, u5 := g.add(t7, m3), g.sub(t7, m3)
	u4, u6 := g.add(t4, m5), g.sub(t4, m5)
	v4, v7 := g.rotate(g.shr(u4, shift), g.shr(u7, shift), cos3, sin3)
	v5, v6 := g.rotate(g.shr(u5, shift), g.shr(u6, shift), cos1, sin1)
	return [8]uint32{
		g.add(a0, v7), g.add(a1, v6), g.add(a2, v5), g.add(a3, v4),
		g.sub(a3, v4), g.sub(a2, v5), g.sub(a1, v6), g.sub(a0, v7),
	}
}

// transpose returns the columns of the 4×4 matrix whose rows are e.
func (g *idctGen) transpose(e [4]uint32) (t [4]uint32) {
	lo := func(a, b uint32) uint32 { return g.shuffle32(a, b, 0, 4, 1, 5) }
	hi := func(a, b uint32) uint32 { return g.shuffle32(a, b, 2, 6, 3, 7) }
	t0, t1 := lo(e[0], e[1]), hi(e[0], e[1]) // a0 b0 a1 b1, a2 b2 a3 b3
	t2, t3 := lo(e[2], e[3]), hi(e[2], e[3]) // c0 d0 c1 d1, c2 d2 c3 d3
	return [4]uint32{
		g.shuffle32(t0, t2, 0, 1, 4, 5), g.shuffle32(t0, t2, 2, 3, 6, 7),
		g.shuffle32(t1, t3, 0, 1, 4, 5), g.shuffle32(t1, t3, 2, 3, 6, 7),
	}
}

// shuffle32 returns the i32 lanes l of a's lanes 0-3 and b's 4-7.
func (g *idctGen) shuffle32(a, b uint32, l ...byte) uint32 {
	g.f.localGet(a)
	g.f.localGet(b)
	var lanes [16]byte
	for i, x := range l {
		for j := range byte(4) {
			lanes[4*i+int(j)] = 4*x + j
		}
	}
	g.f.i8x16Shuffle(lanes)
	return g.set()
}
