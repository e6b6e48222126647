package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/chewxy/math32"
)

// TestBatchNormSums checks BatchNorm's interleaved sums against plain
// loops on lengths around their unrolling, odd ones included.
func TestBatchNormSums(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	for n := 0; n <= 9; n++ {
		x, dy := make([]float32, n), make([]float32, n)
		for i := range x {
			x[i], dy[i] = float32(rng.NormFloat64()+3), float32(rng.NormFloat64())
		}
		const mean, inv = 2.5, 1.25
		var s, ss, sdy, sdyx float64
		for i, v := range x {
			s += float64(v)
			ss += (float64(v) - mean) * (float64(v) - mean)
			sdy += float64(dy[i])
			sdyx += float64(dy[i]) * float64(float32((v-mean)*inv))
		}
		a, ax := gradientSums(dy, x, mean, inv)
		for _, c := range []struct {
			name      string
			got, want float64
		}{{"sum64", sum64(x), s}, {"squaredDeviations", squaredDeviations(x, mean), ss},
			{"gradientSums dy", a, sdy}, {"gradientSums dy*xhat", ax, sdyx}} {
			if math.Abs(c.got-c.want) > 1e-12*math.Max(1, math.Abs(c.want)) {
				t.Errorf("n=%d %s: %v, want %v", n, c.name, c.got, c.want)
			}
		}
	}
}

// TestSqrt32 wants math32.Sqrt's bits from sqrt32 on special values and
// on a spread of floats, subnormals included.
func TestSqrt32(t *testing.T) {
	vals := []float32{0, float32(math.Copysign(0, -1)), 1, 2, -1, float32(math.Inf(1)), float32(math.Inf(-1)),
		float32(math.NaN()), math.SmallestNonzeroFloat32, math.MaxFloat32}
	rng := rand.New(rand.NewPCG(3, 3))
	for range 100000 {
		vals = append(vals, math.Float32frombits(rng.Uint32()&0x7fffffff))
	}
	for _, v := range vals {
		got, want := sqrt32(v), math32.Sqrt(v)
		if math.Float32bits(got) != math.Float32bits(want) && !(got != got && want != want) {
			t.Fatalf("sqrt32(%v) = %v, math32.Sqrt gives %v", v, got, want)
		}
	}
}
