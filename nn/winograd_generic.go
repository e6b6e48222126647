//go:build !amd64 || noasm

package nn

// builtinWinograd are the Winograd transforms built in: none, without
// assembly.
var builtinWinograd *WinogradKernels
