package simd

// The parameters of the exported relu and reluBackward functions, all
// i32, in order: byte addresses, then the number of vectors of 4 floats.
const (
	rOut = iota // dst (relu) or dx (reluBackward)
	rIn         // src (relu) or dy (reluBackward)
	rY          // y (reluBackward), or b (add and addReLU, whose a is rIn)
)

// reluFunction returns relu(dst, src, n), nn.ReLUKernels' Forward on n ≥
// 1 vectors: each lane is src &^ (src <= 0), so that zeros of either
// sign and negatives become +0 and NaN (never <= 0) keeps its bits, as
// nn's Go loop gives.
func reluFunction() *function {
	f := newFunction("relu", 3)
	x := f.local(v128)
	f.loop()
	{
		f.localGet(rOut)
		f.localGet(rIn)
		f.v128Load(0)
		reluLanes(f, x)
		f.v128Store(0)
		stepVectors(f, rOut, rIn, 2)
	}
	f.end()
	return f
}

// reluRunsFunction returns reluRuns(x, n, runs, stride), nn.ReLUKernels'
// Runs on runs ≥ 1 runs of n ≥ 1 vectors, stride bytes apart, in place,
// each lane as relu computes it.
func reluRunsFunction() *function {
	f := newFunction("reluRuns", 4)
	const base, vectors, runs, stride = 0, 1, 2, 3
	var (
		at   = f.local(i32) // the vector in the run
		left = f.local(i32) // vectors left in the run
		x    = f.local(v128)
	)
	f.loop() // over runs
	{
		set(f, at, base)
		set(f, left, vectors)
		f.loop() // over the run's vectors
		{
			f.localGet(at)
			f.localGet(at)
			f.v128Load(0)
			reluLanes(f, x)
			f.v128Store(0)
			stepVectors(f, at, at, left)
		}
		f.end()
		addLocal(f, base, stride)
		addConst(f, runs, -1)
		f.localGet(runs)
		f.brIf(0)
	}
	f.end()
	return f
}

// reluBackwardFunction returns reluBackward(dx, dy, y, n),
// nn.ReLUKernels' Backward on n ≥ 1 vectors: each lane is dy & (y's bits
// != 0).
func reluBackwardFunction() *function {
	f := newFunction("reluBackward", 4)
	f.loop()
	{
		f.localGet(rOut)
		f.localGet(rIn)
		f.v128Load(0)
		f.localGet(rY)
		f.v128Load(0)
		f.v128Zero()
		f.i32x4Ne()
		f.v128And()
		f.v128Store(0)
		stepVectors(f, rOut, rY, 3)
	}
	f.end()
	return f
}

// addFunction returns add(dst, a, b, n), nn.ReLUKernels' Sum on n ≥ 1
// vectors, each lane a + b; or with relu addReLU(dst, a, b, n), its
// ForwardSum, each lane relu's of a + b.
func addFunction(relu bool) *function {
	name := "add"
	if relu {
		name = "addReLU"
	}
	f := newFunction(name, 4)
	x := f.local(v128)
	f.loop()
	{
		f.localGet(rOut)
		f.localGet(rIn)
		f.v128Load(0)
		f.localGet(rY)
		f.v128Load(0)
		f.f32x4Add()
		if relu {
			reluLanes(f, x)
		}
		f.v128Store(0)
		stepVectors(f, rOut, rY, 3)
	}
	f.end()
	return f
}

// reluLanes replaces the vector on top of the stack with relu's of its
// lanes, src &^ (src <= 0), using the v128 local x: zeros of either sign
// and negatives become +0, and NaN (never <= 0) keeps its bits.
func reluLanes(f *function, x uint32) {
	f.localSet(x)
	f.localGet(x)
	f.localGet(x)
	f.v128Zero()
	f.f32x4Le()
	f.v128AndNot()
}

// stepVectors ends an element-wise loop over vectors: it moves the
// address parameters first to last on by 16 bytes, counts down the
// vectors left, parameter count, and branches back while some are.
func stepVectors(f *function, first, last, count uint32) {
	for x := first; x <= last; x++ {
		addConst(f, x, 16)
	}
	addConst(f, count, -1)
	f.localGet(count)
	f.brIf(0)
}
