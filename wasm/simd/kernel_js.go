//go:build js && wasm

package simd

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sync"
	"syscall/js"
	"unsafe"

	"github.com/intelscenes/resnet-browser/nn"
)

// Kernel is an instance of the kernel module.
type Kernel struct {
	gemm               js.Value // the instance's gemm function
	fma                bool     // whether gemm uses fused multiply-adds
	relu, reluBackward js.Value // the instance's ReLU passes
	reluRuns           js.Value
	add, addReLU       js.Value // a residual block's sums
	idct               js.Value // the instance's inverse DCT of JPEG blocks
	interleave4        js.Value // the instance's packing transposes
	interleave8        js.Value
	gather             js.Value // the instance's packing of GemmRows' B
	gemmRows           js.Value // its gemm reading GemmRows' B in place
	split              js.Value // its split of a strided convolution's input
	winogradInput      js.Value // inference's Winograd transforms
	winogradOutput     js.Value
	channel            [5]js.Value // the instance's BatchNorm passes, in channelNames' order
	io                 *[5]float64 // their scalars, in and out

	mu    sync.Mutex // guards table
	table []int32    // Gather's and GemmRows' row addresses
}

// channelNames are the exports of BatchNorm's passes, in the order of
// Kernel.channel.
var channelNames = [5]string{"channelSum", "channelSquares", "channelGradientSums", "channelAffine", "channelInputGradient"}

const (
	chSum = iota
	chSquares
	chGradientSums
	chAffine
	chInputGradient
)

// New returns the kernel whose instance exports exports, as
// WebAssembly.Instance's exports property holds them. The instance must
// have been given this Go program's memory.
func New(exports js.Value) (*Kernel, error) {
	if exports.Type() != js.TypeObject {
		return nil, fmt.Errorf("simd: no kernel instance (exports are %s)", exports.Type())
	}
	k := &Kernel{gemm: exports.Get("gemm"), relu: exports.Get("relu"), reluBackward: exports.Get("reluBackward"), reluRuns: exports.Get("reluRuns"),
		add: exports.Get("add"), addReLU: exports.Get("addReLU"),
		idct: exports.Get("idct"), interleave4: exports.Get("interleave4"), interleave8: exports.Get("interleave8"),
		gather: exports.Get("gather"), gemmRows: exports.Get("gemmRows"), split: exports.Get("split"),
		winogradInput: exports.Get("winogradInput"), winogradOutput: exports.Get("winogradOutput")}
	fma := exports.Get("fma")
	k.io = new([5]float64)
	fs := []js.Value{k.gemm, fma, k.relu, k.reluBackward, k.reluRuns, k.add, k.addReLU, k.idct, k.interleave4, k.interleave8, k.gather, k.gemmRows, k.split,
		k.winogradInput, k.winogradOutput}
	for i, name := range channelNames {
		k.channel[i] = exports.Get(name)
		fs = append(fs, k.channel[i])
	}
	for _, f := range fs {
		if f.Type() != js.TypeFunction {
			return nil, errors.New("simd: the instance is not of the kernel module (it exports no gemm, fma, relu, reluBackward, reluRuns, add, addReLU, idct, interleave4, interleave8, gather, gemmRows, split, channel… and winograd… functions)")
		}
	}
	k.fma = fma.Invoke().Int() == 1
	return k, nil
}

// FMA reports whether the kernel multiplies and adds in one rounding,
// with relaxed SIMD's f32x4.relaxed_madd, where the machine can.
func (k *Kernel) FMA() bool { return k.fma }

// Instantiate compiles Module(fma) and instantiates it with memory, the
// Go program's own WebAssembly.Memory, synchronously. It fails where the
// engine lacks SIMD, or relaxed SIMD with fma.
func Instantiate(memory js.Value, fma bool) (k *Kernel, err error) {
	defer func() {
		if p := recover(); p != nil {
			jsErr, ok := p.(js.Error)
			if !ok {
				panic(p)
			}
			k, err = nil, fmt.Errorf("simd: instantiating the kernel: %w", jsErr)
		}
	}()
	b := Module(fma)
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	wa := js.Global().Get("WebAssembly")
	mod := wa.Get("Module").New(u8)
	imports := js.ValueOf(map[string]any{"env": map[string]any{"memory": memory}})
	inst := wa.Get("Instance").New(mod, imports)
	return New(inst.Get("exports"))
}

// Gemm is nn.GemmKernel: it runs the kernel on the slices in place.
func (k *Kernel) Gemm(kc, tiles, panels int, a, b []float32, ps, bs int, c []float32, ldc int, add bool) {
	k.gemmAt(kc, tiles, panels,
		uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(b))), 4*ps, 4*bs,
		uintptr(unsafe.Pointer(unsafe.SliceData(c))), 4*ldc, add)
}

// gemmAt calls the kernel's gemm with byte addresses and strides. Its
// directive has the compiler keep what the addresses point to alive and
// on the heap, which the garbage collector never moves, until it
// returns; a goroutine's stack moves when it grows.
//
//go:uintptrescapes
func (k *Kernel) gemmAt(kc, tiles, panels int, a, b uintptr, ps, bs int, c uintptr, ldc int, add bool) {
	k.gemm.Invoke(kc, tiles, panels, a, b, ps, bs, c, ldc, add)
}

// ReLUKernels returns nn's ReLU passes on the kernel's vectors. The last
// len%4 elements are done here in Go, with the same bits.
func (k *Kernel) ReLUKernels() *nn.ReLUKernels {
	return &nn.ReLUKernels{Forward: k.ReLU, Backward: k.ReLUBackward, Runs: k.ReLURuns, Sum: k.Add, ForwardSum: k.AddReLU}
}

// Add is nn.ReLUKernels' Sum.
func (k *Kernel) Add(dst, a, b []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	n := len(a) &^ 3
	if n > 0 {
		k.addAt(k.add, uintptr(unsafe.Pointer(unsafe.SliceData(dst))), uintptr(unsafe.Pointer(unsafe.SliceData(a))),
			uintptr(unsafe.Pointer(unsafe.SliceData(b))), n/4)
	}
	for i := n; i < len(a); i++ {
		dst[i] = a[i] + b[i]
	}
}

// AddReLU is nn.ReLUKernels' ForwardSum.
func (k *Kernel) AddReLU(dst, a, b []float32) {
	dst, b = dst[:len(a)], b[:len(a)]
	n := len(a) &^ 3
	if n > 0 {
		k.addAt(k.addReLU, uintptr(unsafe.Pointer(unsafe.SliceData(dst))), uintptr(unsafe.Pointer(unsafe.SliceData(a))),
			uintptr(unsafe.Pointer(unsafe.SliceData(b))), n/4)
	}
	if n < len(a) {
		tail := dst[n:]
		k.Add(tail, a[n:], b[n:])
		k.ReLU(tail, tail)
	}
}

//go:uintptrescapes
func (k *Kernel) addAt(f js.Value, dst, a, b uintptr, vectors int) { f.Invoke(dst, a, b, vectors) }

// ReLU is nn.ReLUKernels' Forward.
func (k *Kernel) ReLU(dst, src []float32) {
	dst = dst[:len(src)]
	n := len(src) &^ 3
	if n > 0 {
		k.reluAt(uintptr(unsafe.Pointer(unsafe.SliceData(dst))), uintptr(unsafe.Pointer(unsafe.SliceData(src))), n/4)
	}
	for i := n; i < len(src); i++ {
		if v := src[i]; v > 0 || v != v {
			dst[i] = v
		} else {
			dst[i] = 0
		}
	}
}

// ReLUBackward is nn.ReLUKernels' Backward.
func (k *Kernel) ReLUBackward(dx, dy, y []float32) {
	dx, y = dx[:len(dy)], y[:len(dy)]
	n := len(dy) &^ 3
	if n > 0 {
		k.reluBackwardAt(uintptr(unsafe.Pointer(unsafe.SliceData(dx))), uintptr(unsafe.Pointer(unsafe.SliceData(dy))),
			uintptr(unsafe.Pointer(unsafe.SliceData(y))), n/4)
	}
	for i := n; i < len(dy); i++ {
		if math.Float32bits(y[i]) != 0 {
			dx[i] = dy[i]
		} else {
			dx[i] = 0
		}
	}
}

// ReLURuns is nn.ReLUKernels' Runs.
func (k *Kernel) ReLURuns(x []float32, n, runs, stride int) {
	if runs <= 0 || n <= 0 {
		return
	}
	_ = x[(runs-1)*stride+n-1]
	if v := n / 4; v > 0 {
		k.reluRunsAt(uintptr(unsafe.Pointer(unsafe.SliceData(x))), v, runs, 4*stride)
	}
	if n%4 != 0 {
		for r := range runs {
			tail := x[r*stride+n&^3 : r*stride+n]
			k.ReLU(tail, tail)
		}
	}
}

//go:uintptrescapes
func (k *Kernel) reluRunsAt(x uintptr, vectors, runs, stride int) {
	k.reluRuns.Invoke(x, vectors, runs, stride)
}

// reluAt and reluBackwardAt call the kernel's passes with byte addresses,
// as gemmAt does.
//
//go:uintptrescapes
func (k *Kernel) reluAt(dst, src uintptr, vectors int) { k.relu.Invoke(dst, src, vectors) }

//go:uintptrescapes
func (k *Kernel) reluBackwardAt(dx, dy, y uintptr, vectors int) {
	k.reluBackward.Invoke(dx, dy, y, vectors)
}

// Interleave is nn.InterleaveKernel. The depths past a multiple of 4 are
// done here in Go.
func (k *Kernel) Interleave(dst []float32, w int, src []float32, lds, kb, panels int) {
	if w != 4 && w != 8 {
		panic(fmt.Sprintf("simd: Interleave of panels of %d columns", w))
	}
	if panels == 0 || kb == 0 {
		return
	}
	_ = src[(w*panels-1)*lds+kb-1]
	_ = dst[w*panels*kb-1]
	if k4 := kb &^ 3; k4 > 0 {
		f := k.interleave4
		if w == 8 {
			f = k.interleave8
		}
		k.interleaveAt(f, uintptr(unsafe.Pointer(unsafe.SliceData(dst))), uintptr(unsafe.Pointer(unsafe.SliceData(src))),
			4*lds, k4/4, panels, 4*w*kb)
	}
	for p := kb &^ 3; p < kb; p++ {
		for t := range panels {
			for q := range w {
				dst[t*w*kb+p*w+q] = src[(t*w+q)*lds+p]
			}
		}
	}
}

// interleaveAt calls one of the kernel's interleave functions with byte
// addresses, as gemmAt does.
//
//go:uintptrescapes
func (k *Kernel) interleaveAt(f js.Value, dst, src uintptr, lds, blocks, panels, dps int) {
	f.Invoke(dst, src, lds, blocks, panels, dps)
}

// Gather is nn.GatherKernel.
func (k *Kernel) Gather(dst []float32, rows [][]float32, j0, panels int) {
	if panels == 0 || len(rows) == 0 {
		return
	}
	_ = dst[8*panels*len(rows)-1]
	k.mu.Lock()
	defer k.mu.Unlock()
	if cap(k.table) < len(rows) {
		k.table = make([]int32, len(rows))
	}
	table := k.table[:len(rows)]
	for p, r := range rows {
		r = r[j0 : j0+8*panels]
		table[p] = int32(uintptr(unsafe.Pointer(unsafe.SliceData(r))))
	}
	k.gatherAt(uintptr(unsafe.Pointer(unsafe.SliceData(dst))), uintptr(unsafe.Pointer(unsafe.SliceData(table))), len(rows), panels, 32*len(rows))
	runtime.KeepAlive(rows) // and with it what table points to
}

// gatherAt calls the kernel's gather with byte addresses, as gemmAt
// does.
//
//go:uintptrescapes
func (k *Kernel) gatherAt(dst, table uintptr, rows, panels, dps int) {
	k.gather.Invoke(dst, table, rows, panels, dps)
}

// GemmRows is nn.RowsGemmKernel.
func (k *Kernel) GemmRows(kc, tiles, panels int, a []float32, rows [][]float32, j0 int, c []float32, ldc int, add bool) {
	if len(rows) != kc {
		panic(fmt.Sprintf("simd: GemmRows of depth %d given %d rows", kc, len(rows)))
	}
	_ = a[4*tiles*kc-1]
	_ = c[(4*tiles-1)*ldc+8*panels-1]
	k.mu.Lock()
	defer k.mu.Unlock()
	if cap(k.table) < kc {
		k.table = make([]int32, kc)
	}
	table := k.table[:kc]
	for p, r := range rows {
		r = r[j0 : j0+8*panels]
		table[p] = int32(uintptr(unsafe.Pointer(unsafe.SliceData(r))))
	}
	k.gemmRowsAt(kc, tiles, panels, uintptr(unsafe.Pointer(unsafe.SliceData(a))), uintptr(unsafe.Pointer(unsafe.SliceData(table))),
		uintptr(unsafe.Pointer(unsafe.SliceData(c))), 4*ldc, add)
	runtime.KeepAlive(rows) // and with it what table points to
}

// gemmRowsAt calls the kernel's gemmRows with byte addresses and
// strides, as gemmAt does.
//
//go:uintptrescapes
func (k *Kernel) gemmRowsAt(kc, tiles, panels int, a, table uintptr, c uintptr, ldc int, add bool) {
	k.gemmRows.Invoke(kc, tiles, panels, a, table, 32, 0, c, ldc, add)
}

// Split is nn.SplitKernel.
func (k *Kernel) Split(even, odd, src []float32, w, rows, planes, srcRow, srcPlane, dstRow, dstPlane int) {
	if w <= 0 || w%4 != 0 || rows <= 0 || planes <= 0 {
		panic(fmt.Sprintf("simd: Split of %d planes of %d rows of %d values", planes, rows, w))
	}
	last := (planes-1)*dstPlane + (rows-1)*dstRow + w - 1
	_, _ = even[last], odd[last]
	_ = src[(planes-1)*srcPlane+(rows-1)*srcRow+2*w-1]
	k.splitAt(uintptr(unsafe.Pointer(unsafe.SliceData(even))), uintptr(unsafe.Pointer(unsafe.SliceData(odd))),
		uintptr(unsafe.Pointer(unsafe.SliceData(src))), w/4, rows, planes, 4*srcRow, 4*srcPlane, 4*dstRow, 4*dstPlane)
}

// splitAt calls the kernel's split with byte addresses, as gemmAt does.
//
//go:uintptrescapes
func (k *Kernel) splitAt(even, odd, src uintptr, vectors, rows, planes, srcRow, srcPlane, dstRow, dstPlane int) {
	k.split.Invoke(even, odd, src, vectors, rows, planes, srcRow, srcPlane, dstRow, dstPlane)
}

// Winograd returns inference's Winograd transforms on the kernel's
// vectors, with Go's bits (nn.WinogradGo's). Each is one call of the
// module, which loops over all of the channels, images and tiles
// itself: a call from Go costs more than the transforms of a row of
// tiles.
func (k *Kernel) Winograd() *nn.WinogradKernels {
	return &nn.WinogradKernels{Input: k.WinogradInput, Output: k.WinogradOutput}
}

// WinogradInput is nn.WinogradKernels' Input. Its groups of 4 tiles read
// up to 6 values past the last that a row of tiles needs, and the last
// of a row writes up to 3 tiles past the row's last, as
// nn.WinogradSpill allows; v must hold those, and x's capacity: the
// values read past the last needed are never used, and a view of some
// of a buffer's channels, as nn's of a joined shortcut's output, ends
// where the next channel's planes begin.
func (k *Kernel) WinogradInput(v, x []float32, g *nn.WinogradTiles) {
	if !winogradGeometry(g) {
		return
	}
	groups := (g.Cols + 3) / 4
	last := (g.Channels-1)*g.Channel + (g.Images-1)*g.Plane + (2*g.Rows+1)*g.Row
	_ = x[last+2*g.Cols+1]
	_ = x[:cap(x)][last+8*groups+1]
	_ = v[15*g.Matrix+(g.Channels-1)*g.Stride+(g.Images*g.Rows-1)*g.Cols+4*groups-1]
	k.winogradInputAt(uintptr(unsafe.Pointer(unsafe.SliceData(v))), uintptr(unsafe.Pointer(unsafe.SliceData(x))),
		g.Channels, g.Images, g.Rows, groups, 4*g.Cols, 4*g.Row, 4*g.Plane, 4*g.Channel, 4*g.Stride, 4*g.Matrix)
}

// winogradInputAt calls the kernel's winogradInput with byte addresses
// and distances, as gemmAt does.
//
//go:uintptrescapes
func (k *Kernel) winogradInputAt(v, x uintptr, channels, images, rows, groups, tileRow, row, plane, channel, stride, matrix int) {
	k.winogradInput.Invoke(v, x, channels, images, rows, groups, tileRow, row, plane, channel, stride, matrix)
}

// WinogradOutput is nn.WinogradKernels' Output. Its groups of 4 tiles
// read up to 3 tiles past the last of a row of tiles in m, and the last
// of a row of the planes reads up to 6 values past the row's last that
// it writes, and writes those back unchanged; m and y must hold those
// too.
func (k *Kernel) WinogradOutput(y, m []float32, g *nn.WinogradTiles, bias []float32, add bool, relu int) {
	if len(bias) < g.Channels {
		panic(fmt.Sprintf("simd: Winograd output of %d channels with %d biases", g.Channels, len(bias)))
	}
	if !winogradGeometry(g) {
		return
	}
	groups := (g.Cols + 3) / 4
	_ = m[15*g.Matrix+(g.Channels-1)*g.Stride+(g.Images*g.Rows-1)*g.Cols+4*groups-1]
	_ = y[(g.Channels-1)*g.Channel+(g.Images-1)*g.Plane+(2*g.Rows-1)*g.Row+8*groups-1]
	relu = min(max(relu, 0), g.Channels)
	k.winogradOutputAt(uintptr(unsafe.Pointer(unsafe.SliceData(y))), uintptr(unsafe.Pointer(unsafe.SliceData(m))),
		uintptr(unsafe.Pointer(unsafe.SliceData(bias))), relu, g.Channels-relu, g.Images, g.Rows, groups-1, 2*(g.Cols-4*(groups-1)),
		4*g.Cols, 4*g.Row, 4*g.Plane, 4*g.Channel, 4*g.Stride, 4*g.Matrix, add)
}

// winogradOutputAt calls the kernel's winogradOutput with byte
// addresses and distances, as gemmAt does.
//
//go:uintptrescapes
func (k *Kernel) winogradOutputAt(y, m, bias uintptr, relu, plain, images, rows, full, tail, tileRow, row, plane, channel, stride, matrix int, add bool) {
	k.winogradOutput.Invoke(y, m, bias, relu, plain, images, rows, full, tail, tileRow, row, plane, channel, stride, matrix, add)
}

// winogradGeometry reports whether g has tiles to transform, and panics
// on negative distances, which the slices' checks above would not
// catch.
func winogradGeometry(g *nn.WinogradTiles) bool {
	if g.Row < 0 || g.Plane < 0 || g.Channel < 0 || g.Stride < 0 || g.Matrix < 0 {
		panic(fmt.Sprintf("simd: Winograd transform of geometry %+v", *g))
	}
	return g.Channels > 0 && g.Images > 0 && g.Rows > 0 && g.Cols > 0
}

// ChannelPasses returns BatchNorm's passes on the kernel's vectors, for
// planes of a multiple of 4 values.
func (k *Kernel) ChannelPasses() *nn.ChannelPasses {
	return &nn.ChannelPasses{
		Sum: func(x []float32, hw, n, stride int) float64 {
			k.channelCall(chSum, hw, n, stride, x)
			return k.io[1]
		},
		SquaredDeviations: func(x []float32, hw, n, stride int, mean float64) float64 {
			k.io[0] = mean
			k.channelCall(chSquares, hw, n, stride, x)
			return k.io[1]
		},
		GradientSums: func(dy, x []float32, hw, n, stride int, mean, invStd float32) (float64, float64) {
			k.io[0], k.io[1] = float64(mean), float64(invStd)
			k.channelCall(chGradientSums, hw, n, stride, dy, x)
			return k.io[2], k.io[3]
		},
		Affine: func(y, x []float32, hw, n, stride int, scale, shift float32) {
			k.io[0], k.io[1] = float64(scale), float64(shift)
			k.channelCall(chAffine, hw, n, stride, y, x)
		},
		InputGradient: func(dx, dy, x []float32, hw, n, stride int, a, mdy, mdyx, mean, invStd float32) {
			k.io[0], k.io[1], k.io[2], k.io[3], k.io[4] = float64(a), float64(mdy), float64(mdyx), float64(mean), float64(invStd)
			k.channelCall(chInputGradient, hw, n, stride, dx, dy, x)
		},
	}
}

// channelCall checks that each of the streams holds n planes of hw
// values stride apart, hw a positive multiple of 4, and calls the pass
// i on them.
func (k *Kernel) channelCall(i, hw, n, stride int, streams ...[]float32) {
	if hw <= 0 || hw%4 != 0 || n <= 0 || stride < hw {
		panic(fmt.Sprintf("simd: BatchNorm pass on %d planes of %d values %d apart", n, hw, stride))
	}
	var at [3]uintptr
	for j, s := range streams {
		_ = s[(n-1)*stride+hw-1]
		at[j] = uintptr(unsafe.Pointer(unsafe.SliceData(s)))
	}
	switch len(streams) {
	case 1:
		k.channel1(k.channel[i], at[0], hw/4, n, 4*stride, k.io)
	case 2:
		k.channel2(k.channel[i], at[0], at[1], hw/4, n, 4*stride, k.io)
	default:
		k.channel3(k.channel[i], at[0], at[1], at[2], hw/4, n, 4*stride, k.io)
	}
}

// channel1, channel2 and channel3 call a BatchNorm pass of that many
// streams with byte addresses, as gemmAt does.
//
//go:uintptrescapes
func (k *Kernel) channel1(f js.Value, a uintptr, vecs, n, stride int, io *[5]float64) {
	f.Invoke(a, vecs, n, stride, uintptr(unsafe.Pointer(io)))
}

//go:uintptrescapes
func (k *Kernel) channel2(f js.Value, a, b uintptr, vecs, n, stride int, io *[5]float64) {
	f.Invoke(a, b, vecs, n, stride, uintptr(unsafe.Pointer(io)))
}

//go:uintptrescapes
func (k *Kernel) channel3(f js.Value, a, b, c uintptr, vecs, n, stride int, io *[5]float64) {
	f.Invoke(a, b, c, vecs, n, stride, uintptr(unsafe.Pointer(io)))
}

// IDCT is data.IDCTKernel: the inverse DCT of the len(coefs)/64 blocks
// of coefs, stored by column, into dst left to right, rows stride
// apart, leaving coefs zero.
func (k *Kernel) IDCT(dst []uint8, stride int, coefs []int32) {
	n := len(coefs) / 64
	if n == 0 {
		return
	}
	if len(coefs) != 64*n || stride < 8*n || len(dst) < 7*stride+8*n {
		panic(fmt.Sprintf("simd: IDCT of %d coefficients into %d bytes, rows %d apart", len(coefs), len(dst), stride))
	}
	k.idctAt(uintptr(unsafe.Pointer(unsafe.SliceData(dst))), stride, uintptr(unsafe.Pointer(unsafe.SliceData(coefs))), n)
}

// idctAt calls the kernel's idct with byte addresses, as gemmAt does.
//
//go:uintptrescapes
func (k *Kernel) idctAt(dst uintptr, stride int, coefs uintptr, blocks int) {
	k.idct.Invoke(dst, stride, coefs, blocks)
}
