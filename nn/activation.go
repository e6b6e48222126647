package nn

// ReLU is max(x, 0) element by element. It has no state-dict entries.
type ReLU struct {
	y, dx Tensor
}

// Forward returns max(x, 0); NaN stays NaN, so a diverging step is seen.
// (The built-in max is a function call per element under GOOS=js, a
// fifth of inference time there; the comparison inlines.)
func (r *ReLU) Forward(x *Tensor, train bool) *Tensor {
	r.y.Resize(x.Shape...)
	y := r.y.Data[:len(x.Data)]
	for i, v := range x.Data {
		if v <= 0 {
			v = 0
		}
		y[i] = v
	}
	return &r.y
}

// Backward passes dy where the output was positive.
func (r *ReLU) Backward(dy *Tensor) *Tensor {
	r.dx.Resize(dy.Shape...)
	y := r.y.Data[:len(dy.Data)]
	for i, d := range dy.Data {
		if y[i] > 0 {
			r.dx.Data[i] = d
		} else {
			r.dx.Data[i] = 0
		}
	}
	return &r.dx
}

// Params returns nothing.
func (r *ReLU) Params() []*Param { return nil }
