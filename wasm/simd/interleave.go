package simd

// The parameters of the exported interleave4 and interleave8 functions,
// all i32, in order.
const (
	tDst    = iota // byte address of the first panel written
	tSrc           // byte address of the first row read
	tLDS           // bytes from one row of src to the next
	tBlocks        // depths per panel, divided by 4
	tPanels        // panels
	tDPS           // bytes from one panel written to the next
	nInterleaveParams
)

// interleaveFunction returns interleave<w>(dst, src, lds, blocks,
// panels, dps), for w = 4 or 8, the bulk of nn.InterleaveKernel: for
// each of panels panels t, it writes the w rows of src from row t*w on,
// 4*blocks values each, as one panel of w columns, element (q, p) of the
// rows to column q of the panel's row p:
//
//	dst + t*dps + 4*(p*w + q)  ←  src + (t*w + q)*lds + 4*p
//
// Each group of 4 rows goes through 4×4 blocks: four vector loads, the
// eight shuffles of a transpose, four vector stores. It only moves bits.
func interleaveFunction(w int) *function {
	f := newFunction(map[int]string{4: "interleave4", 8: "interleave8"}[w], nInterleaveParams)
	var (
		group  = f.local(i32) // groups of 4 rows left in the panel
		gSrc   = f.local(i32) // the group's first row
		gDst   = f.local(i32) // its first column in the panel
		block  = f.local(i32) // blocks left in the group
		s, d   = f.local(i32), f.local(i32)
		lds2   = f.local(i32)
		lds3   = f.local(i32)
		rows   [4]uint32       // a block's four rows of src
		pairs  [4]uint32       // rows 0 and 1, and 2 and 3, interleaved
		rowOut = uint32(4 * w) // bytes from one row of a panel to the next
	)
	for i := range rows {
		rows[i] = f.local(v128)
		pairs[i] = f.local(v128)
	}
	f.localGet(tLDS)
	f.i32Const(2)
	f.i32Mul()
	f.localSet(lds2)
	f.localGet(tLDS)
	f.i32Const(3)
	f.i32Mul()
	f.localSet(lds3)

	f.loop() // over panels
	{
		set(f, gSrc, tSrc)
		set(f, gDst, tDst)
		f.i32Const(int32(w / 4))
		f.localSet(group)
		f.loop() // over the panel's groups of 4 rows
		{
			set(f, s, gSrc)
			set(f, d, gDst)
			set(f, block, tBlocks)
			f.loop() // over the group's blocks of 4 depths
			{
				for r, off := range []uint32{0, tLDS, lds2, lds3} {
					f.localGet(s)
					if r > 0 {
						f.localGet(off)
						f.i32Add()
					}
					f.v128Load(0)
					f.localSet(rows[r])
				}
				// pairs: (a0 b0 a1 b1), (a2 b2 a3 b3), (c0 d0 c1 d1), (c2 d2 c3 d3)
				for i, lanes := range [][4]byte{{0, 4, 1, 5}, {2, 6, 3, 7}, {0, 4, 1, 5}, {2, 6, 3, 7}} {
					f.localGet(rows[i/2*2])
					f.localGet(rows[i/2*2+1])
					f.i8x16Shuffle(floatLanes(lanes))
					f.localSet(pairs[i])
				}
				// depth p: (a_p b_p c_p d_p), from pairs 0 and 2 (p = 0, 1)
				// or 1 and 3 (p = 2, 3)
				for p, lanes := range [][4]byte{{0, 1, 4, 5}, {2, 3, 6, 7}, {0, 1, 4, 5}, {2, 3, 6, 7}} {
					f.localGet(d)
					f.localGet(pairs[p/2])
					f.localGet(pairs[p/2+2])
					f.i8x16Shuffle(floatLanes(lanes))
					f.v128Store(uint32(p) * rowOut)
				}
				addConst(f, s, 16)
				addConst(f, d, int32(4*rowOut))
				addConst(f, block, -1)
				f.localGet(block)
				f.brIf(0)
			}
			f.end()
			f.localGet(gSrc)
			f.localGet(tLDS)
			f.i32Const(4)
			f.i32Mul()
			f.i32Add()
			f.localSet(gSrc)
			addConst(f, gDst, 16)
			addConst(f, group, -1)
			f.localGet(group)
			f.brIf(0)
		}
		f.end()
		// src moves on by w rows, dst by a panel.
		f.localGet(tSrc)
		f.localGet(tLDS)
		f.i32Const(int32(w))
		f.i32Mul()
		f.i32Add()
		f.localSet(tSrc)
		addLocal(f, tDst, tDPS)
		addConst(f, tPanels, -1)
		f.localGet(tPanels)
		f.brIf(0)
	}
	f.end()
	return f
}

// set sets the local dst to the local src.
func set(f *function, dst, src uint32) { f.localGet(src); f.localSet(dst) }

// floatLanes returns the byte lanes of i8x16.shuffle that pick the float
// lanes given, 0-3 of its first operand and 4-7 of its second.
func floatLanes(lanes [4]byte) [16]byte {
	var b [16]byte
	for i, l := range lanes {
		for j := range 4 {
			b[4*i+j] = 4*l + byte(j)
		}
	}
	return b
}
