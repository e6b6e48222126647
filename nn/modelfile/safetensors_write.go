package modelfile

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"unicode/utf8"
)

// stEntryOut is a header entry as WriteSafetensors writes it.
type stEntryOut struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// WriteSafetensors writes tensors to w as a safetensors file, in the given
// order both in the header and in the data section, with metadata (if not
// nil) under "__metadata__" first in the header. A tensor with DType "F32"
// is stored as little-endian float32, one with "I64" as little-endian
// int64, each value rounded to the nearest integer. The header is padded
// with spaces so the data section starts at a multiple of 8 bytes.
//
// It returns an error wrapping ErrInvalidTensor, before writing anything,
// if a tensor has an empty, duplicate or non-UTF-8 name or the name
// "__metadata__", another DType, a negative dimension, a Data length that
// is not the product of its Shape, or (for I64) a value that is NaN or out
// of the int64 range.
func WriteSafetensors(w io.Writer, tensors []Tensor, metadata map[string]string) error {
	header, err := safetensorsHeader(tensors, metadata)
	if err != nil {
		return err
	}
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(header)))
	if _, err := w.Write(lenBuf[:]); err != nil {
		return fmt.Errorf("modelfile: writing safetensors: %w", err)
	}
	if _, err := w.Write(header); err != nil {
		return fmt.Errorf("modelfile: writing safetensors: %w", err)
	}
	buf := make([]byte, 0, 32<<10)
	for _, t := range tensors {
		for _, v := range t.Data {
			if len(buf)+8 > cap(buf) {
				if _, err := w.Write(buf); err != nil {
					return fmt.Errorf("modelfile: writing safetensors: %w", err)
				}
				buf = buf[:0]
			}
			if t.DType == dtypeInt {
				buf = binary.LittleEndian.AppendUint64(buf, uint64(int64(math.Round(float64(v)))))
			} else {
				buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			}
		}
	}
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("modelfile: writing safetensors: %w", err)
	}
	return nil
}

// safetensorsHeader checks tensors and returns the padded JSON header
// describing them.
func safetensorsHeader(tensors []Tensor, metadata map[string]string) ([]byte, error) {
	var h bytes.Buffer
	h.WriteByte('{')
	if metadata != nil {
		writeJSONMember(&h, metadataKey, metadata)
	}
	seen := make(map[string]bool, len(tensors))
	var offset int64
	for i := range tensors {
		t := &tensors[i]
		if err := checkWritable(t, seen); err != nil {
			return nil, err
		}
		size := int64(4)
		if t.DType == dtypeInt {
			size = 8
		}
		end := offset + size*int64(len(t.Data))
		shape := t.Shape
		if shape == nil {
			shape = []int{} // a scalar's shape is [], not null
		}
		writeJSONMember(&h, t.Name, stEntryOut{DType: t.DType, Shape: shape, DataOffsets: [2]int64{offset, end}})
		offset = end
	}
	h.WriteByte('}')
	for (8+h.Len())%8 != 0 {
		h.WriteByte(' ')
	}
	return h.Bytes(), nil
}

// writeJSONMember appends "key":value to an object being built in h,
// preceded by a comma unless it is the first member. key and value hold
// only strings and numbers, which always marshal.
func writeJSONMember(h *bytes.Buffer, key string, value any) {
	if h.Len() > 1 {
		h.WriteByte(',')
	}
	k, _ := json.Marshal(key)
	v, _ := json.Marshal(value)
	h.Write(k)
	h.WriteByte(':')
	h.Write(v)
}

// checkWritable checks that t can be written, recording its name in seen.
func checkWritable(t *Tensor, seen map[string]bool) error {
	switch {
	case t.Name == "" || t.Name == metadataKey || !utf8.ValidString(t.Name):
		return fmt.Errorf("%w: name %q", ErrInvalidTensor, t.Name)
	case seen[t.Name]:
		return fmt.Errorf("%w: duplicate name %q", ErrInvalidTensor, t.Name)
	case t.DType != dtypeFloat && t.DType != dtypeInt:
		return fmt.Errorf("%w: tensor %s: dtype %q, want %q or %q", ErrInvalidTensor, t.Name, t.DType, dtypeFloat, dtypeInt)
	}
	seen[t.Name] = true
	n, err := numElements(toInt64s(t.Shape))
	if err != nil {
		return fmt.Errorf("%w: tensor %s: %v", ErrInvalidTensor, t.Name, err)
	}
	if n != int64(len(t.Data)) {
		return fmt.Errorf("%w: tensor %s: shape %v holds %d values, Data has %d", ErrInvalidTensor, t.Name, t.Shape, n, len(t.Data))
	}
	if t.DType == dtypeInt {
		for i, v := range t.Data {
			if !(v >= -(1<<63) && v < 1<<63) {
				return fmt.Errorf("%w: tensor %s: value %d is %g, not an int64", ErrInvalidTensor, t.Name, i, v)
			}
		}
	}
	return nil
}
