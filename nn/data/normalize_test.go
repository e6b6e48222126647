package data

import (
	"errors"
	"math"
	"testing"
)

func TestNormalizationValue(t *testing.T) {
	imagenet := Normalization{Mean: [3]float32{0.485, 0.456, 0.406}, Std: [3]float32{0.229, 0.224, 0.225}}
	tests := []struct {
		norm Normalization
		c    int
		v    uint8
		want float64
	}{
		{Reference, 0, 0, -1},
		{Reference, 1, 255, 1},
		{Reference, 2, 51, -0.6},            // 51/255 = 0.2; (0.2-0.5)/0.5
		{Reference, 0, 204, 0.6},            // 204/255 = 0.8
		{Reference, 1, 128, 0.003921568627}, // 128/255 = 0.50196
		{imagenet, 0, 128, 0.07406},         // (0.50196-0.485)/0.229
		{imagenet, 2, 0, -1.804444},         // -0.406/0.225
		{imagenet, 1, 255, 2.428571},        // (1-0.456)/0.224
	}
	for _, tt := range tests {
		if got := tt.norm.Value(tt.c, tt.v); math.Abs(float64(got)-tt.want) > 1e-5 {
			t.Errorf("%v.Value(%d, %d) = %v, want %v", tt.norm, tt.c, tt.v, got, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	// A 2x2 image: pixel (y, x) has channels (10*y+x, 100, 255*x).
	pix := []uint8{0, 100, 0, 1, 100, 255, 10, 100, 0, 11, 100, 255}
	got := make([]float32, 12)
	Reference.Normalize(got, pix)
	v := func(u uint8) float32 { return (float32(u)/255 - 0.5) / 0.5 }
	want := []float32{
		v(0), v(1), v(10), v(11), // channel 0, rows y=0 then y=1
		v(100), v(100), v(100), v(100),
		-1, 1, -1, 1,
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Normalize: value %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestNormalizationValidate(t *testing.T) {
	if err := Reference.Validate(); err != nil {
		t.Errorf("Reference.Validate() = %v", err)
	}
	nan := float32(math.NaN())
	for _, n := range []Normalization{
		{Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0, 0.5}},
		{Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, -1}},
		{Mean: [3]float32{nan, 0.5, 0.5}, Std: [3]float32{0.5, 0.5, 0.5}},
		{Mean: [3]float32{0.5, 0.5, 0.5}, Std: [3]float32{float32(math.Inf(1)), 0.5, 0.5}},
	} {
		if err := n.Validate(); !errors.Is(err, ErrNormalization) {
			t.Errorf("%v.Validate() = %v, want ErrNormalization", n, err)
		}
	}
}
