package simd

// The parameters of the exported split function, all i32, in order.
const (
	sEven     = iota // byte address of the first even row written
	sOdd             // of the first odd row written
	sSrc             // of the first row read
	sVectors         // vectors of 4 values a row written, ≥ 1
	sRows            // rows a plane, ≥ 1
	sPlanes          // planes, ≥ 1
	sSrcRow          // bytes from one row read to the next
	sSrcPlane        // from one plane read to the next
	sDstRow          // from one row written to the next
	sDstPlane        // from one plane written to the next
	nSplitParams
)

// splitFunction returns split(even, odd, src, vectors, rows, planes,
// srcRow, srcPlane, dstRow, dstPlane), nn.SplitKernel on f32x4 vectors:
// each row's 8*vectors values are read two vectors at a time, and two
// shuffles write their even lanes to the even row and their odd lanes
// to the odd row. It only moves bits.
func splitFunction() *function {
	f := newFunction("split", nSplitParams)
	var (
		rowsLeft        = f.local(i32)
		vecsLeft        = f.local(i32)
		s, e, o         = f.local(i32), f.local(i32), f.local(i32) // the current row's
		ps, pe, po      = f.local(i32), f.local(i32), f.local(i32) // the current vector's
		lo, hi          = f.local(v128), f.local(v128)
		evenLanes, odds = floatLanes([4]byte{0, 2, 4, 6}), floatLanes([4]byte{1, 3, 5, 7})
	)
	f.loop() // over planes
	{
		set(f, s, sSrc)
		set(f, e, sEven)
		set(f, o, sOdd)
		set(f, rowsLeft, sRows)
		f.loop() // over the plane's rows
		{
			set(f, ps, s)
			set(f, pe, e)
			set(f, po, o)
			set(f, vecsLeft, sVectors)
			f.loop() // over the row's vectors
			{
				f.localGet(ps)
				f.v128Load(0)
				f.localSet(lo)
				f.localGet(ps)
				f.v128Load(16)
				f.localSet(hi)
				for _, w := range []struct {
					at    uint32
					lanes [16]byte
				}{{pe, evenLanes}, {po, odds}} {
					f.localGet(w.at)
					f.localGet(lo)
					f.localGet(hi)
					f.i8x16Shuffle(w.lanes)
					f.v128Store(0)
				}
				addConst(f, ps, 32)
				addConst(f, pe, 16)
				addConst(f, po, 16)
				addConst(f, vecsLeft, -1)
				f.localGet(vecsLeft)
				f.brIf(0)
			}
			f.end()
			addLocal(f, s, sSrcRow)
			addLocal(f, e, sDstRow)
			addLocal(f, o, sDstRow)
			addConst(f, rowsLeft, -1)
			f.localGet(rowsLeft)
			f.brIf(0)
		}
		f.end()
		addLocal(f, sSrc, sSrcPlane)
		addLocal(f, sEven, sDstPlane)
		addLocal(f, sOdd, sDstPlane)
		addConst(f, sPlanes, -1)
		f.localGet(sPlanes)
		f.brIf(0)
	}
	f.end()
	return f
}
