package nn

import "fmt"

// CrossEntropy is softmax cross-entropy averaged over the batch, like
// torch.nn.CrossEntropyLoss() with its defaults.
type CrossEntropy struct {
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
	var total float32
	for i, y := range labels {
		row := logits.Data[i*k : (i+1)*k]
		d := l.dlogits.Data[i*k : (i+1)*k]
		lse := softmaxTo(d, row)
		total += lse - row[y]
		for j := range d {
			d[j] /= float32(n)
		}
		d[y] -= 1 / float32(n)
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
