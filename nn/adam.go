package nn

import "math"

// Adam is torch.optim.Adam with coupled L2 weight decay (amsgrad off,
// not AdamW): for each trainable parameter p with gradient g, at step t,
//
//	g = g + WeightDecay*p
//	m = Beta1*m + (1-Beta1)*g
//	v = Beta2*v + (1-Beta2)*g*g
//	p = p - LR/(1-Beta1^t) * m / (sqrt(v)/sqrt(1-Beta2^t) + Eps)
//
// LR and Beta1 may change between steps (a schedule sets them); the bias
// correction uses the current Beta1, as PyTorch does. Arithmetic on the
// tensors is float32 in PyTorch's order; scalars are float64.
type Adam struct {
	// LR is the learning rate (PyTorch default 1e-3).
	LR float64
	// Beta1 and Beta2 are the moment decay rates (0.9, 0.999).
	Beta1, Beta2 float64
	// Eps is added to the denominator (1e-8).
	Eps float64
	// WeightDecay is the L2 coefficient added to the gradient (0).
	WeightDecay float64

	params []*Param
	m, v   [][]float32
	t      int
}

// NewAdam returns Adam over the trainable parameters in ps with
// PyTorch's defaults: LR 1e-3, betas (0.9, 0.999), eps 1e-8, no weight
// decay.
func NewAdam(ps []*Param) *Adam {
	a := &Adam{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8}
	for _, p := range ps {
		if p.Trainable() {
			a.params = append(a.params, p)
			a.m = append(a.m, make([]float32, len(p.Grad)))
			a.v = append(a.v, make([]float32, len(p.Grad)))
		}
	}
	return a
}

// Steps returns the number of steps taken.
func (a *Adam) Steps() int { return a.t }

// Step updates every parameter from its gradient. The gradients are not
// changed.
func (a *Adam) Step() {
	a.t++
	t := float64(a.t)
	stepSize := float32(a.LR / (1 - math.Pow(a.Beta1, t)))
	bc2 := float32(math.Sqrt(1 - math.Pow(a.Beta2, t)))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	wd, eps := float32(a.WeightDecay), float32(a.Eps)
	for i, p := range a.params {
		w := p.Value.Data
		m, v := a.m[i][:len(w)], a.v[i][:len(w)]
		for j, g := range p.Grad[:len(w)] {
			if wd != 0 {
				g += wd * w[j]
			}
			m[j] = m[j]*b1 + g*(1-b1)
			v[j] = v[j]*b2 + g*g*(1-b2)
			denom := sqrt32(v[j])/bc2 + eps
			w[j] += -stepSize * (m[j] / denom)
		}
	}
}

// State returns the optimizer's moments and step count, for saving a run.
// The slices are the optimizer's own.
func (a *Adam) State() (m, v [][]float32, steps int) { return a.m, a.v, a.t }

// SetState restores what State returned. It reports false, changing
// nothing, when the shapes do not match the parameters.
func (a *Adam) SetState(m, v [][]float32, steps int) bool {
	if !a.fits(m, v) {
		return false
	}
	for i := range a.params {
		copy(a.m[i], m[i])
		copy(a.v[i], v[i])
	}
	a.t = steps
	return true
}

// fits reports whether moments m and v have the parameters' shapes.
func (a *Adam) fits(m, v [][]float32) bool {
	if len(m) != len(a.params) || len(v) != len(a.params) {
		return false
	}
	for i, p := range a.params {
		if len(m[i]) != len(p.Grad) || len(v[i]) != len(p.Grad) {
			return false
		}
	}
	return true
}

// sqrt32 is the correctly rounded float32 square root, as math32.Sqrt:
// rounding the float64 root to float32 gives the correctly rounded
// float32 root, since a float64 has more than twice a float32's precision
// (53 >= 2*24 + 2 bits). math32.Sqrt computes it bit by bit in
// software under GOOS=js (docs/performance.md says what that cost);
// WebAssembly's f64.sqrt is one instruction.
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
