package modelfile

import (
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

// TestScanPickleLengths checks what the scanner says of counted
// arguments whose length does not fit.
func TestScanPickleLengths(t *testing.T) {
	u32 := func(op byte, n uint32) []byte { return binary.LittleEndian.AppendUint32([]byte{0x80, 2, op}, n) }
	u64 := func(op byte, n uint64) []byte { return binary.LittleEndian.AppendUint64([]byte{0x80, 4, op}, n) }
	tests := []struct {
		name, pickle, want string
		wantShort          bool
	}{
		{"BINUNICODE", string(u32('X', math.MaxUint32)), "length 4294967295 is larger than the file", true},
		{"BINBYTES", string(u32('B', 1<<31)), "length 2147483648 is larger than the file", true},
		{"BINBYTES8", string(u64(0x8e, math.MaxUint64)), "length 18446744073709551615 is larger than the file", true},
		{"BINUNICODE8", string(u64(0x8d, 1<<40)), "length 1099511627776 is larger than the file", true},
		{"FRAME", string(u64(0x95, math.MaxUint64)), "frame of 18446744073709551615 bytes is larger than the file", true},
		{"BINSTRING, signed", string(u32('T', math.MaxUint32)), "length -1 is negative", false},
		{"LONG4, signed", string(u32(0x8b, 1<<31)), "length -2147483648 is negative", false},
		{"SHORT_BINUNICODE", "\x80\x02\x8c\x05abc", "length 5 is larger than the file", true},
		{"long but present", string(u32('X', 2<<20)) + strings.Repeat("a", 2<<20) + ".", "argument of 2097152 bytes, more than 1048576", false},
	}
	for _, tt := range tests {
		_, err := scanPickle([]byte(tt.pickle))
		var short shortPickle
		if !errors.Is(err, ErrFormat) || !strings.Contains(fmtErr(err), tt.want) || errors.As(err, &short) != tt.wantShort {
			t.Errorf("%s: got error %q (ends early: %v), want one saying %q (ends early: %v)",
				tt.name, fmtErr(err), errors.As(err, &short), tt.want, tt.wantShort)
		}
		if strings.Contains(fmtErr(err), "negative") != strings.Contains(tt.want, "negative") {
			t.Errorf("%s: got error %q, want negative mentioned only for signed lengths", tt.name, fmtErr(err))
		}
	}
}

// fmtErr returns err's message, or "" for nil.
func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestScanPickleLength(t *testing.T) {
	pkl := newPickle().str("abc").op('.').b
	n, err := scanPickle(append(pkl, "trailing"...))
	if err != nil || n != len(pkl) {
		t.Errorf("got length %d, error %v; want %d, nil", n, err, len(pkl))
	}
}
