package nn

// Layer is one differentiable step of a network.
type Layer interface {
	// Forward computes the output for x. In training mode layers use batch
	// statistics and remember what Backward needs. The result is owned by
	// the layer and valid until its next Forward.
	Forward(x *Tensor, train bool) *Tensor
	// Backward takes dy, the gradient of the loss with respect to the last
	// training Forward's output, adds the parameter gradients into each
	// Param.Grad and returns the gradient with respect to the input, owned
	// by the layer.
	Backward(dy *Tensor) *Tensor
	// Params returns the layer's state: trainable parameters and buffers,
	// named as in a PyTorch state dict relative to the layer.
	Params() []*Param
}

// Param is one named piece of a layer's state.
type Param struct {
	// Name is the PyTorch state-dict name, relative to its owner until
	// a container prefixes it (for example "weight", then "conv1.weight").
	Name string
	// Value holds the parameter or buffer itself.
	Value *Tensor
	// Grad has the shape of Value for trainable parameters, and is nil for
	// buffers such as BatchNorm's running statistics.
	Grad []float32
	// Integer marks buffers that PyTorch stores as int64
	// (num_batches_tracked).
	Integer bool
}

// Trainable reports whether the optimizer updates p.
func (p *Param) Trainable() bool { return p.Grad != nil }

func newParam(name string, shape ...int) *Param {
	t := NewTensor(shape...)
	return &Param{Name: name, Value: t, Grad: make([]float32, t.Len())}
}

func newBuffer(name string, shape ...int) *Param {
	return &Param{Name: name, Value: NewTensor(shape...)}
}

// prefixed returns copies of ps whose names start with prefix and a dot.
// The copies share their tensors with the originals.
func prefixed(prefix string, ps []*Param) []*Param {
	out := make([]*Param, len(ps))
	for i, p := range ps {
		q := *p
		q.Name = prefix + "." + p.Name
		out[i] = &q
	}
	return out
}

// ZeroGrad sets the gradients of ps to zero.
func ZeroGrad(ps []*Param) {
	for _, p := range ps {
		clear32(p.Grad)
	}
}

// Sequential applies layers one after another. Its state-dict names are
// the given names of its layers, as in torch.nn.Sequential or a module's
// attributes.
type Sequential struct {
	Names  []string
	Layers []Layer
}

// Forward runs every layer in order.
func (s *Sequential) Forward(x *Tensor, train bool) *Tensor {
	for _, l := range s.Layers {
		x = l.Forward(x, train)
	}
	return x
}

// Backward runs every layer's Backward in reverse order.
func (s *Sequential) Backward(dy *Tensor) *Tensor {
	for i := len(s.Layers) - 1; i >= 0; i-- {
		dy = s.Layers[i].Backward(dy)
	}
	return dy
}

// Params returns the layers' state, each name prefixed by its layer's
// name; layers with an empty name contribute unprefixed names.
func (s *Sequential) Params() []*Param {
	var ps []*Param
	for i, l := range s.Layers {
		if s.Names[i] == "" {
			ps = append(ps, l.Params()...)
			continue
		}
		ps = append(ps, prefixed(s.Names[i], l.Params())...)
	}
	return ps
}
