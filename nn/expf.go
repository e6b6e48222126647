package nn

import "math"

// The loss's exponential and logarithm, the same bits on every
// platform. math32.Exp and math32.Log run assembly on amd64 and Go in
// WebAssembly, which round differently in the last bit: enough, through
// Adam's division by the gradients' root mean square, to take a page run
// and cmd/resnet train of the same recipe 3e-3 apart within 20 steps,
// where with these they give the same losses. Both work in float64, whose
// operations round alike everywhere; the explicit conversions keep a
// compiler from fusing a multiply and an add (as Go may on arm64).
// Either is within an ulp of the exact float32 result, nearly always the
// correctly rounded one.

const (
	expfMax = 88.72284    // above: exp overflows float32
	expfMin = -103.972084 // below: exp underflows to 0
)

// expf returns e**x.
func expf(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > expfMax:
		return float32(math.Inf(1))
	case x < expfMin:
		return 0
	}
	// x = n·ln2 + r with |r| ≤ ln2/2; e**r by its Taylor series to the
	// 10th power, within 1e-11 relative.
	xd := float64(x)
	n := math.Floor(xd*math.Log2E + 0.5)
	r := xd - float64(n*math.Ln2)
	p := 1.0
	for k := 10; k >= 1; k-- {
		p = 1 + float64(r*p)/float64(k)
	}
	return float32(math.Ldexp(p, int(n)))
}

// logf returns the natural logarithm of x.
func logf(x float32) float32 {
	switch {
	case x != x || x < 0:
		return float32(math.NaN())
	case x == 0:
		return float32(math.Inf(-1))
	case x > math.MaxFloat32:
		return x
	}
	// x = m·2**e with √½ ≤ m < √2; log m = 2·atanh(s), s = (m-1)/(m+1),
	// |s| ≤ 0.172, by its series to the 17th power, within 1e-14.
	m, e := math.Frexp(float64(x))
	if m < math.Sqrt2/2 {
		m, e = 2*m, e-1
	}
	s := (m - 1) / (m + 1)
	s2 := float64(s * s)
	p := 0.0
	for k := 17; k >= 1; k -= 2 {
		p = 1/float64(k) + float64(s2*p)
	}
	return float32(float64(float64(e)*math.Ln2) + float64(2*float64(s*p)))
}
