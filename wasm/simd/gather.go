package simd

// The parameters of the exported gather function, all i32, in order.
const (
	gDst    = iota // byte address of the first panel written
	gTable         // byte address of the rows' byte addresses, an i32 each
	gRows          // rows, the depth of a panel
	gPanels        // panels
	gDPS           // bytes from one panel written to the next
	nGatherParams
)

// gatherFunction returns gather(dst, table, rows, panels, dps), for
// rows, panels ≥ 1, the bulk of nn.GatherKernel: row p of the block,
// whose address is the p-th entry of table, goes 8 values at a time to
// row p of each of the panels panels:
//
//	dst + t*dps + 32*p  ←  table[p] + 32*t, 32 bytes
//
// Each row is read in order, two vector loads and two vector stores for
// every panel. It only moves bits.
func gatherFunction() *function {
	f := newFunction("gather", nGatherParams)
	var (
		src   = f.local(i32) // where the row is read
		dst   = f.local(i32) // where it is written, in the current panel
		panel = f.local(i32) // panels left for the row
	)
	f.loop() // over rows
	{
		f.localGet(gTable)
		f.i32Load(0)
		f.localSet(src)
		set(f, dst, gDst)
		set(f, panel, gPanels)
		f.loop() // over panels
		{
			for _, off := range []uint32{0, 16} {
				f.localGet(dst)
				f.localGet(src)
				f.v128Load(off)
				f.v128Store(off)
			}
			addConst(f, src, 32)
			addLocal(f, dst, gDPS)
			addConst(f, panel, -1)
			f.localGet(panel)
			f.brIf(0)
		}
		f.end()
		addConst(f, gTable, 4)
		addConst(f, gDst, 32)
		addConst(f, gRows, -1)
		f.localGet(gRows)
		f.brIf(0)
	}
	f.end()
	return f
}
