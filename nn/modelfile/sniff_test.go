package modelfile

import (
	"encoding/binary"
	"testing"
)

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"seed-resnet14.pth", readTestdata(t, "seed-resnet14.pth")[:16], "pytorch"},
		{"independent.safetensors", readTestdata(t, "independent.safetensors")[:16], "safetensors"},
		{"legacy.pth", readTestdata(t, "legacy.pth")[:16], "pytorch"},
		{"legacy magic only", []byte(legacyMagic), "pytorch"},
		{"legacy magic cut", []byte(legacyMagic[:13]), ""},
		{"other pickled long", []byte("\x80\x02\x8a\x0a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00."), ""},
		{"empty", nil, ""},
		{"zip magic only", []byte("PK\x03\x04"), "pytorch"},
		{"empty zip", []byte("PK\x05\x06"), ""},
		{"header length 0", append(binary.LittleEndian.AppendUint64(nil, 0), '{'), ""},
		{"header length huge", append(binary.LittleEndian.AppendUint64(nil, 1<<40), '{'), ""},
		{"no brace", append(binary.LittleEndian.AppendUint64(nil, 16), '['), ""},
		{"8 bytes", binary.LittleEndian.AppendUint64(nil, 16), ""},
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), ""},
	}
	for _, tt := range tests {
		if got := Sniff(tt.head); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}
