package nn

import "fmt"

// CrossEntropy is softmax cross-entropy averaged over the batch, like
// torch.nn.CrossEntropyLoss(label_smoothing=Smoothing).
type CrossEntropy struct {
	// Smoothing is label smoothing's share ε: each image's target puts
	// 1-ε on its label and spreads ε evenly over all K classes, so that a
	// wrong label misleads the network less. 0 is the plain loss.
	Smoothing float32
	// Distill, above 0, gives that share of each image's target to
	// Teacher, the rest to its label (smoothed): Teacher holds a
	// probability distribution over the K classes for each image, N rows.
	Distill float32
	Teacher []float32
	dlogits Tensor
}

// Forward returns the mean loss of logits (N, K) against labels (N values
// in [0, K)) and keeps dL/dlogits for Backward.
func (l *CrossEntropy) Forward(logits *Tensor, labels []int) float32 {
	n, k := logits.Shape[0], logits.Shape[1]
	if len(labels) != n {
		panic(fmt.Sprintf("nn: CrossEntropy got %d labels for logits %v", len(labels), logits.Shape))
	}
	l.dlogits.Resize(n, k)
	if l.Distill > 0 {
		return l.distill(logits, labels)
	}
	var total float32
	eps := l.Smoothing
	for i, y := range labels {
		row := logits.Data[i*k : (i+1)*k]
		d := l.dlogits.Data[i*k : (i+1)*k]
		lse := softmaxTo(d, row)
		if eps == 0 {
			total += lse - row[y]
			for j := range d {
				d[j] /= float32(n)
			}
			d[y] -= 1 / float32(n)
			continue
		}
		// (1-ε)·(lse - x_y) plus ε times the mean over j of lse - x_j.
		var all float32
		for _, v := range row {
			all += lse - v
		}
		total += (1-eps)*(lse-row[y]) + eps*all/float32(k)
		for j := range d {
			d[j] = (d[j] - eps/float32(k)) / float32(n)
		}
		d[y] -= (1 - eps) / float32(n)
	}
	return total / float32(n)
}

// distill is Forward with a share Distill of each target the teacher's:
// the target t of an image of label y puts (1-δ)(ε/K + (1-ε)[j=y]) +
// δ·Teacher_j on class j, its loss is the sum over j of t_j (lse - x_j)
// and its gradient softmax - t.
func (l *CrossEntropy) distill(logits *Tensor, labels []int) float32 {
	n, k := logits.Shape[0], logits.Shape[1]
	if len(l.Teacher) != n*k {
		panic(fmt.Sprintf("nn: CrossEntropy got %d teacher probabilities for logits %v", len(l.Teacher), logits.Shape))
	}
	eps, delta := l.Smoothing, l.Distill
	var total float32
	for i, y := range labels {
		row := logits.Data[i*k : (i+1)*k]
		d := l.dlogits.Data[i*k : (i+1)*k]
		teacher := l.Teacher[i*k : (i+1)*k]
		lse := softmaxTo(d, row)
		for j, v := range row {
			t := (1-delta)*eps/float32(k) + delta*teacher[j]
			if j == y {
				t += (1 - delta) * (1 - eps)
			}
			total += t * (lse - v)
			d[j] = (d[j] - t) / float32(n)
		}
	}
	return total / float32(n)
}

// Backward returns dL/dlogits of the last Forward.
func (l *CrossEntropy) Backward() *Tensor { return &l.dlogits }

// softmaxTo writes softmax(x) into dst and returns log(sum(exp(x))),
// computed in float32 as PyTorch does, stably by subtracting the maximum
// first.
func softmaxTo(dst, x []float32) float32 {
	m := x[0]
	for _, v := range x[1:] {
		m = max(m, v)
	}
	var s float32
	for j, v := range x {
		e := expf(v - m)
		dst[j] = e
		s += e
	}
	for j := range dst {
		dst[j] /= s
	}
	return m + logf(s)
}

// Softmax writes the softmax of each row of logits (N, K) into dst.
func Softmax(dst []float32, logits *Tensor) {
	k := logits.Shape[1]
	for i := 0; i < logits.Shape[0]; i++ {
		softmaxTo(dst[i*k:(i+1)*k], logits.Data[i*k:(i+1)*k])
	}
}
