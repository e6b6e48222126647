package nn

import (
	"fmt"
	"math/rand/v2"
)

// Config describes a CIFAR-style ResNet: a 3×3 stem, stages of basic
// blocks that double the width and halve the size from the second stage
// on, global average pooling and a linear classifier.
type Config struct {
	// InputSize is the side of the square input images (32 for the
	// reference).
	InputSize int `json:"input_size"`
	// Width is the stem's and first stage's channel count (16).
	Width int `json:"width"`
	// Stages lists the number of blocks per stage ([2, 2, 2]).
	Stages []int `json:"stages"`
	// Shortcut is the downsampling shortcut: "conv3x3" (the reference's
	// 3×3 stride-2 convolution plus BatchNorm) or "conv1x1".
	Shortcut string `json:"shortcut"`
	// Classes is the number of outputs (6).
	Classes int `json:"classes"`
}

// Reference is the network of the reference notebook, "ResNet-14":
// 195,478 trainable parameters.
func Reference() Config {
	return Config{InputSize: 32, Width: 16, Stages: []int{2, 2, 2}, Shortcut: "conv3x3", Classes: 6}
}

// Name returns a short name such as "resnet14": the number of layers with
// weights on the main path.
func (c Config) Name() string {
	n := 2
	for _, b := range c.Stages {
		n += 2 * b
	}
	return fmt.Sprintf("resnet%d", n)
}

// Validate reports whether c describes a network that can be built.
func (c Config) Validate() error {
	switch {
	case c.InputSize < 1 || c.InputSize > MaxInputSize:
		return fmt.Errorf("nn: input size %d out of range [1, %d]", c.InputSize, MaxInputSize)
	case c.Width < 1 || c.Width > MaxWidth:
		return fmt.Errorf("nn: width %d out of range [1, %d]", c.Width, MaxWidth)
	case c.Classes < 2 || c.Classes > 100000:
		return fmt.Errorf("nn: %d classes, want 2 to 100000", c.Classes)
	case c.Shortcut != "conv3x3" && c.Shortcut != "conv1x1":
		return fmt.Errorf("nn: unknown shortcut %q, want conv3x3 or conv1x1", c.Shortcut)
	}
	if err := checkStages(c.Stages); err != nil {
		return fmt.Errorf("nn: %w", err)
	}
	return nil
}

// ResNet is the whole network: stem, stages of blocks, pooling and the
// classifier. Its state-dict names are those of the reference notebook:
// conv.*, bn.*, layer<s>.<b>.*, fc.*.
type ResNet struct {
	Config Config
	net    Sequential
	params []*Param
	infer  *inference // Infer's form of the network, made at its first call
}

// NewResNet builds the network described by cfg with PyTorch's default
// initialization drawn from rng.
func NewResNet(cfg Config, rng *rand.Rand) (*ResNet, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &ResNet{Config: cfg}
	add := func(name string, l Layer) {
		r.net.Names = append(r.net.Names, name)
		r.net.Layers = append(r.net.Layers, l)
	}
	add("conv", NewConv2D(3, cfg.Width, 3, 1, 1, false, rng))
	add("bn", NewBatchNorm2D(cfg.Width))
	add("", &ReLU{})
	in := cfg.Width
	for s, blocks := range cfg.Stages {
		out := cfg.Width << s
		stage := &Sequential{}
		for b := 0; b < blocks; b++ {
			stride := 1
			if s > 0 && b == 0 {
				stride = 2
			}
			stage.Names = append(stage.Names, fmt.Sprint(b))
			stage.Layers = append(stage.Layers, NewBlock(in, out, stride, cfg.Shortcut, rng))
			in = out
		}
		add(fmt.Sprintf("layer%d", s+1), stage)
	}
	add("", &GlobalAvgPool{})
	add("fc", NewLinear(in, cfg.Classes, rng))
	r.params = r.net.Params()
	return r, nil
}

// Forward returns the logits (N, Classes) for x (N, 3, S, S).
func (r *ResNet) Forward(x *Tensor, train bool) *Tensor { return r.net.Forward(x, train) }

// Backward takes dL/dlogits, adds every parameter's gradient and returns
// dL/dx.
func (r *ResNet) Backward(dy *Tensor) *Tensor { return r.net.Backward(dy) }

// backwardParams is Backward without dL/dx, which training does not use:
// the stem adds its parameters' gradients and computes no input
// gradient.
func (r *ResNet) backwardParams(dy *Tensor) {
	ls := r.net.Layers
	for i := len(ls) - 1; i > 0; i-- {
		dy = ls[i].Backward(dy)
	}
	ls[0].(*Conv2D).backward(dy, false)
}

// Params returns the whole state in state-dict order.
func (r *ResNet) Params() []*Param { return r.params }

// NumParams returns the number of trainable values.
func (r *ResNet) NumParams() int {
	n := 0
	for _, p := range r.params {
		if p.Trainable() {
			n += p.Value.Len()
		}
	}
	return n
}

// Block is a basic residual block: conv3×3 (carrying the stride), BN,
// ReLU, conv3×3, BN, plus the shortcut, then ReLU. Its state-dict names
// are conv1, bn1, conv2, bn2 and, for a projection shortcut,
// downsample.0 (convolution) and downsample.1 (BN).
type Block struct {
	main     Sequential
	shortcut *Sequential // nil for the identity
	relu     ReLU
	sum, dx  Tensor
}

// NewBlock returns a block from in to out channels. The shortcut is the
// identity when the shape is unchanged, else a convolution of the given
// kind ("conv3x3" or "conv1x1") with BN.
func NewBlock(in, out, stride int, shortcut string, rng *rand.Rand) *Block {
	b := &Block{main: Sequential{
		Names: []string{"conv1", "bn1", "", "conv2", "bn2"},
		Layers: []Layer{
			NewConv2D(in, out, 3, stride, 1, false, rng), NewBatchNorm2D(out), &ReLU{},
			NewConv2D(out, out, 3, 1, 1, false, rng), NewBatchNorm2D(out),
		},
	}}
	if stride != 1 || in != out {
		k, pad := 3, 1
		if shortcut == "conv1x1" {
			k, pad = 1, 0
		}
		b.shortcut = &Sequential{
			Names:  []string{"0", "1"},
			Layers: []Layer{NewConv2D(in, out, k, stride, pad, false, rng), NewBatchNorm2D(out)},
		}
	}
	return b
}

// Forward returns relu(main(x) + shortcut(x)).
func (b *Block) Forward(x *Tensor, train bool) *Tensor {
	y := b.main.Forward(x, train)
	s := x
	if b.shortcut != nil {
		s = b.shortcut.Forward(x, train)
	}
	return b.relu.forwardSum(y, s, &b.sum)
}

// Backward returns the sum of the gradients through both paths.
func (b *Block) Backward(dy *Tensor) *Tensor {
	d := b.relu.Backward(dy)
	dmain := b.main.Backward(d)
	ds := d
	if b.shortcut != nil {
		ds = b.shortcut.Backward(d)
	}
	b.dx.Resize(dmain.Shape...)
	add(b.dx.Data, dmain.Data, ds.Data)
	return &b.dx
}

// Params returns the main path's state, then the shortcut's.
func (b *Block) Params() []*Param {
	ps := b.main.Params()
	if b.shortcut != nil {
		ps = append(ps, prefixed("downsample", b.shortcut.Params())...)
	}
	return ps
}
