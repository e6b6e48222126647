package simd

// Inference's Winograd transforms (nn.WinogradKernels), 4 tiles a
// vector: lane l of every vector is tile j0+l of a row of tiles, so that
// each of nn's additions, in its order, is one f32x4.add or f32x4.sub on
// 4 tiles at once and the bits are Go's (f32x4.add and f32x4.sub round
// to nearest, as Go's float32 arithmetic does). Each function loops over
// every channel, image, row of tiles and group of 4 tiles itself: a call
// from Go costs more than the transforms of a row.

// The parameters of the exported winogradInput function, all i32, in
// order. Addresses and distances are in bytes.
const (
	wiV        = iota // address of v, the transforms
	wiX               // address of x, the planes
	wiChannels        // channels, ≥ 1
	wiImages          // images, ≥ 1
	wiRows            // rows of tiles an image, ≥ 1
	wiGroups          // groups of 4 tiles a row of tiles, ≥ 1: the last may have fewer
	wiTileRow         // from one row of tiles in v to the next: 4*Cols
	wiRow             // from one row of a plane to the next
	wiPlane           // from one image's plane to the next
	wiChannel         // from one channel's planes to the next
	wiStride          // from one channel's row of a matrix to the next
	wiMatrix          // from one of the 16 matrices to the next
	nWinogradInputParams
)

// The parameters of the exported winogradOutput function, all i32, in
// order. Addresses and distances are in bytes.
const (
	woY       = iota // address of y, the planes
	woM              // address of m, the products
	woBias           // address of the biases, a float32 a channel
	woReLU           // the first channels, those that ReLU follows (≥ 0)
	woPlain          // the other channels (≥ 0)
	woImages         // images, ≥ 1
	woRows           // rows of tiles an image, ≥ 1
	woFull           // whole groups of 4 tiles a row of tiles, before its last, ≥ 0
	woTail           // the values of a row of the planes that the last group writes: 2, 4, 6 or 8
	woTileRow        // from one row of tiles in m to the next: 4*Cols
	woRow            // from one row of a plane to the next
	woPlane          // from one image's plane to the next
	woChannel        // from one channel's planes to the next
	woStride         // from one channel's row of a matrix to the next
	woMatrix         // from one of the 16 matrices to the next
	woAdd            // nonzero: add to y's values rather than overwrite them
	nWinogradOutputParams
)

// winogradInputFunction returns winogradInput(v, x, channels, images,
// rows, groups, tileRow, row, plane, channel, stride, matrix), nn's
// winogradInput on 4 tiles at a time. The 4×4 blocks of tiles j0 to
// j0+3 span columns 2*j0 to 2*j0+9 of their 4 rows; each row is loaded
// as 4 vectors, of columns 0-3, 4-7, 2-5 and 6-9 from 2*j0 on, so that
// Bᵀ d is computed on whole vectors and a shuffle of two of them picks
// column q of the 4 tiles (q=0: columns 0, 2, 4, 6; q=1: 1, 3, 5, 7;
// q=2: 2, 4, 6, 8; q=3: 3, 5, 7, 9) for (Bᵀ d) B.
//
// The last group of a row of tiles transforms 4 tiles whatever is left,
// within nn.WinogradSpill: it reads up to 6 values past the last one of
// each row that the tiles need, and writes up to 3 tiles past the row's
// last, into the next row's first tiles, which it then overwrites (it
// goes through the rows in order), or past the channel's last tile.
func winogradInputFunction() *function {
	f := newFunction("winogradInput", nWinogradInputParams)
	var (
		channelsLeft, imagesLeft = f.local(i32), f.local(i32)
		rowsLeft, groupsLeft     = f.local(i32), f.local(i32)
		xc, vc                   = f.local(i32), f.local(i32) // the channel's first values
		xi                       = f.local(i32)               // the row of tiles' first row
		vi                       = f.local(i32)               // its first tile in matrix 0
		vg, at                   = f.local(i32), f.local(i32) // the group's first tile in matrix 0, and in the one stored
		row2, row3               = f.local(i32), f.local(i32) // 2*row and 3*row
		xr                       [4]uint32                    // the group's first value in each of its 4 rows
		t, tq                    [4]uint32                    // (Bᵀ d)'s row a: by the loads' columns, then by q
	)
	for r := range xr {
		xr[r] = f.local(i32)
	}
	for q := range t {
		t[q], tq[q] = f.local(v128), f.local(v128)
	}
	f.localGet(wiRow)
	f.i32Const(2)
	f.i32Mul()
	f.localSet(row2)
	addLocal2(f, row3, row2, wiRow)

	// The loads' byte offsets from the group's first value of a row:
	// columns 0-3, 4-7, 2-5 and 6-9.
	offsets := [4]uint32{0, 16, 8, 24}
	// Bᵀ d's rows: d[r1] op d[r2], op f32x4.add when plus, else sub.
	pass := [4]struct {
		r1, r2 int
		plus   bool
	}{{0, 2, false}, {1, 2, true}, {2, 1, false}, {1, 3, false}}
	// The columns q of 4 tiles from two loads' vectors.
	evens, odds := floatLanes([4]byte{0, 2, 4, 6}), floatLanes([4]byte{1, 3, 5, 7})

	set(f, xc, wiX)
	set(f, vc, wiV)
	set(f, channelsLeft, wiChannels)
	f.loop() // over channels
	{
		set(f, xi, xc)
		set(f, vi, vc)
		set(f, imagesLeft, wiImages)
		f.loop() // over images
		{
			set(f, rowsLeft, wiRows)
			f.loop() // over rows of tiles
			{
				set(f, xr[0], xi)
				addLocal2(f, xr[1], xi, wiRow)
				addLocal2(f, xr[2], xi, row2)
				addLocal2(f, xr[3], xi, row3)
				set(f, vg, vi)
				set(f, groupsLeft, wiGroups)
				f.loop() // over groups of 4 tiles
				{
					set(f, at, vg)
					for a, p := range pass {
						for k, off := range offsets {
							f.localGet(xr[p.r1])
							f.v128Load(off)
							f.localGet(xr[p.r2])
							f.v128Load(off)
							if p.plus {
								f.f32x4Add()
							} else {
								f.f32x4Sub()
							}
							f.localSet(t[k])
						}
						for q, s := range [4]struct {
							lo, hi uint32
							lanes  [16]byte
						}{{t[0], t[1], evens}, {t[0], t[1], odds}, {t[2], t[3], evens}, {t[2], t[3], odds}} {
							f.localGet(s.lo)
							f.localGet(s.hi)
							f.i8x16Shuffle(s.lanes)
							f.localSet(tq[q])
						}
						// (Bᵀ d) B's row a, element b to matrix 4a+b.
						for b, c := range [4]struct {
							x, y uint32
							plus bool
						}{{tq[0], tq[2], false}, {tq[1], tq[2], true}, {tq[2], tq[1], false}, {tq[1], tq[3], false}} {
							f.localGet(at)
							f.localGet(c.x)
							f.localGet(c.y)
							if c.plus {
								f.f32x4Add()
							} else {
								f.f32x4Sub()
							}
							f.v128Store(0)
							if a < 3 || b < 3 {
								addLocal(f, at, wiMatrix)
							}
						}
					}
					for _, x := range xr {
						addConst(f, x, 32)
					}
					addConst(f, vg, 16)
					addConst(f, groupsLeft, -1)
					f.localGet(groupsLeft)
					f.brIf(0)
				}
				f.end()
				addLocal(f, xi, row2)
				addLocal(f, vi, wiTileRow)
				addConst(f, rowsLeft, -1)
				f.localGet(rowsLeft)
				f.brIf(0)
			}
			f.end()
			// The image's rows of tiles: back to its first, then on to
			// the next image's.
			f.localGet(xi)
			f.localGet(row2)
			f.localGet(wiRows)
			f.i32Mul()
			f.i32Sub()
			f.localGet(wiPlane)
			f.i32Add()
			f.localSet(xi)
			addConst(f, imagesLeft, -1)
			f.localGet(imagesLeft)
			f.brIf(0)
		}
		f.end()
		addLocal(f, xc, wiChannel)
		addLocal(f, vc, wiStride)
		addConst(f, channelsLeft, -1)
		f.localGet(channelsLeft)
		f.brIf(0)
	}
	f.end()
	return f
}

// winogradOutputFunction returns winogradOutput(y, m, bias, relu,
// plain, images, rows, full, tail, tileRow, row, plane, channel, stride,
// matrix, add), nn's winogradOutput on 4 tiles at a time: the relu
// channels with ReLU, then the plain ones without. Aᵀ M A's two rows of
// 4 tiles are two vectors each, s0 and s1, their lanes' columns 2l and
// 2l+1; two shuffles interleave them into the 8 values of a row of the
// planes. The last group of a row of tiles, which may have fewer than 4,
// writes its tail values only, with v128.bitselect between the new
// vectors and the old: every other value keeps its bits (the row's
// border, say, or what follows the last plane).
//
// Its loops are emitted for each case, with or without add, with or
// without ReLU, the last group or another, so that none tests a flag
// within.
func winogradOutputFunction() *function {
	f := newFunction("winogradOutput", nWinogradOutputParams)
	o := &winogradOutput{function: f}
	o.channelsLeft, o.imagesLeft = f.local(i32), f.local(i32)
	o.rowsLeft, o.groupsLeft = f.local(i32), f.local(i32)
	o.yc, o.mc = f.local(i32), f.local(i32)
	o.yi, o.mi = f.local(i32), f.local(i32)
	o.yg, o.mg = f.local(i32), f.local(i32)
	o.mq = f.local(i32)
	o.matrix4, o.matrix8, o.matrix12 = f.local(i32), f.local(i32), f.local(i32)
	o.row2 = f.local(i32)
	o.bias = f.local(v128)
	for q := range 4 {
		o.m[q] = f.local(v128)
		for r := range 2 {
			o.u[r][q] = f.local(v128)
		}
	}
	o.s0, o.s1 = f.local(v128), f.local(v128)
	o.old, o.x = f.local(v128), f.local(v128)
	o.mask[0], o.mask[1] = f.local(v128), f.local(v128)

	for i, x := range []uint32{o.matrix4, o.matrix8, o.matrix12, o.row2} {
		f.localGet([]uint32{woMatrix, woMatrix, woMatrix, woRow}[i])
		f.i32Const([]int32{4, 8, 12, 2}[i])
		f.i32Mul()
		f.localSet(x)
	}
	// The last group's masks: value l of its 8 (lane l%4 of vector l/4)
	// is new where l < tail.
	for h := range 2 {
		f.localGet(woTail)
		f.i32x4Splat()
		f.i32x4Const([4]int32{int32(4 * h), int32(4*h + 1), int32(4*h + 2), int32(4*h + 3)})
		f.i32x4GtS()
		f.localSet(o.mask[h])
	}
	set(f, o.yc, woY)
	set(f, o.mc, woM)
	f.localGet(woAdd)
	f.ifThen()
	o.channels(woReLU, true, true)
	o.channels(woPlain, true, false)
	f.elseThen()
	o.channels(woReLU, false, true)
	o.channels(woPlain, false, false)
	f.end()
	return f
}

// winogradOutput is winogradOutputFunction under construction: its
// locals.
type winogradOutput struct {
	*function
	channelsLeft, imagesLeft, rowsLeft, groupsLeft uint32
	yc, mc                                         uint32    // the channel's first value, and tile in matrix 0
	yi, mi                                         uint32    // the row of tiles': its first row, and first tile
	yg, mg                                         uint32    // the group's
	mq                                             uint32    // the group's tiles in matrix q
	matrix4, matrix8, matrix12, row2               uint32    // 4, 8 and 12 matrices, and 2 rows
	bias                                           uint32    // the channel's bias, in each lane
	m                                              [4]uint32 // the group's M[a][q], for one q
	u                                              [2][4]uint32
	s0, s1                                         uint32 // (Aᵀ M) A's row r: its column 0 and 1
	old, x                                         uint32
	mask                                           [2]uint32 // the last group's
}

// channels emits the loop over the count channels that follow those
// before, if any, with or without add and ReLU, from the locals yc and
// mc and the parameter bias on, which it leaves at the next channel's.
func (o *winogradOutput) channels(count uint32, add, relu bool) {
	f := o.function
	f.localGet(count)
	f.ifThen()
	set(f, o.channelsLeft, count)
	f.loop() // over channels
	{
		f.localGet(woBias)
		f.v128Load32Splat(0)
		f.localSet(o.bias)
		set(f, o.yi, o.yc)
		set(f, o.mi, o.mc)
		set(f, o.imagesLeft, woImages)
		f.loop() // over images
		{
			set(f, o.rowsLeft, woRows)
			f.loop() // over rows of tiles
			{
				set(f, o.yg, o.yi)
				set(f, o.mg, o.mi)
				f.localGet(woFull)
				f.ifThen()
				set(f, o.groupsLeft, woFull)
				f.loop() // over its whole groups but the last
				{
					o.group(add, relu, false)
					addConst(f, o.yg, 32)
					addConst(f, o.mg, 16)
					addConst(f, o.groupsLeft, -1)
					f.localGet(o.groupsLeft)
					f.brIf(0)
				}
				f.end()
				f.end()
				o.group(add, relu, true)
				addLocal(f, o.yi, o.row2)
				addLocal(f, o.mi, woTileRow)
				addConst(f, o.rowsLeft, -1)
				f.localGet(o.rowsLeft)
				f.brIf(0)
			}
			f.end()
			// The image's rows: back to its first, then on to the next
			// image's.
			f.localGet(o.yi)
			f.localGet(o.row2)
			f.localGet(woRows)
			f.i32Mul()
			f.i32Sub()
			f.localGet(woPlane)
			f.i32Add()
			f.localSet(o.yi)
			addConst(f, o.imagesLeft, -1)
			f.localGet(o.imagesLeft)
			f.brIf(0)
		}
		f.end()
		addLocal(f, o.yc, woChannel)
		addLocal(f, o.mc, woStride)
		addConst(f, woBias, 4)
		addConst(f, o.channelsLeft, -1)
		f.localGet(o.channelsLeft)
		f.brIf(0)
	}
	f.end()
	f.end()
}

// group emits the transform of the group of 4 tiles at the locals yg and
// mg: its tail values only when last.
func (o *winogradOutput) group(add, relu, last bool) {
	f := o.function
	// Aᵀ M: u[0][q] = (M[0][q] + M[1][q]) + M[2][q], u[1][q] = (M[1][q]
	// - M[2][q]) - M[3][q], M[a][q] the matrix 4a+q.
	set(f, o.mq, o.mg)
	for q := range 4 {
		for a, d := range []uint32{0, o.matrix4, o.matrix8, o.matrix12} {
			f.localGet(o.mq)
			if a > 0 {
				f.localGet(d)
				f.i32Add()
			}
			f.v128Load(0)
			f.localSet(o.m[a])
		}
		f.localGet(o.m[0])
		f.localGet(o.m[1])
		f.f32x4Add()
		f.localGet(o.m[2])
		f.f32x4Add()
		f.localSet(o.u[0][q])
		f.localGet(o.m[1])
		f.localGet(o.m[2])
		f.f32x4Sub()
		f.localGet(o.m[3])
		f.f32x4Sub()
		f.localSet(o.u[1][q])
		if q < 3 {
			addLocal(f, o.mq, woMatrix)
		}
	}
	// (Aᵀ M) A's row r, plus the bias: s0 = ((u[r][0] + u[r][1]) +
	// u[r][2]) + bias, s1 = ((u[r][1] - u[r][2]) - u[r][3]) + bias.
	for r := range 2 {
		u := o.u[r]
		f.localGet(u[0])
		f.localGet(u[1])
		f.f32x4Add()
		f.localGet(u[2])
		f.f32x4Add()
		f.localGet(o.bias)
		f.f32x4Add()
		f.localSet(o.s0)
		f.localGet(u[1])
		f.localGet(u[2])
		f.f32x4Sub()
		f.localGet(u[3])
		f.f32x4Sub()
		f.localGet(o.bias)
		f.f32x4Add()
		f.localSet(o.s1)
		// Tiles 0 and 1's values, then 2 and 3's.
		for h, lanes := range [2][4]byte{{0, 4, 1, 5}, {2, 6, 3, 7}} {
			at := func() {
				f.localGet(o.yg)
				if r == 1 {
					f.localGet(woRow)
					f.i32Add()
				}
			}
			off := uint32(16 * h)
			if add || last {
				at()
				f.v128Load(off)
				f.localSet(o.old)
			}
			at()
			if add {
				f.localGet(o.old)
			}
			f.localGet(o.s0)
			f.localGet(o.s1)
			f.i8x16Shuffle(floatLanes(lanes))
			if add {
				f.f32x4Add() // old + value, in that order
			}
			if relu {
				reluLanes(f, o.x)
			}
			if last {
				f.localGet(o.old)
				f.localGet(o.mask[h])
				f.v128Bitselect()
			}
			f.v128Store(off)
		}
	}
}

// addLocal2 sets the i32 local x to the sum of the i32 locals y and z.
func addLocal2(f *function, x, y, z uint32) {
	f.localGet(y)
	f.localGet(z)
	f.i32Add()
	f.localSet(x)
}
