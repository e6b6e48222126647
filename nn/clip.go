package nn

import "math"

// ClipByValue clamps every gradient element of ps to [-limit, limit], as
// torch.nn.utils.clip_grad_value_.
func ClipByValue(ps []*Param, limit float32) {
	for _, p := range ps {
		for i, g := range p.Grad {
			p.Grad[i] = min(max(g, -limit), limit)
		}
	}
}

// ClipByNorm scales the gradients of ps so that their global L2 norm is at
// most maxNorm, as torch.nn.utils.clip_grad_norm_: the scale is
// maxNorm/(norm+1e-6), applied when below 1. It returns the norm before
// clipping.
func ClipByNorm(ps []*Param, maxNorm float64) float64 {
	var ss float64
	for _, p := range ps {
		for _, g := range p.Grad {
			ss += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(ss)
	scale := float32(maxNorm / (norm + 1e-6))
	if scale < 1 {
		for _, p := range ps {
			for i := range p.Grad {
				p.Grad[i] *= scale
			}
		}
	}
	return norm
}
