package nn

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Linear is y = x·weightᵀ + bias, like torch.nn.Linear. Its state-dict
// names are "weight" ([out, in]) and "bias" ([out]).
type Linear struct {
	In, Out      int
	Weight, Bias *Param

	x     *Tensor
	y, dx Tensor
	gemm  GemmBuffer
}

// NewLinear returns a linear layer initialized as PyTorch does: weight
// and bias uniform in ±1/sqrt(in), drawn from rng.
func NewLinear(in, out int, rng *rand.Rand) *Linear {
	l := &Linear{In: in, Out: out}
	l.Weight = newParam("weight", out, in)
	l.Bias = newParam("bias", out)
	bound := 1 / math.Sqrt(float64(in))
	uniform(l.Weight.Value.Data, bound, rng)
	uniform(l.Bias.Value.Data, bound, rng)
	return l
}

// Params returns weight and bias.
func (l *Linear) Params() []*Param { return []*Param{l.Weight, l.Bias} }

// Forward computes y (N, Out) from x (N, In).
func (l *Linear) Forward(x *Tensor, train bool) *Tensor {
	if len(x.Shape) != 2 || x.Shape[1] != l.In {
		panic(fmt.Sprintf("nn: Linear of %d inputs got input %v", l.In, x.Shape))
	}
	n := x.Shape[0]
	l.y.Resize(n, l.Out)
	Gemm(&l.gemm, false, true, n, l.Out, l.In, x.Data, l.In, l.Weight.Value.Data, l.In, l.y.Data, l.Out, false)
	for i := 0; i < n; i++ {
		row := l.y.Data[i*l.Out : (i+1)*l.Out]
		for j, b := range l.Bias.Value.Data {
			row[j] += b
		}
	}
	if train {
		l.x = x
	}
	return &l.y
}

// Backward adds dL/dweight = dyᵀ·x and dL/dbias and returns dL/dx = dy·weight.
func (l *Linear) Backward(dy *Tensor) *Tensor {
	n := dy.Shape[0]
	Gemm(&l.gemm, true, false, l.Out, l.In, n, dy.Data, l.Out, l.x.Data, l.In, l.Weight.Grad, l.In, true)
	for i := 0; i < n; i++ {
		for j, d := range dy.Data[i*l.Out : (i+1)*l.Out] {
			l.Bias.Grad[j] += d
		}
	}
	l.dx.Resize(n, l.In)
	Gemm(&l.gemm, false, false, n, l.In, l.Out, dy.Data, l.Out, l.Weight.Value.Data, l.In, l.dx.Data, l.In, false)
	return &l.dx
}
