package nn

// EstimateTrainMemory returns about how many bytes a worker takes to
// train a network of cfg on shares of share images: the weights, their
// gradients and Adam's two moments, and, for every image of the share,
// the activations a step keeps for its backward pass (about five values
// an output of each convolution: its output, BatchNorm's and ReLU's, and
// the gradients flowing back) and the largest convolution's im2col
// matrix. It is an estimate from the shapes, for a person to plan with.
func EstimateTrainMemory(cfg Config, share int) int64 {
	s, c := int64(cfg.InputSize), int64(cfg.Width)
	params := 3 * 9 * c
	acts := 5 * c * s * s // the stem
	col := 3 * 9 * s * s
	in := c
	for i, blocks := range cfg.Stages {
		out := c << i
		if i > 0 {
			s = (s + 1) / 2
		}
		for b := range blocks {
			params += 9*in*out + 9*out*out + 4*out
			acts += 2 * 5 * out * s * s
			col = max(col, 9*max(in, out)*s*s)
			if b == 0 && in != out {
				params += 9 * in * out
				acts += 5 * out * s * s
			}
			in = out
		}
	}
	params += in*int64(cfg.Classes) + int64(cfg.Classes)
	return 4 * (4*params + int64(share)*(acts+col))
}
