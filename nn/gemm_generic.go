//go:build !amd64 || noasm

package nn

// gemm is Gemm for m, n, k > 0; without assembly it is the pure-Go path.
func gemm(buf *GemmBuffer, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	gemmGo(buf, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// builtinKernel names the built-in kernel Gemm runs here.
func builtinKernel() string { return "go" }

// builtinInstructions names the instructions of the built-in kernel.
func builtinInstructions() string { return "go" }

// shiftedWeightGrads reports whether addShiftedWeightGrads runs here:
// it needs the assembly kernels.
func shiftedWeightGrads(in, out int) bool { return false }

// addShiftedWeightGrads is never called here (see shiftedWeightGrads).
func addShiftedWeightGrads(buf *GemmBuffer, g []float32, s *shifted, dy []float32, out int) {
	panic("nn: addShiftedWeightGrads without assembly")
}

// shiftedForward reports whether gemmShifted runs here: it needs the
// assembly kernels.
func shiftedForward(out int) bool { return false }

// gemmShifted is never called here (see shiftedForward).
func gemmShifted(m, n int, a []float32, lda int, b []float32, offs []int, c []float32, ldc int) {
	panic("nn: gemmShifted without assembly")
}
