package simd

// The passes of nn.ChannelPasses, BatchNorm's over one channel of a
// batch: n planes of 4*vecs floats, stride bytes apart. Their i32
// parameters are the byte addresses of the planes' streams, then vecs,
// n, stride, and io, the byte address of float64 scalars: the inputs
// (float32 ones as float64, exactly) and, for the sums, the outputs.
//
// Each keeps nn's order: Go's loops sum a plane in four interleaved
// float64 partials (two for the gradient sums), which are the lanes of
// two f64x2 accumulators here (one), added up as Go adds them, and then
// to the channel's total plane after plane; the element-wise passes
// round every operation to float32, fusing none.

// channelFunction is a pass under construction: its parameters, and the
// loops over the planes and their vectors.
type channelFunction struct {
	*function
	streams              []uint32 // parameters: the streams' first planes
	vecs, n, stride, io  uint32   // parameters
	at                   []uint32 // the streams' current vectors
	vecsLeft, planesLeft uint32
}

// newChannelFunction starts a pass of the given name over streams
// streams of planes.
func newChannelFunction(name string, streams int) *channelFunction {
	f := &channelFunction{function: newFunction(name, streams+4)}
	for i := range streams {
		f.streams = append(f.streams, uint32(i))
	}
	s := uint32(streams)
	f.vecs, f.n, f.stride, f.io = s, s+1, s+2, s+3
	for range streams {
		f.at = append(f.at, f.local(i32))
	}
	f.vecsLeft, f.planesLeft = f.local(i32), f.local(i32)
	return f
}

// scalar pushes io's float64 i, as a float32 when single.
func (f *channelFunction) scalar(i int, single bool) {
	f.localGet(f.io)
	f.f64Load(uint32(8 * i))
	if single {
		f.f32DemoteF64()
	}
}

// splat returns a new v128 local holding io's float64 i in each lane,
// as 4 float32s when single, else 2 float64s.
func (f *channelFunction) splat(i int, single bool) uint32 {
	v := f.local(v128)
	f.scalar(i, single)
	if single {
		f.f32x4Splat()
	} else {
		f.f64x2Splat()
	}
	f.localSet(v)
	return v
}

// planes emits the loop over the planes: before(), then for each vector
// body(), with the streams' current vectors at f.at, then after().
func (f *channelFunction) planes(before, body, after func()) {
	f.localGet(f.n)
	f.localSet(f.planesLeft)
	f.loop()
	{
		for i, s := range f.streams {
			set(f.function, f.at[i], s)
		}
		set(f.function, f.vecsLeft, f.vecs)
		before()
		f.loop()
		{
			body()
			for _, a := range f.at {
				addConst(f.function, a, 16)
			}
			addConst(f.function, f.vecsLeft, -1)
			f.localGet(f.vecsLeft)
			f.brIf(0)
		}
		f.end()
		after()
		for _, s := range f.streams {
			addLocal(f.function, s, f.stride)
		}
		addConst(f.function, f.planesLeft, -1)
		f.localGet(f.planesLeft)
		f.brIf(0)
	}
	f.end()
}

// load pushes the current vector of stream i.
func (f *channelFunction) load(i int) {
	f.localGet(f.at[i])
	f.v128Load(0)
}

// highHalf is the shuffle that moves float lanes 2 and 3 to 0 and 1.
var highHalf = floatLanes([4]byte{2, 3, 2, 3})

// accumulate adds to the f64x2 local acc the float64s of lanes 0 and 1
// (high: 2 and 3) of the f32x4 local v, transformed by op (which finds
// them on the stack and leaves an f64x2).
func (f *channelFunction) accumulate(acc, v uint32, high bool, op func()) {
	f.localGet(acc)
	f.localGet(v)
	if high {
		f.localGet(v)
		f.i8x16Shuffle(highHalf)
	}
	f.f64x2PromoteLowF32x4()
	op()
	f.f64x2Add()
	f.localSet(acc)
}

// addLanes pushes lane 0 + lane 1 of the f64x2 local v.
func (f *channelFunction) addLanes(v uint32) {
	f.localGet(v)
	f.f64x2ExtractLane(0)
	f.localGet(v)
	f.f64x2ExtractLane(1)
	f.f64Add()
}

// addTo adds the float64 on the stack to the f64 local t.
func (f *channelFunction) addTo(t uint32) {
	f.localSet(f.local(f64))
	f.localGet(t)
	f.localGet(uint32(f.params + len(f.locals) - 1))
	f.f64Add()
	f.localSet(t)
}

// store stores the f64 local t as io's float64 i.
func (f *channelFunction) store(i int, t uint32) {
	f.localGet(f.io)
	f.localGet(t)
	f.f64Store(uint32(8 * i))
}

// sumFunction returns the pass of nn.ChannelPasses.Sum (channelSum(x,
// vecs, n, stride, io)), or with deviations that of SquaredDeviations
// (channelSquares: the mean in io[0]). The result goes to io[1].
func sumFunction(deviations bool) *function {
	name := map[bool]string{false: "channelSum", true: "channelSquares"}[deviations]
	f := newChannelFunction(name, 1)
	var mean uint32
	if deviations {
		mean = f.splat(0, false)
	}
	t, q := f.local(f64), f.local(v128)
	acc := [2]uint32{f.local(v128), f.local(v128)} // partials 0 and 1, 2 and 3
	op := func() {}
	if deviations {
		d := f.local(v128)
		op = func() {
			f.localGet(mean)
			f.f64x2Sub()
			f.localSet(d)
			f.localGet(d)
			f.localGet(d)
			f.f64x2Mul()
		}
	}
	f.f64Zero()
	f.localSet(t)
	f.planes(func() {
		for _, a := range acc {
			f.v128Zero()
			f.localSet(a)
		}
	}, func() {
		f.load(0)
		f.localSet(q)
		f.accumulate(acc[0], q, false, op)
		f.accumulate(acc[1], q, true, op)
	}, func() {
		// (a0 + a1) + (a2 + a3)
		f.addLanes(acc[0])
		f.addLanes(acc[1])
		f.f64Add()
		f.addTo(t)
	})
	f.store(1, t)
	return f.function
}

// gradientSumsFunction returns channelGradientSums(dy, x, vecs, n,
// stride, io), the pass of nn.ChannelPasses.GradientSums: mean and
// invStd in io[0] and io[1], the sums of dy and dy*xhat to io[2] and
// io[3].
func gradientSumsFunction() *function {
	f := newChannelFunction("channelGradientSums", 2)
	mean, inv := f.splat(0, true), f.splat(1, true)
	sdy, sdyx := f.local(f64), f.local(f64)
	d, h := f.local(v128), f.local(v128)
	a, b := f.local(v128), f.local(v128) // partials of dy, and of dy*xhat, even and odd
	for _, t := range []uint32{sdy, sdyx} {
		f.f64Zero()
		f.localSet(t)
	}
	f.planes(func() {
		for _, v := range []uint32{a, b} {
			f.v128Zero()
			f.localSet(v)
		}
	}, func() {
		f.load(0)
		f.localSet(d)
		// xhat = (x - mean)*invStd, in float32
		f.load(1)
		f.localGet(mean)
		f.f32x4Sub()
		f.localGet(inv)
		f.f32x4Mul()
		f.localSet(h)
		for _, high := range []bool{false, true} {
			f.accumulate(a, d, high, func() {})
			f.accumulate(b, d, high, func() {
				f.localGet(h)
				if high {
					f.localGet(h)
					f.i8x16Shuffle(highHalf)
				}
				f.f64x2PromoteLowF32x4()
				f.f64x2Mul()
			})
		}
	}, func() {
		f.addLanes(a)
		f.addTo(sdy)
		f.addLanes(b)
		f.addTo(sdyx)
	})
	f.store(2, sdy)
	f.store(3, sdyx)
	return f.function
}

// affineFunction returns channelAffine(y, x, vecs, n, stride, io), the
// pass of nn.ChannelPasses.Affine: y = x*scale + shift, scale and shift
// in io[0] and io[1].
func affineFunction() *function {
	f := newChannelFunction("channelAffine", 2)
	scale, shift := f.splat(0, true), f.splat(1, true)
	f.planes(func() {}, func() {
		f.localGet(f.at[0])
		f.load(1)
		f.localGet(scale)
		f.f32x4Mul()
		f.localGet(shift)
		f.f32x4Add()
		f.v128Store(0)
	}, func() {})
	return f.function
}

// inputGradientFunction returns channelInputGradient(dx, dy, x, vecs,
// n, stride, io), the pass of nn.ChannelPasses.InputGradient: dx =
// (a*dy - mdy) - xhat*mdyx, with a, mdy, mdyx, mean and invStd in io[0]
// to io[4].
func inputGradientFunction() *function {
	f := newChannelFunction("channelInputGradient", 3)
	a, mdy, mdyx := f.splat(0, true), f.splat(1, true), f.splat(2, true)
	mean, inv := f.splat(3, true), f.splat(4, true)
	f.planes(func() {}, func() {
		f.localGet(f.at[0])
		f.localGet(a)
		f.load(1)
		f.f32x4Mul()
		f.localGet(mdy)
		f.f32x4Sub()
		f.load(2)
		f.localGet(mean)
		f.f32x4Sub()
		f.localGet(inv)
		f.f32x4Mul()
		f.localGet(mdyx)
		f.f32x4Mul()
		f.f32x4Sub()
		f.v128Store(0)
	}, func() {})
	return f.function
}
