//go:build js && wasm

package simd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"syscall/js"
	"testing"

	"github.com/intelscenes/resnet-browser/nn"
)

// goMemory returns this Go program's WebAssembly.Memory. The worker gets
// it from its JavaScript, which made the instance; under Node,
// wasm_exec_node.js keeps the instance to itself. But wasm_exec.js's Go
// class makes the JavaScript function of every js.FuncOf with its method
// _makeFuncWrapper, so a wrapper of that method sees the Go object, which
// holds the instance as _inst, once.
func goMemory(t testing.TB) js.Value {
	t.Helper()
	spy := js.Global().Get("Function").New(`
		const make = Go.prototype._makeFuncWrapper;
		let seen;
		Go.prototype._makeFuncWrapper = function (id) {
			Go.prototype._makeFuncWrapper = make;
			seen = this;
			return make.call(this, id);
		};
		return () => seen;`).Invoke()
	js.FuncOf(func(js.Value, []js.Value) any { return nil }).Release()
	mem := spy.Invoke().Get("_inst").Get("exports").Get("mem")
	if !mem.InstanceOf(js.Global().Get("WebAssembly").Get("Memory")) {
		t.Fatal("found no WebAssembly.Memory of this program (has wasm_exec.js changed?)")
	}
	return mem
}

// kernels returns an instance of each variant of the kernel module, the
// relaxed-SIMD one after enabling relaxed SIMD in Node if need be.
func kernels(t testing.TB) map[string]*Kernel {
	t.Helper()
	mem := goMemory(t)
	ks := map[string]*Kernel{}
	// The plain kernel first: before relaxed SIMD is enabled, it must
	// compile without it.
	for _, fma := range []bool{false, true} {
		name := map[bool]string{false: "simd", true: "fma"}[fma]
		if fma && !validates(Module(true)) {
			if req := js.Global().Get("require"); req.Type() == js.TypeFunction {
				req.Invoke("v8").Call("setFlagsFromString", "--experimental-wasm-relaxed-simd")
			}
		}
		k, err := Instantiate(mem, fma)
		if err != nil {
			t.Fatal(err)
		}
		if k.FMA() != fma {
			t.Fatalf("the %s kernel says FMA() = %v", name, k.FMA())
		}
		ks[name] = k
	}
	return ks
}

// validates reports whether the engine compiles the module b.
func validates(b []byte) bool {
	u8 := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(u8, b)
	return js.Global().Get("WebAssembly").Call("validate", u8).Bool()
}

// kernelCase is one call of the kernel: k, tiles and panels, with B in
// place (bs a row of B, panels side by side) or packed (ps past a whole
// panel), and the strides padded by pad elements.
type kernelCase struct {
	k, tiles, panels int
	packed           bool
	pad              int
}

func (kc kernelCase) String() string {
	return fmt.Sprintf("k%d_tiles%d_panels%d_packed%v_pad%d", kc.k, kc.tiles, kc.panels, kc.packed, kc.pad)
}

// strides returns the case's ps, bs and ldc, and the lengths of a, b, c.
func (kc kernelCase) strides() (ps, bs, ldc, na, nb, nc int) {
	ps, bs = 8, 8*kc.panels+kc.pad
	if kc.packed {
		ps, bs = 8*kc.k+kc.pad, 8
	}
	ldc = 8*kc.panels + kc.pad
	nb = (kc.panels-1)*ps + (kc.k-1)*bs + 8
	return ps, bs, ldc, 4 * kc.tiles * kc.k, nb, 4*kc.tiles*ldc - kc.pad
}

// kernelWant is nn.GemmKernel's loop in float64. It returns c, and for
// each element the sum of its terms' magnitudes, a bound of its rounding
// error.
func kernelWant(kc kernelCase, a, b, c []float32, add bool) ([]float32, []float64) {
	ps, bs, ldc, _, _, _ := kc.strides()
	want := append([]float32(nil), c...)
	bound := make([]float64, len(c))
	for i := 0; i < 4*kc.tiles; i++ {
		for j := 0; j < 8*kc.panels; j++ {
			var s, abs float64
			if add {
				s, abs = float64(c[i*ldc+j]), math.Abs(float64(c[i*ldc+j]))
			}
			for p := 0; p < kc.k; p++ {
				t := float64(a[i/4*4*kc.k+p*4+i%4]) * float64(b[j/8*ps+p*bs+j%8])
				s += t
				abs += math.Abs(t)
			}
			want[i*ldc+j], bound[i*ldc+j] = float32(s), abs
		}
	}
	return want, bound
}

// checkKernel runs k on the case's operands and compares C with
// kernelWant, exactly or within rounding, padding included.
func checkKernel(t *testing.T, k *Kernel, kc kernelCase, a, b, c []float32, add, exact bool) {
	t.Helper()
	ps, bs, ldc, _, _, _ := kc.strides()
	want, bound := kernelWant(kc, a, b, c, add)
	got := append([]float32(nil), c...)
	k.Gemm(kc.k, kc.tiles, kc.panels, a, b, ps, bs, got, ldc, add)
	rel := float64(kc.k+1) * 0x1p-23 // twice the bound of any float32 sum order
	for i := range got {
		tol := rel*bound[i] + 1e-30
		if exact {
			tol = 0
		}
		if d := math.Abs(float64(got[i]) - float64(want[i])); !(d <= tol) && !(math.IsNaN(float64(got[i])) && math.IsNaN(float64(want[i]))) {
			t.Fatalf("%v add=%v: c[%d] (row %d, column %d) = %v, want %v", kc, add, i, i/ldc, i%ldc, got[i], want[i])
		}
	}
}

func kernelCases(rng *rand.Rand) []kernelCase {
	var cases []kernelCase
	for _, k := range []int{1, 2, 3, 4, 7, 64, 255, 256} {
		for tiles := 1; tiles <= 3; tiles++ {
			for panels := 1; panels <= 3; panels++ {
				cases = append(cases, kernelCase{k, tiles, panels, false, 0}, kernelCase{k, tiles, panels, true, 3})
			}
		}
	}
	for range 50 {
		cases = append(cases, kernelCase{1 + rng.IntN(300), 1 + rng.IntN(8), 1 + rng.IntN(8), rng.IntN(2) == 0, rng.IntN(5)})
	}
	return cases
}

func TestKernelAgainstLoop(t *testing.T) {
	for name, k := range kernels(t) {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 1))
			for _, kc := range kernelCases(rng) {
				_, _, _, na, nb, nc := kc.strides()
				a, b, c := randSlice(rng, na), randSlice(rng, nb), randSlice(rng, nc)
				for _, add := range []bool{false, true} {
					checkKernel(t, k, kc, a, b, c, add, false)
				}
			}
		})
	}
}

// TestKernelSpecialInputs checks exact results: zero A and B give zero C
// (NaN already in C included, unless adding) and leave the padding
// between C's rows alone; an impulse in A copies a row of B.
func TestKernelSpecialInputs(t *testing.T) {
	for name, k := range kernels(t) {
		t.Run(name, func(t *testing.T) {
			for _, kc := range []kernelCase{{1, 1, 1, false, 0}, {5, 2, 3, false, 2}, {9, 3, 2, true, 1}, {256, 2, 2, true, 0}} {
				_, _, ldc, na, nb, nc := kc.strides()
				a, b, c := make([]float32, na), make([]float32, nb), make([]float32, nc)
				for i := range c {
					c[i] = float32(math.NaN())
				}
				got := append([]float32(nil), c...)
				ps, bs, _, _, _, _ := kc.strides()
				k.Gemm(kc.k, kc.tiles, kc.panels, a, b, ps, bs, got, ldc, false)
				for i, v := range got {
					inside := i%ldc < 8*kc.panels
					if inside && v != 0 || !inside && !math.IsNaN(float64(v)) {
						t.Fatalf("%v zeros: c[%d] = %v, want %s", kc, i, v, map[bool]string{true: "0", false: "NaN untouched"}[inside])
					}
				}
				for i := range b {
					b[i] = float32(i%13) + 1
				}
				for i := range c {
					c[i] = float32(i%7) - 3
				}
				for _, ip := range [][2]int{{0, 0}, {4*kc.tiles - 1, kc.k - 1}, {kc.tiles * 2, kc.k / 2}} {
					at := ip[0]/4*4*kc.k + ip[1]*4 + ip[0]%4
					a[at] = 1
					for _, add := range []bool{false, true} {
						checkKernel(t, k, kc, a, b, c, add, true)
					}
					a[at] = 0
				}
			}
		})
	}
}

// TestKernelSeesMemoryGrow runs the kernel on slices made after the
// memory grew past its size when the kernel was instantiated.
func TestKernelSeesMemoryGrow(t *testing.T) {
	mem := goMemory(t)
	k, err := Instantiate(mem, false)
	if err != nil {
		t.Fatal(err)
	}
	before := mem.Get("buffer").Get("byteLength").Int()
	big := make([]float32, before/4+1<<20) // more than the whole memory was
	if after := mem.Get("buffer").Get("byteLength").Int(); after <= before {
		t.Fatalf("the memory did not grow: %d bytes, then %d", before, after)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	kc := kernelCase{k: 40, tiles: 2, panels: 3}
	_, _, _, na, nb, nc := kc.strides()
	tail := big[len(big)-na-nb-nc:]
	a, b, c := tail[:na], tail[na:na+nb], tail[na+nb:]
	copy(a, randSlice(rng, na))
	copy(b, randSlice(rng, nb))
	checkKernel(t, k, kc, a, b, c, false, false)
}

// TestGemmWithKernel checks nn.Gemm with the kernel set, packing in Go
// or with the kernel's transposes, against a float64 loop over shapes
// with every transposition, accumulation, tiles cut by every edge, blocks
// of depth, padded rows, and the network's shapes.
func TestGemmWithKernel(t *testing.T) {
	for name, k := range kernels(t) {
		for _, interleave := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/interleave=%v", name, interleave), func(t *testing.T) {
				nn.SetGemmKernel(k.Gemm)
				defer nn.SetGemmKernel(nil)
				if interleave {
					nn.SetInterleaveKernel(k.Interleave)
					nn.SetGatherKernel(k.Gather)
					defer nn.SetInterleaveKernel(nil)
					defer nn.SetGatherKernel(nil)
				}
				rng := rand.New(rand.NewPCG(1, 1))
				var buf nn.GemmBuffer
				for _, g := range gemmCases(rng) {
					g.check(t, &buf, rng)
				}
			})
		}
	}
}

// TestInterleave checks the kernel's transposes against
// nn.InterleaveKernel's definition, bit for bit, for both widths, depths
// on either side of a multiple of 4, padded rows and several panels,
// into a buffer of garbage whose elements past the panels must stay.
func TestInterleave(t *testing.T) {
	k := kernels(t)["simd"]
	rng := rand.New(rand.NewPCG(5, 1))
	for _, w := range []int{4, 8} {
		for _, kb := range []int{1, 3, 4, 5, 8, 13, 64, 255, 256} {
			for _, panels := range []int{1, 2, 5} {
				lds := kb + rng.IntN(3)
				src := randSlice(rng, (w*panels-1)*lds+kb)
				dst := randSlice(rng, w*panels*kb+3)
				want := append([]float32(nil), dst...)
				for tp := range panels {
					for p := range kb {
						for q := range w {
							want[tp*w*kb+p*w+q] = src[(tp*w+q)*lds+p]
						}
					}
				}
				k.Interleave(dst, w, src, lds, kb, panels)
				for i := range want {
					if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
						t.Fatalf("w %d, depth %d, %d panels, rows %d apart: dst[%d] = %v, want %v", w, kb, panels, lds, i, dst[i], want[i])
					}
				}
			}
		}
	}
}

// TestGather checks the kernel's gather against nn.GatherKernel's loop:
// rows anywhere in memory (runs of one slice, overlapping, and slices of
// their own), NaN bits included, and the values around the panels left
// as they were.
func TestGather(t *testing.T) {
	k := kernels(t)["simd"]
	rng := rand.New(rand.NewPCG(5, 2))
	for _, kb := range []int{1, 2, 7, 145, 256} {
		for _, panels := range []int{1, 3, 256} {
			j0 := 8 * rng.IntN(3)
			src := randSlice(rng, j0+8*panels+40)
			src[3] = math.Float32frombits(0x7fc00001) // a NaN's payload must survive
			rows := make([][]float32, kb)
			for p := range rows {
				if p%3 == 2 {
					rows[p] = randSlice(rng, j0+8*panels)
					continue
				}
				o := rng.IntN(41)
				rows[p] = src[o : o+j0+8*panels]
			}
			dst := randSlice(rng, 8*panels*kb+5)
			want := append([]float32(nil), dst...)
			for tp := range panels {
				for p, r := range rows {
					copy(want[(tp*kb+p)*8:(tp*kb+p+1)*8], r[j0+8*tp:j0+8*tp+8])
				}
			}
			k.Gather(dst, rows, j0, panels)
			for i := range want {
				if math.Float32bits(dst[i]) != math.Float32bits(want[i]) {
					t.Fatalf("depth %d, %d panels from column %d: dst[%d] = %v, want %v", kb, panels, j0, i, dst[i], want[i])
				}
			}
		}
	}
}

// TestSplit checks the kernel's split against nn.SplitKernel's loop, NaN
// bits included, at widths of one vector and more, and the values
// around the rows written left as they were.
func TestSplit(t *testing.T) {
	k := kernels(t)["simd"]
	rng := rand.New(rand.NewPCG(5, 3))
	for _, w := range []int{4, 8, 20} {
		for _, shape := range [][2]int{{1, 1}, {3, 2}, {16, 7}} {
			rows, planes := shape[0], shape[1]
			srcRow, dstRow := 2*w+3, w+1
			srcPlane, dstPlane := rows*srcRow+5, (rows+1)*dstRow
			src := randSlice(rng, planes*srcPlane)
			src[2] = math.Float32frombits(0x7fc00001)
			even, odd := randSlice(rng, planes*dstPlane), randSlice(rng, planes*dstPlane)
			wantEven, wantOdd := append([]float32(nil), even...), append([]float32(nil), odd...)
			for tp := range planes {
				for r := range rows {
					for j := range w {
						wantEven[tp*dstPlane+r*dstRow+j] = src[tp*srcPlane+r*srcRow+2*j]
						wantOdd[tp*dstPlane+r*dstRow+j] = src[tp*srcPlane+r*srcRow+2*j+1]
					}
				}
			}
			k.Split(even, odd, src, w, rows, planes, srcRow, srcPlane, dstRow, dstPlane)
			for i := range even {
				if math.Float32bits(even[i]) != math.Float32bits(wantEven[i]) || math.Float32bits(odd[i]) != math.Float32bits(wantOdd[i]) {
					t.Fatalf("width %d, %d rows, %d planes: at %d got %v and %v, want %v and %v", w, rows, planes, i, even[i], odd[i], wantEven[i], wantOdd[i])
				}
			}
		}
	}
}

func randSlice(rng *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(rng.NormFloat64())
	}
	return s
}

// TestGemmRows checks nn.GemmRows with the kernel's gemmRows, which
// reads B's rows in place, against GemmRows packing them with the
// kernel's gather, bit for bit: rows anywhere in memory, tiles cut by
// every edge, blocks of depth, accumulation, NaN bits included.
func TestGemmRows(t *testing.T) {
	for name, k := range kernels(t) {
		t.Run(name, func(t *testing.T) {
			nn.SetGemmKernel(k.Gemm)
			nn.SetGatherKernel(k.Gather)
			defer nn.SetGemmKernel(nil)
			defer nn.SetGatherKernel(nil)
			rng := rand.New(rand.NewPCG(5, 3))
			var buf nn.GemmBuffer
			for _, m := range []int{1, 4, 6, 16} {
				for _, n := range []int{3, 8, 13, 64, 1100} {
					for _, kc := range []int{1, 7, 145, 300} {
						src := randSlice(rng, n+40)
						src[5] = math.Float32frombits(0x7fc00001)
						rows := make([][]float32, kc)
						for p := range rows {
							if p%3 == 2 {
								rows[p] = randSlice(rng, n)
								continue
							}
							o := rng.IntN(41)
							rows[p] = src[o : o+n]
						}
						a := randSlice(rng, m*kc)
						c0 := randSlice(rng, m*n)
						for _, acc := range []bool{false, true} {
							want := append([]float32(nil), c0...)
							nn.GemmRows(&buf, m, n, a, kc, rows, want, n, acc)
							nn.SetRowsGemmKernel(k.GemmRows)
							got := append([]float32(nil), c0...)
							nn.GemmRows(&buf, m, n, a, kc, rows, got, n, acc)
							nn.SetRowsGemmKernel(nil)
							for i := range want {
								if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
									t.Fatalf("%d×%d×%d, accumulate %v: c[%d] = %v, want %v", m, n, kc, acc, i, got[i], want[i])
								}
							}
						}
					}
				}
			}
		})
	}
}
