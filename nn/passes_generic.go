//go:build !amd64 || noasm

package nn

// Without assembly every pass is Go's loop.
var builtinPasses *ChannelPasses

func reluBulk(dst, src []float32) int                                     { return 0 }
func reluBackwardBulk(dx, dy, y []float32) int                            { return 0 }
func addBulk(dst, a, b []float32) int                                     { return 0 }
func addReLUBulk(dst, a, b []float32) int                                 { return 0 }
func splitBulk(even, odd, src []float32, w, rows, srcRow, dstRow int) int { return 0 }
