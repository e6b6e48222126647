package nn

import "fmt"

// GradCAM returns the Grad-CAM maps (Selvaraju et al., 2017) of x, n
// normalized images (N, 3, S, S), one map for each image i and the class
// classes[i]: the network runs in evaluation mode (BatchNorm from its
// running statistics), A is the last stage's output (N, C, h, w), and
//
//	cam_i = relu(Σ_k α_k A_ik),  α_k = mean over (y, x) of ∂logit_c/∂A_ik(y, x)
//
// with c = classes[i]. The maps are n h×w planes, back to back, of the
// network's last feature map (8×8 for a 32×32 input), before any
// upsampling or scaling. The gradient needs no backward pass: after the
// last stage come only the global average pooling and the linear
// classifier, so ∂logit_c/∂A_k(y, x) is weight[c][k] / (h·w) at every
// (y, x), and α_k is that value.
func (r *ResNet) GradCAM(x *Tensor, classes []int) (maps []float32, h, w int) {
	l := r.net.Layers
	fc := l[len(l)-1].(*Linear)
	_ = l[len(l)-2].(*GlobalAvgPool)
	a := x
	for _, layer := range l[:len(l)-2] {
		a = layer.Forward(a, false)
	}
	n, ch, h, w := dims4(a)
	if len(classes) != n {
		panic(fmt.Sprintf("nn: GradCAM of %d images with %d classes", n, len(classes)))
	}
	plane := h * w
	maps = make([]float32, n*plane)
	sum := make([]float64, plane)
	for i, c := range classes {
		if c < 0 || c >= fc.Out {
			panic(fmt.Sprintf("nn: GradCAM of class %d of %d", c, fc.Out))
		}
		clear(sum)
		for k := range ch {
			alpha := float64(fc.Weight.Value.Data[c*ch+k] / float32(plane))
			for p, v := range a.Data[(i*ch+k)*plane : (i*ch+k+1)*plane] {
				sum[p] += alpha * float64(v)
			}
		}
		for p, s := range sum {
			maps[i*plane+p] = float32(max(s, 0))
		}
	}
	return maps, h, w
}

// GradCAM returns the Grad-CAM map of each of the n preprocessed images
// pix (data.Set's layout) for its class in classes, as ResNet.GradCAM
// computes them, after the model's normalization.
func (m *Model) GradCAM(pix []uint8, n int, classes []int) (maps []float32, h, w int) {
	s := m.Meta.InputSize
	x := NewTensor(n, 3, s, s)
	per := 3 * s * s
	for i := range n {
		m.Meta.Norm.Normalize(x.Data[i*per:(i+1)*per], pix[i*per:(i+1)*per])
	}
	return m.Net.GradCAM(x, classes)
}
