package nn

import (
	"fmt"
	"math"
)

// BatchNorm2D normalizes each channel, like torch.nn.BatchNorm2d with
// affine weights and running statistics. Its state-dict names are
// "weight", "bias", "running_mean", "running_var" and
// "num_batches_tracked".
type BatchNorm2D struct {
	C int
	// Eps is added to the variance before its square root (PyTorch: 1e-5).
	Eps float64
	// Momentum weighs the batch statistics in the running ones
	// (PyTorch: 0.1): running = (1-Momentum)*running + Momentum*batch.
	Momentum float64

	Weight, Bias                   *Param
	RunningMean, RunningVar, Count *Param

	x     *Tensor // input of the last training Forward
	y, dx Tensor
	// Of the last training Forward, per channel: the batch's mean and
	// inverse standard deviation; count is the number of values per
	// channel over the batch (of the whole group).
	mean, inv []float64
	count     float64
	sums      []float64 // per-channel sums, 2C+1
	// reduce, when b is in a batchGroup, sums its argument with the
	// group's other replicas'.
	reduce func(v []float64)
}

// NewBatchNorm2D returns a batch normalization over c channels with
// PyTorch's defaults: weight 1, bias 0, running mean 0 and variance 1,
// eps 1e-5, momentum 0.1.
func NewBatchNorm2D(c int) *BatchNorm2D {
	b := &BatchNorm2D{C: c, Eps: 1e-5, Momentum: 0.1}
	b.Weight = newParam("weight", c)
	b.Bias = newParam("bias", c)
	b.RunningMean = newBuffer("running_mean", c)
	b.RunningVar = newBuffer("running_var", c)
	b.Count = newBuffer("num_batches_tracked")
	b.Count.Integer = true
	for i := 0; i < c; i++ {
		b.Weight.Value.Data[i] = 1
		b.RunningVar.Value.Data[i] = 1
	}
	b.mean, b.inv, b.sums = make([]float64, c), make([]float64, c), make([]float64, 2*c+1)
	return b
}

// Params returns the affine parameters and the running statistics.
func (b *BatchNorm2D) Params() []*Param {
	return []*Param{b.Weight, b.Bias, b.RunningMean, b.RunningVar, b.Count}
}

// Forward normalizes x (N, C, H, W). In training it uses the batch's mean
// and biased variance and updates the running statistics with the
// unbiased variance, as PyTorch does; otherwise it uses the running ones.
func (b *BatchNorm2D) Forward(x *Tensor, train bool) *Tensor {
	n, c, h, w := dims4(x)
	if c != b.C {
		panic(fmt.Sprintf("nn: BatchNorm2D of %d channels got input %v", b.C, x.Shape))
	}
	b.y.Resize(n, c, h, w)
	hw := h * w
	if train {
		b.x = x
		b.batchStatistics(x)
	}
	for ch := 0; ch < c; ch++ {
		var mean, invStd float64
		if train {
			mean, invStd = b.mean[ch], b.inv[ch]
		} else {
			mean = float64(b.RunningMean.Value.Data[ch])
			invStd = 1 / math.Sqrt(float64(b.RunningVar.Value.Data[ch])+b.Eps)
		}
		scale := float32(invStd * float64(b.Weight.Value.Data[ch]))
		shift := b.Bias.Value.Data[ch] - float32(mean)*scale
		off, end := ch*hw, ((n-1)*c+ch+1)*hw
		channelPasses(hw).Affine(b.y.Data[off:end], x.Data[off:end], hw, n, c*hw, scale, shift)
	}
	if train {
		b.Count.Value.Data[0]++
	}
	return &b.y
}

// batchStatistics sets each channel's mean and inverse standard deviation
// over the batch x, and over the other replicas' batches when b is in a
// group (see batchGroup), and updates the running statistics.
func (b *BatchNorm2D) batchStatistics(x *Tensor) {
	n, c, h, w := dims4(x)
	hw := h * w
	s := b.sums[:c+1]
	k := channelPasses(hw)
	channel := func(ch int) []float32 { return x.Data[ch*hw : ((n-1)*c+ch+1)*hw] }
	for ch := 0; ch < c; ch++ {
		s[ch] = k.Sum(channel(ch), hw, n, c*hw)
	}
	s[c] = float64(n * hw)
	if b.reduce != nil {
		b.reduce(s)
	}
	count := s[c]
	b.count = count
	for ch := 0; ch < c; ch++ {
		b.mean[ch] = s[ch] / count
	}
	ss := b.sums[c+1:]
	for ch := 0; ch < c; ch++ {
		ss[ch] = k.SquaredDeviations(channel(ch), hw, n, c*hw, b.mean[ch])
	}
	if b.reduce != nil {
		b.reduce(ss)
	}
	m := b.Momentum
	for ch := 0; ch < c; ch++ {
		variance := ss[ch] / count
		b.inv[ch] = 1 / math.Sqrt(variance+b.Eps)
		rm, rv := &b.RunningMean.Value.Data[ch], &b.RunningVar.Value.Data[ch]
		*rm = float32((1-m)*float64(*rm) + m*b.mean[ch])
		unbiased := variance
		if count > 1 {
			unbiased = ss[ch] / (count - 1)
		}
		*rv = float32((1-m)*float64(*rv) + m*unbiased)
	}
}

// Backward adds dL/dweight and dL/dbias and returns dL/dx for the last
// training Forward:
//
//	dx = weight*invStd/M * (M*dy - sum(dy) - xhat*sum(dy*xhat))
//
// with sums over the M = N*H*W values of a channel (of every replica's
// batch when b is in a group; the parameters' gradients get this batch's
// part).
func (b *BatchNorm2D) Backward(dy *Tensor) *Tensor {
	n, c, h, w := dims4(dy)
	hw := h * w
	b.dx.Resize(n, c, h, w)
	sums := b.sums[:2*c]
	x := b.x.Data[:len(dy.Data)]
	passes := channelPasses(hw)
	first := func(ch int) int { return ch * hw }
	end := func(ch int) int { return ((n-1)*c + ch + 1) * hw }
	// xhat, the normalized input, is (x - mean)*invStd in float32,
	// computed again where it is needed rather than stored.
	for ch := 0; ch < c; ch++ {
		m32, is32 := float32(b.mean[ch]), float32(b.inv[ch])
		sdy, sdyx := passes.GradientSums(dy.Data[first(ch):end(ch)], x[first(ch):end(ch)], hw, n, c*hw, m32, is32)
		b.Bias.Grad[ch] += float32(sdy)
		b.Weight.Grad[ch] += float32(sdyx)
		sums[ch], sums[c+ch] = sdy, sdyx
	}
	if b.reduce != nil {
		b.reduce(sums)
	}
	m := b.count
	for ch := 0; ch < c; ch++ {
		sdy, sdyx := sums[ch], sums[c+ch]
		m32, is32 := float32(b.mean[ch]), float32(b.inv[ch])
		k := float64(b.Weight.Value.Data[ch]) * float64(is32)
		a := float32(k)
		mdy := float32(k * sdy / m)
		mdyx := float32(k * sdyx / m)
		lo, hi := first(ch), end(ch)
		passes.InputGradient(b.dx.Data[lo:hi], dy.Data[lo:hi], x[lo:hi], hw, n, c*hw, a, mdy, mdyx, m32, is32)
	}
	return &b.dx
}

// evalAffine sets scale and shift, of length C, to the map of eval mode,
// y = x*scale + shift, rounded as Forward rounds it.
func (b *BatchNorm2D) evalAffine(scale, shift []float32) {
	for ch := range b.C {
		mean := float64(b.RunningMean.Value.Data[ch])
		invStd := 1 / math.Sqrt(float64(b.RunningVar.Value.Data[ch])+b.Eps)
		scale[ch] = float32(invStd * float64(b.Weight.Value.Data[ch]))
		shift[ch] = b.Bias.Value.Data[ch] - float32(mean)*scale[ch]
	}
}

// The sums below run over four interleaved partial sums, so that each
// float64 addition need not wait for the one before.

// sum64 returns the sum of s.
func sum64(s []float32) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(s); i += 4 {
		q := s[i : i+4 : i+4]
		a0 += float64(q[0])
		a1 += float64(q[1])
		a2 += float64(q[2])
		a3 += float64(q[3])
	}
	for ; i < len(s); i++ {
		a0 += float64(s[i])
	}
	return (a0 + a1) + (a2 + a3)
}

// squaredDeviations returns the sum of (v - mean)² over s.
func squaredDeviations(s []float32, mean float64) float64 {
	var a0, a1, a2, a3 float64
	i := 0
	for ; i+4 <= len(s); i += 4 {
		q := s[i : i+4 : i+4]
		d0, d1, d2, d3 := float64(q[0])-mean, float64(q[1])-mean, float64(q[2])-mean, float64(q[3])-mean
		a0 += d0 * d0
		a1 += d1 * d1
		a2 += d2 * d2
		a3 += d3 * d3
	}
	for ; i < len(s); i++ {
		d := float64(s[i]) - mean
		a0 += d * d
	}
	return (a0 + a1) + (a2 + a3)
}

// gradientSums returns the sums of dy and of dy*xhat, xhat being
// (x - mean)*invStd rounded to float32, over dy and x of one length.
func gradientSums(dy, x []float32, mean, invStd float32) (sdy, sdyx float64) {
	x = x[:len(dy)]
	var a0, a1, b0, b1 float64
	i := 0
	for ; i+2 <= len(dy); i += 2 {
		d, v := dy[i:i+2:i+2], x[i:i+2:i+2]
		h0, h1 := float32((v[0]-mean)*invStd), float32((v[1]-mean)*invStd)
		a0 += float64(d[0])
		a1 += float64(d[1])
		b0 += float64(d[0]) * float64(h0)
		b1 += float64(d[1]) * float64(h1)
	}
	for ; i < len(dy); i++ {
		h := float32((x[i] - mean) * invStd)
		a0 += float64(dy[i])
		b0 += float64(dy[i]) * float64(h)
	}
	return a0 + a1, b0 + b1
}
