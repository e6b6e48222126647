package nn

import "fmt"

// Infer returns the logits (N, Classes) for x (N, 3, S, S), as
// Forward(x, false) does to rounding, faster: every BatchNorm is folded
// into the convolution before it, ReLU and the residual sums happen as
// the products store their results, and each convolution is one product
// over many images in the padded layout (see padded). The folding is
// redone from the current parameters at every call. The result is owned
// by r and valid until its next Infer.
func (r *ResNet) Infer(x *Tensor) *Tensor {
	if r.infer == nil {
		r.infer = newInference(r)
	}
	return r.infer.forward(x)
}

// inference is the network as Infer runs it, with its buffers.
type inference struct {
	stem   *inferConv
	width  int // the stem's output channels
	blocks []*inferBlock
	fc     *Linear

	in, stemOut padded
	scratch     convScratch // every convolution's, in turn
	features    Tensor      // (N, C) of the global average pooling
	logits      Tensor
	gemm        GemmBuffer
}

// inferGroup is the number of images Infer takes through the whole
// network at a time, so that their activations stay in the cache.
const inferGroup = 16

// newInference compiles r, a network built by NewResNet. It panics on any
// other structure.
func newInference(r *ResNet) *inference {
	l := r.net.Layers
	if len(l) < 6 {
		panic(fmt.Sprintf("nn: Infer: %d layers, not a ResNet", len(l)))
	}
	stem := l[0].(*Conv2D)
	inf := &inference{
		stem:  newInferConv([]*Conv2D{stem}, []*BatchNorm2D{l[1].(*BatchNorm2D)}),
		width: stem.Out,
		fc:    l[len(l)-1].(*Linear),
	}
	_ = l[2].(*ReLU)
	_ = l[len(l)-2].(*GlobalAvgPool)
	for _, stage := range l[3 : len(l)-2] {
		for _, b := range stage.(*Sequential).Layers {
			inf.blocks = append(inf.blocks, newInferBlock(b.(*Block)))
		}
	}
	return inf
}

// forward is Infer.
func (inf *inference) forward(x *Tensor) *Tensor {
	n, ch, h, w := dims4(x)
	if ch != inf.stem.In {
		panic(fmt.Sprintf("nn: Infer of %d input channels got input %v", inf.stem.In, x.Shape))
	}
	inf.stem.fold()
	for _, b := range inf.blocks {
		b.fold()
	}
	inf.features.Resize(n, inf.fc.In)
	for n0 := 0; n0 < n; n0 += inferGroup {
		g := min(inferGroup, n-n0)
		inf.in.resize(ch, g, h, w)
		pad(&inf.in, x.Data[n0*ch*h*w:(n0+g)*ch*h*w])
		inf.stemOut.resizeOutput(inf.width, g, inf.stem.outSize(h), inf.stem.outSize(w))
		inf.stem.forward(&inf.stemOut, &inf.in, false, inf.width, &inf.scratch)
		a := &inf.stemOut
		for _, b := range inf.blocks {
			a = b.forward(a, &inf.scratch)
		}
		if a.C != inf.fc.In {
			panic(fmt.Sprintf("nn: Infer: %d channels reach a classifier of %d inputs", a.C, inf.fc.In))
		}
		averagePlanes(inf.features.Data[n0*a.C:(n0+g)*a.C], a)
	}
	// logits = features · fcᵀ + bias, as Linear.Forward computes them.
	k := inf.fc.Out
	inf.logits.Resize(n, k)
	Gemm(&inf.gemm, false, true, n, k, inf.fc.In, inf.features.Data, inf.fc.In, inf.fc.Weight.Value.Data, inf.fc.In, inf.logits.Data, k, false)
	for i := 0; i < n; i++ {
		row := inf.logits.Data[i*k : (i+1)*k]
		for j, b := range inf.fc.Bias.Value.Data {
			row[j] += b
		}
	}
	return &inf.logits
}

// pad sets the inside of a, whose borders are zero, to the NCHW images x.
func pad(a *padded, x []float32) {
	for n := 0; n < a.N; n++ {
		for c := 0; c < a.C; c++ {
			src := x[(n*a.C+c)*a.H*a.W:]
			dst := a.Data[a.at(c, n):]
			for y := 0; y < a.H; y++ {
				copy(dst[(y+1)*(a.W+1):(y+1)*(a.W+1)+a.W], src[y*a.W:(y+1)*a.W])
			}
		}
	}
}

// averagePlanes sets dst, (N, C), to the mean of each plane of a, summed
// in GlobalAvgPool's order.
func averagePlanes(dst []float32, a *padded) {
	hw := float32(a.H * a.W)
	for c := 0; c < a.C; c++ {
		for n := 0; n < a.N; n++ {
			plane := a.Data[a.at(c, n):]
			var s float32
			for y := 1; y <= a.H; y++ {
				for _, v := range plane[y*(a.W+1) : y*(a.W+1)+a.W] {
					s += v
				}
			}
			dst[n*a.C+c] = s / hw
		}
	}
}

// inferBlock is a Block as Infer runs it: relu(conv2(relu(conv1(x))) +
// shortcut(x)), the convolutions with their BatchNorms.
type inferBlock struct {
	out   int        // output channels
	conv1 *inferConv // with a projection shortcut of the same geometry appended
	conv2 *inferConv
	// shortcut is a projection shortcut of another geometry than conv1's;
	// joined tells whether conv1 computes the shortcut; with neither, it
	// is the identity.
	shortcut *inferConv
	joined   bool

	h, s              padded // conv1's output (with the shortcut's when joined), and the shortcut's
	mainView, sumView padded // conv1's and the shortcut's channels of h, when joined
}

// newInferBlock compiles b.
func newInferBlock(b *Block) *inferBlock {
	m := b.main.Layers
	c1, c2 := m[0].(*Conv2D), m[3].(*Conv2D)
	bn1, bn2 := m[1].(*BatchNorm2D), m[4].(*BatchNorm2D)
	_ = m[2].(*ReLU)
	ib := &inferBlock{out: c2.Out, conv2: newInferConv([]*Conv2D{c2}, []*BatchNorm2D{bn2})}
	if b.shortcut == nil {
		ib.conv1 = newInferConv([]*Conv2D{c1}, []*BatchNorm2D{bn1})
		return ib
	}
	sc, sbn := b.shortcut.Layers[0].(*Conv2D), b.shortcut.Layers[1].(*BatchNorm2D)
	if sc.Kernel == c1.Kernel && sc.Stride == c1.Stride && sc.Pad == c1.Pad {
		ib.conv1 = newInferConv([]*Conv2D{c1, sc}, []*BatchNorm2D{bn1, sbn})
		ib.joined = true
		return ib
	}
	ib.conv1 = newInferConv([]*Conv2D{c1}, []*BatchNorm2D{bn1})
	ib.shortcut = newInferConv([]*Conv2D{sc}, []*BatchNorm2D{sbn})
	return ib
}

// fold folds the block's BatchNorms into its convolutions.
func (b *inferBlock) fold() {
	b.conv1.fold()
	b.conv2.fold()
	if b.shortcut != nil {
		b.shortcut.fold()
	}
}

// forward returns the block's output for x, which has zero borders, in
// padded form with zero borders. It may overwrite x and return it. s is
// scratch space for inferConv.forward.
func (b *inferBlock) forward(x *padded, s *convScratch) *padded {
	ho, wo := b.conv1.outSize(x.H), b.conv1.outSize(x.W)
	b.h.resizeOutput(b.conv1.Out, x.N, ho, wo)
	b.conv1.forward(&b.h, x, false, b.out, s)
	main, sum := &b.h, x // conv2 adds into the shortcut's output, sum
	switch {
	case b.joined:
		b.mainView, b.sumView = b.h.channels(0, b.out), b.h.channels(b.out, 2*b.out)
		main, sum = &b.mainView, &b.sumView
	case b.shortcut != nil:
		b.s.resizeOutput(b.out, x.N, ho, wo)
		b.shortcut.forward(&b.s, x, false, 0, s)
		sum = &b.s
	}
	b.conv2.forward(sum, main, true, b.out, s)
	return sum
}
