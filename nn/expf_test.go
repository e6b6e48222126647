package nn

import (
	"math"
	"math/rand/v2"
	"testing"
)

// ulps returns how many float32 steps got is from the exact want.
func ulps(got float32, want float64) float64 {
	w := float32(want)
	step := math.Abs(float64(math.Nextafter32(w, float32(math.Inf(1))) - w))
	return math.Abs(float64(got)-want) / step
}

// TestExpfLogf checks the loss's exp and log within an ulp over the
// ranges a softmax sees, and at their edges.
func TestExpfLogf(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	worstExp, worstLog := 0.0, 0.0
	for range 200000 {
		x := float32(rng.Float64()*175 - 87) // exp's normal results
		worstExp = max(worstExp, ulps(expf(x), math.Exp(float64(x))))
		y := math.Float32frombits(rng.Uint32() & 0x7f7fffff) // any finite positive
		worstLog = max(worstLog, ulps(logf(y), math.Log(float64(y))))
	}
	for _, x := range []float32{0, 1, -1, 1e-8, -1e-8, 88.7, -87.3} {
		worstExp = max(worstExp, ulps(expf(x), math.Exp(float64(x))))
	}
	for _, y := range []float32{1, 2, 0.5, 1 + 1e-7, 1 - 1e-7, 1e-38, math.MaxFloat32, 6} {
		worstLog = max(worstLog, ulps(logf(y), math.Log(float64(y))))
	}
	if worstExp > 1 || worstLog > 1 {
		t.Errorf("expf within %.2f ulp, logf within %.2f ulp, want 1", worstExp, worstLog)
	}
	t.Logf("expf within %.3f ulp, logf within %.3f ulp", worstExp, worstLog)
	if expf(89) != float32(math.Inf(1)) || expf(-105) != 0 || expf(0) != 1 {
		t.Errorf("expf(89), expf(-105), expf(0) = %v, %v, %v", expf(89), expf(-105), expf(0))
	}
	nan := float32(math.NaN())
	if logf(0) != float32(math.Inf(-1)) || logf(-1) == logf(-1) || logf(1) != 0 || expf(nan) == expf(nan) {
		t.Errorf("logf(0), logf(-1), logf(1), expf(NaN) = %v, %v, %v, %v", logf(0), logf(-1), logf(1), expf(nan))
	}
}
