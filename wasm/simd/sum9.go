package simd

// The parameters of the exported sum9 function, all i32, in order.
const (
	nDst     = iota // byte address of the first plane's first sum
	nVectors        // vectors of 4 sums a plane, ≥ 1
	nTerms          // byte address of the first plane's terms
	nOffsets        // then nine offsets from it, in bytes, one a term
)

const (
	nPlanes     = nOffsets + 9 + iota // planes, ≥ 1
	nDstPlane                         // bytes from one plane's sums to the next
	nTermsPlane                       // from one plane's terms to the next
	nSum9Params
)

// sum9Function returns sum9(d, vectors, terms, o0, …, o8, planes,
// dPlane, termsPlane), nn.Sum9Kernel on f32x4 vectors: each lane of a
// plane's sums is ((t0 + t1) + t2) + ((t3 + t4) + t5) + ((t6 + t7) +
// t8), term t at the plane's terms + o_t, in the order of col2im's Go
// loop.
func sum9Function() *function {
	f := newFunction("sum9", nSum9Params)
	var (
		d, t = f.local(i32), f.local(i32) // the current vector's
		left = f.local(i32)               // vectors left in the plane
	)
	f.loop() // over planes
	{
		set(f, d, nDst)
		set(f, t, nTerms)
		set(f, left, nVectors)
		f.loop() // over the plane's vectors
		{
			f.localGet(d)
			for g := range 3 {
				for k := range 3 {
					f.localGet(t)
					f.localGet(uint32(nOffsets + 3*g + k))
					f.i32Add()
					f.v128Load(0)
					if k > 0 {
						f.f32x4Add()
					}
				}
				if g > 0 {
					f.f32x4Add()
				}
			}
			f.v128Store(0)
			addConst(f, d, 16)
			addConst(f, t, 16)
			addConst(f, left, -1)
			f.localGet(left)
			f.brIf(0)
		}
		f.end()
		addLocal(f, nDst, nDstPlane)
		addLocal(f, nTerms, nTermsPlane)
		addConst(f, nPlanes, -1)
		f.localGet(nPlanes)
		f.brIf(0)
	}
	f.end()
	return f
}
