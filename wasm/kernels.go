package main

import (
	"errors"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// errNoSIMD is the answer to a request for the SIMD kernel in a worker
// without it.
var errNoSIMD = errors.New("this worker has no WebAssembly SIMD kernel")

// kernels are a worker's kernels: nn's and nn/data's own in Go, and
// WebAssembly SIMD's where the browser has it (see wasm/simd): GEMM, the
// transposes and the gather that pack its operands, the split of a
// strided convolution's input, inference's Winograd transforms, the sums
// of col2im, BatchNorm's passes and ReLU's, which nn computes with, and
// the inverse DCT, which nn/data decodes JPEGs with, unless asked
// otherwise. Without the SIMD kernel, inference convolves directly: in
// Go the Winograd transforms cost more than the products they save.
type kernels struct {
	simd       nn.GemmKernel       // nil without
	interleave nn.InterleaveKernel // nil without
	gather     nn.GatherKernel     // nil without
	gemmRows   nn.RowsGemmKernel   // nil without
	split      nn.SplitKernel      // nil without
	winograd   *nn.WinogradKernels // nil without
	channel    *nn.ChannelPasses   // nil without
	relu       *nn.ReLUKernels     // nil without
	idct       data.IDCTKernel     // nil without
	fma        bool                // simd fuses multiply-adds (relaxed SIMD)
}

// use sets in nn the kernels named: protocol.KernelGo, KernelSIMD, or ""
// for the worker's own.
func (k kernels) use(name string) error {
	switch name {
	case protocol.KernelGo:
		nn.SetGemmKernel(nil)
		nn.SetInterleaveKernel(nil)
		nn.SetGatherKernel(nil)
		nn.SetRowsGemmKernel(nil)
		nn.SetSplitKernel(nil)
		nn.SetWinogradKernels(nil)
		nn.SetChannelPasses(nil)
		nn.SetReLUKernels(nil)
		data.SetIDCTKernel(nil)
		return nil
	case protocol.KernelSIMD:
		if k.simd == nil {
			return errNoSIMD
		}
	}
	nn.SetGemmKernel(k.simd)
	nn.SetInterleaveKernel(k.interleave)
	nn.SetGatherKernel(k.gather)
	nn.SetRowsGemmKernel(k.gemmRows)
	nn.SetSplitKernel(k.split)
	nn.SetWinogradKernels(k.winograd)
	nn.SetChannelPasses(k.channel)
	nn.SetReLUKernels(k.relu)
	data.SetIDCTKernel(k.idct)
	return nil
}

// name names the worker's own kernel.
func (k kernels) name() string {
	switch {
	case k.simd == nil:
		return protocol.KernelGo
	case k.fma:
		return protocol.KernelSIMDFMA
	default:
		return protocol.KernelSIMD
	}
}
