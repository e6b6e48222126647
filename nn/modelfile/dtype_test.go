package modelfile

import (
	"encoding/binary"
	"math"
	"testing"
)

// halfReference converts binary16 to float64 from its definition:
// (-1)^s * 2^(e-15) * (1 + f/1024), or 2^-14 * f/1024 when e is 0.
func halfReference(h uint16) float64 {
	s, e, f := h>>15, int(h>>10&0x1f), float64(h&0x3ff)
	var v float64
	switch {
	case e == 0x1f && f == 0:
		v = math.Inf(1)
	case e == 0x1f:
		v = math.NaN()
	case e == 0:
		v = math.Ldexp(f/1024, -14)
	default:
		v = math.Ldexp(1+f/1024, e-15)
	}
	if s == 1 {
		v = math.Copysign(v, -1)
	}
	return v
}

func TestHalfToFloat32(t *testing.T) {
	for h := range 1 << 16 {
		got, want := halfToFloat32(uint16(h)), halfReference(uint16(h))
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) {
				t.Errorf("half 0x%04x: got %g, want NaN", h, got)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != math.Signbit(want) {
			t.Errorf("half 0x%04x: got %g, want %g", h, got, want)
		}
	}
}

func TestDecode(t *testing.T) {
	le := binary.LittleEndian
	tests := []struct {
		dtype string
		src   []byte
		want  []float32
	}{
		{"F32", le.AppendUint32(nil, math.Float32bits(-1.5)), []float32{-1.5}},
		{"F64", le.AppendUint64(nil, math.Float64bits(0.1)), []float32{0.1}},
		{"F16", []byte{0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00}, []float32{1, -2, 0x1p-24}},
		{"BF16", []byte{0x80, 0x3f, 0xc0, 0xbf}, []float32{1, -1.5}},
		{"I64", le.AppendUint64(le.AppendUint64(nil, 1<<40), math.MaxUint64), []float32{1 << 40, -1}},
		{"I32", le.AppendUint32(nil, math.MaxUint32), []float32{-1}},
		{"I16", []byte{0x00, 0x80}, []float32{-32768}},
		{"I8", []byte{0xff, 0x7f}, []float32{-1, 127}},
		{"U64", le.AppendUint64(nil, math.MaxUint64), []float32{1 << 64}},
		{"U32", le.AppendUint32(nil, math.MaxUint32), []float32{1 << 32}},
		{"U16", []byte{0xff, 0xff}, []float32{65535}},
		{"U8", []byte{0xff, 0}, []float32{255, 0}},
		{"BOOL", []byte{0, 1, 2}, []float32{0, 1, 1}},
	}
	for _, tt := range tests {
		dt := lookupDType(tt.dtype)
		if dt == nil {
			t.Errorf("dtype %s: not found", tt.dtype)
			continue
		}
		if len(tt.src) != len(tt.want)*dt.size {
			t.Fatalf("dtype %s: bad test: %d bytes for %d values", tt.dtype, len(tt.src), len(tt.want))
		}
		got := make([]float32, len(tt.want))
		dt.decode(got, tt.src)
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("dtype %s value %d: got %g, want %g", tt.dtype, i, got[i], tt.want[i])
			}
		}
	}
	if dt := lookupDType("F8_E4M3"); dt != nil {
		t.Errorf("got dtype %s for F8_E4M3, want none", dt.name)
	}
}

func TestSwapBytes(t *testing.T) {
	b := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	swapBytes(b, 4)
	want := []byte{4, 3, 2, 1, 8, 7, 6, 5}
	if string(b) != string(want) {
		t.Errorf("got %v, want %v", b, want)
	}
}
