// Package simd is the WebAssembly SIMD kernel behind nn.Gemm in the
// page's worker: on the network's products, three to ten times as fast as
// Go's own WebAssembly, which has no SIMD.
//
// The kernel is a module of its own, encoded here instruction by
// instruction (Module; ./build.sh writes it to assets/ with
// go run ./wasm/simd/gen). It imports the memory of the Go program's
// instance as env.memory and exports gemm, the loop of nn.GemmKernel on
// f32x4 vectors, which Go calls with the byte addresses of its slices:
// Go's garbage collector does not move heap objects, and the call is
// synchronous. The module keeps no view of the memory, so it sees it
// grow. It also exports fma, which returns 1 if gemm uses fused
// multiply-adds, else 0, and relu, reluBackward, reluRuns, add and
// addReLU, ReLU's passes and a residual block's sums on f32x4 vectors
// (nn.ReLUKernels), idct, the inverse DCT of JPEG
// blocks on i32x4 vectors (data.IDCTKernel), interleave4 and
// interleave8, the transposes that pack Gemm's operands
// (nn.InterleaveKernel), gather, which packs GemmRows' B from its rows
// (nn.GatherKernel), gemmRows, gemm reading those rows in place instead
// (nn.RowsGemmKernel), split, which splits a strided convolution's input
// by phase (nn.SplitKernel), and BatchNorm's passes over a channel
// (nn.ChannelPasses): channelSum, channelSquares, channelGradientSums,
// channelAffine and channelInputGradient, and winogradInput and
// winogradOutput, the transforms of inference's Winograd convolutions
// (nn.WinogradKernels), 4 tiles a vector, with Go's bits.
//
// Under GOOS=js, Kernel calls an instance of the module: its Gemm is the
// nn.GemmKernel, its ReLUKernels nn's ReLU passes and residual sums, its
// Interleave nn's packing transposes, its Gather nn.GemmRows' packing
// and its GemmRows the product on rows in place, its Split inference's
// phases, its Winograd inference's Winograd transforms, its
// ChannelPasses BatchNorm's and its IDCT nn/data's inverse
// DCT, that the worker sets when its JavaScript found WebAssembly SIMD; without it,
// the Go loops stay.
package simd

// Module returns the kernel module's bytes. With fma its gemm multiplies
// and adds with relaxed SIMD's f32x4.relaxed_madd, which engines without
// relaxed SIMD refuse to compile and which rounds once or twice,
// depending on the machine; without, with f32x4.mul and f32x4.add.
func Module(fma bool) []byte {
	// nn.GemmKernel's tile: 4 rows by 8 columns, two vectors. It uses 11
	// vector registers of the 16 of x86-64 (V8 keeps one for itself).
	// In Node on x86-64 it was the fastest of the tiles tried: 4, 5, 6
	// and 8 rows by 8 columns, 3 and 4 rows by 12, 2 by 16.
	return encodeModule(
		gemmFunction("gemm", shape{rows: 4, vecs: 2, fma: fma}),
		constFunction("fma", map[bool]int32{false: 0, true: 1}[fma]),
		reluFunction(),
		reluBackwardFunction(),
		reluRunsFunction(),
		addFunction(false),
		addFunction(true),
		idctFunction(),
		interleaveFunction(4),
		interleaveFunction(8),
		gatherFunction(),
		gemmFunction("gemmRows", shape{rows: 4, vecs: 2, fma: fma, byRows: true}),
		splitFunction(),
		sumFunction(false),
		sumFunction(true),
		gradientSumsFunction(),
		affineFunction(),
		inputGradientFunction(),
		winogradInputFunction(),
		winogradOutputFunction())
}
