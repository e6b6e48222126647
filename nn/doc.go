// Package nn is a small float32 engine for training and running
// convolutional networks, built to reproduce a PyTorch ResNet exactly, in
// Go natively and in the browser (GOOS=js GOARCH=wasm).
//
// Conventions:
//
//   - A Tensor is a flat []float32 plus its shape. Images are NCHW: element
//     (n, c, h, w) of an N×C×H×W tensor is at ((n*C+c)*H+h)*W+w.
//     Parameter layouts are PyTorch's: a convolution weight is
//     [out, in, kh, kw], a linear weight [out, in].
//   - A Layer owns its output and input-gradient tensors and reuses them
//     from step to step; Forward and Backward return them, valid until
//     the layer's next call. Backward adds into parameter gradients;
//     zeroing them is a separate step (ZeroGrad), so a training step is
//     forward, zero, backward, update.
//   - Kernels take the destination first and allocate nothing.
//   - Randomness is explicit: a *rand.Rand is passed in.
//   - Panics only signal programmer misuse (mismatched shapes passed by
//     engine code); everything read from a user (model files, images)
//     returns an error.
package nn
