package modelfile

import (
	"bytes"
	"encoding/binary"
)

// Sniff reports the format of a model file from its first bytes (16 are
// plenty): "safetensors" if they hold a plausible header length followed
// by '{', "pytorch" if they start with a zip archive's magic PK\x03\x04
// (as torch.save writes; ReadPyTorch tells whether the zip really is
// one) or with the pickled magic number of torch.save's legacy format,
// or "" if neither.
func Sniff(head []byte) string {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte(legacyMagic)) {
		return "pytorch"
	}
	if len(head) >= 9 {
		n := binary.LittleEndian.Uint64(head)
		if n >= 2 && n <= maxHeaderLen && head[8] == '{' {
			return "safetensors"
		}
	}
	return ""
}
