package simd

// The parameters of the exported gemm function, all i32, in order.
const (
	pK      = iota // depth
	pTiles         // row tiles
	pPanels        // column panels
	pA             // byte address of packed A
	pB             // byte address of B
	pPS            // bytes from one panel of B to the next
	pBS            // bytes from one row of a panel of B to the next
	pC             // byte address of C
	pLDC           // bytes from one row of C to the next
	pAdd           // nonzero: add to C rather than overwrite it
	nParams
)

// shape is a kernel's tile: rows of C by 4*vecs columns, and whether it
// multiplies and adds with relaxed SIMD's f32x4.relaxed_madd; and
// whether B is given by its rows (see gemmFunction).
type shape struct {
	rows, vecs int
	fma        bool
	byRows     bool
}

// gemmFunction returns the gemm function for tiles of shape s:
//
//	gemm(k, tiles, panels, a, b, ps, bs, c, ldc, add)
//
// computes the block of C of rows*tiles rows by 4*vecs*panels columns
// from A packed in panels of rows rows and B in panels of 4*vecs columns,
// for k, tiles and panels ≥ 1, as nn.GemmKernel does for 4 rows and 2
// vectors. All addresses and strides are in bytes; with float32 elements:
//
//	A(i, p) at a + 4*((i/rows)*rows*k + p*rows + i%rows)
//	B(p, j) at b + (j/(4*vecs))*ps + p*bs + 4*(j%(4*vecs))
//	C(i, j) at c + i*ldc + 4*j
//
// It runs over the panels, and within each over the row tiles, so that a
// panel of B is reused from the cache by every row tile. Each tile's sums
// stay in rows*vecs vector locals over the whole depth.
//
// With s.byRows, B is given by its rows, wherever they are: b is the
// address of a table of k i32 byte addresses, one a row, and
//
//	B(p, j) at table[p] + (j/(4*vecs))*ps + 4*(j%(4*vecs))
//
// (bs is not read), so that the rows are read in place where they would
// be packed into panels first. The sums are the same.
func gemmFunction(name string, s shape) *function {
	f := newFunction(name, nParams)
	var (
		panel  = f.local(i32) // panels left
		bPanel = f.local(i32) // address of the current panel of B
		cPanel = f.local(i32) // address of its first column in C
		tile   = f.local(i32) // row tiles left
		aTile  = f.local(i32) // address of the current tile's panel of A
		cTile  = f.local(i32) // address of the current tile in C
		aStep  = f.local(i32) // bytes from one packed panel of A to the next
		cStep  = f.local(i32) // bytes from one row tile of C to the next
		p      = f.local(i32) // depth left
		pa     = f.local(i32) // A(tile row 0, p)
		pb     = f.local(i32) // B(p, panel column 0)
		row    = f.local(i32) // a row of C, storing
		tp     = f.local(i32) // with byRows, the table's entry for p
		av     = f.local(v128)
	)
	bv := make([]uint32, s.vecs)
	for v := range bv {
		bv[v] = f.local(v128)
	}
	acc := make([][]uint32, s.rows) // acc[r][v]: C(r, 4v to 4v+3) of the tile
	for r := range acc {
		acc[r] = make([]uint32, s.vecs)
		for v := range acc[r] {
			acc[r][v] = f.local(v128)
		}
	}
	set := func(dst, src uint32) { f.localGet(src); f.localSet(dst) }

	// aStep = 4*rows*k; cStep = rows*ldc
	f.localGet(pK)
	f.i32Const(int32(4 * s.rows))
	f.i32Mul()
	f.localSet(aStep)
	f.localGet(pLDC)
	f.i32Const(int32(s.rows))
	f.i32Mul()
	f.localSet(cStep)

	set(panel, pPanels)
	if s.byRows {
		f.i32Const(0) // the panel's offset in each row
		f.localSet(bPanel)
	} else {
		set(bPanel, pB)
	}
	set(cPanel, pC)
	f.loop() // over panels
	{
		set(tile, pTiles)
		set(aTile, pA)
		set(cTile, cPanel)
		f.loop() // over row tiles
		{
			for r := range acc {
				for _, x := range acc[r] {
					f.v128Zero()
					f.localSet(x)
				}
			}
			set(p, pK)
			set(pa, aTile)
			if s.byRows {
				set(tp, pB)
			} else {
				set(pb, bPanel)
			}
			f.loop() // over the depth
			{
				if s.byRows {
					f.localGet(tp)
					f.i32Load(0)
					f.localGet(bPanel)
					f.i32Add()
					f.localSet(pb)
				}
				for v, x := range bv {
					f.localGet(pb)
					f.v128Load(uint32(16 * v))
					f.localSet(x)
				}
				for r := range acc {
					f.localGet(pa)
					f.v128Load32Splat(uint32(4 * r))
					f.localSet(av)
					for v, x := range acc[r] {
						if s.fma {
							f.localGet(av)
							f.localGet(bv[v])
							f.localGet(x)
							f.f32x4RelaxedMadd()
						} else {
							f.localGet(x)
							f.localGet(av)
							f.localGet(bv[v])
							f.f32x4Mul()
							f.f32x4Add()
						}
						f.localSet(x)
					}
				}
				addConst(f, pa, int32(4*s.rows))
				if s.byRows {
					addConst(f, tp, 4)
				} else {
					addLocal(f, pb, pBS)
				}
				addConst(f, p, -1)
				f.localGet(p)
				f.brIf(0)
			}
			f.end()

			// Store the tile, row by row, adding to C when asked.
			f.localGet(pAdd)
			f.ifThen()
			storeTile(f, acc, cTile, row, true)
			f.elseThen()
			storeTile(f, acc, cTile, row, false)
			f.end()

			addLocal(f, aTile, aStep)
			addLocal(f, cTile, cStep)
			addConst(f, tile, -1)
			f.localGet(tile)
			f.brIf(0)
		}
		f.end()
		addLocal(f, bPanel, pPS)
		addConst(f, cPanel, int32(16*s.vecs))
		addConst(f, panel, -1)
		f.localGet(panel)
		f.brIf(0)
	}
	f.end()
	return f
}

// storeTile stores the sums acc into the tile of C at cTile, rows pLDC
// bytes apart, or adds them to it, using row as scratch.
func storeTile(f *function, acc [][]uint32, cTile, row uint32, add bool) {
	f.localGet(cTile)
	f.localSet(row)
	for r := range acc {
		if r > 0 {
			addLocal(f, row, pLDC)
		}
		for v, x := range acc[r] {
			f.localGet(row)
			if add {
				f.localGet(row)
				f.v128Load(uint32(16 * v))
				f.localGet(x)
				f.f32x4Add()
			} else {
				f.localGet(x)
			}
			f.v128Store(uint32(16 * v))
		}
	}
}

// addConst adds n to the i32 local x.
func addConst(f *function, x uint32, n int32) {
	f.localGet(x)
	f.i32Const(n)
	f.i32Add()
	f.localSet(x)
}

// addLocal adds the i32 local y to the i32 local x.
func addLocal(f *function, x, y uint32) {
	f.localGet(x)
	f.localGet(y)
	f.i32Add()
	f.localSet(x)
}
