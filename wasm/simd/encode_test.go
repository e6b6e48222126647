package simd

import (
	"bytes"
	"slices"
	"testing"
)

func TestAppendLEB128(t *testing.T) {
	for _, tc := range []struct {
		v    uint32
		want []byte
	}{
		{0, []byte{0x00}},
		{127, []byte{0x7f}},
		{128, []byte{0x80, 0x01}},
		{624485, []byte{0xe5, 0x8e, 0x26}},
		{1<<32 - 1, []byte{0xff, 0xff, 0xff, 0xff, 0x0f}},
	} {
		if got := appendU32(nil, tc.v); !bytes.Equal(got, tc.want) {
			t.Errorf("appendU32(%d): got % x, want % x", tc.v, got, tc.want)
		}
	}
	for _, tc := range []struct {
		v    int32
		want []byte
	}{
		{0, []byte{0x00}},
		{-1, []byte{0x7f}},
		{63, []byte{0x3f}},
		{64, []byte{0xc0, 0x00}},
		{-64, []byte{0x40}},
		{-65, []byte{0xbf, 0x7f}},
		{-123456, []byte{0xc0, 0xbb, 0x78}},
		{-1 << 31, []byte{0x80, 0x80, 0x80, 0x80, 0x78}},
	} {
		if got := appendS32(nil, tc.v); !bytes.Equal(got, tc.want) {
			t.Errorf("appendS32(%d): got % x, want % x", tc.v, got, tc.want)
		}
	}
}

// TestModuleLayout reads the module's sections back: their order and
// sizes, the imported memory and the exports. Whether an engine accepts
// the module is checked where there is one, under GOOS=js.
func TestModuleLayout(t *testing.T) {
	for _, fma := range []bool{false, true} {
		m := Module(fma)
		if !bytes.HasPrefix(m, []byte("\x00asm\x01\x00\x00\x00")) {
			t.Fatalf("fma %v: module starts % x, want the magic and version 1", fma, m[:min(8, len(m))])
		}
		secs := map[byte][]byte{}
		var ids []byte
		for r := m[8:]; len(r) > 0; {
			id := r[0]
			size, n := readU32(r[1:])
			if n == 0 || 1+n+int(size) > len(r) {
				t.Fatalf("fma %v: section %d of %d bytes overruns the module", fma, id, size)
			}
			secs[id] = r[1+n : 1+n+int(size)]
			ids = append(ids, id)
			r = r[1+n+int(size):]
		}
		// type, import, function, export, code
		if want := []byte{1, 2, 3, 7, 10}; !slices.Equal(ids, want) {
			t.Fatalf("fma %v: sections %v, want %v", fma, ids, want)
		}
		wantImport := append([]byte{1, 3}, "env\x06memory\x02\x00\x00"...)
		if got := secs[2]; !bytes.Equal(got, wantImport) {
			t.Errorf("fma %v: import section % x, want % x (env.memory, no maximum)", fma, got, wantImport)
		}
		names := []string{"gemm", "fma", "relu", "reluBackward", "reluRuns", "add", "addReLU", "idct", "interleave4", "interleave8", "gather", "gemmRows", "split",
			"channelSum", "channelSquares", "channelGradientSums", "channelAffine", "channelInputGradient", "winogradInput", "winogradOutput"}
		wantExport := []byte{byte(len(names))}
		for i, name := range names { // each a function, its index in turn
			wantExport = append(append(append(wantExport, byte(len(name))), name...), 0x00, byte(i))
		}
		if got := secs[7]; !bytes.Equal(got, wantExport) {
			t.Errorf("fma %v: export section % x, want % x", fma, got, wantExport)
		}
		// relaxed_madd is 0xfd 0x85 0x02; the plain module has none.
		if got := bytes.Contains(secs[10], []byte{0xfd, 0x85, 0x02}); got != fma {
			t.Errorf("fma %v: code has f32x4.relaxed_madd: %v", fma, got)
		}
	}
}

// readU32 reads an unsigned LEB128 number and returns it and its length,
// 0 if it is cut short.
func readU32(b []byte) (uint32, int) {
	var v uint32
	for i, c := range b {
		if i == 5 {
			break
		}
		v |= uint32(c&0x7f) << (7 * i)
		if c < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}
