package nn

import (
	"math"
	"math/rand/v2"
	"testing"
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
