package modelfile

import (
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// Tensor is one named tensor of a state dict. Data holds the values as
// float32 whatever the stored dtype.
type Tensor struct {
	// Name is the state-dict key, such as "layer1.0.conv1.weight".
	Name string
	// Shape lists the dimensions, outermost first; empty for a scalar.
	Shape []int
	// DType is "F32" for values stored as (or to be stored as) a float
	// kind and "I64" for an integer kind, like BatchNorm's
	// num_batches_tracked.
	DType string
	// Data holds the values in row-major order: the element at index
	// (i0, i1, ..., ik) is at i0*Shape[1]*...*Shape[k] + ... + ik.
	// len(Data) is the product of Shape (1 for a scalar).
	Data []float32
}

// Errors wrapped by everything the package returns about its input.
var (
	// ErrFormat reports input that is not a well-formed model file.
	ErrFormat = errors.New("modelfile: invalid format")
	// ErrUnsupported reports a well-formed file using a feature this
	// package does not read, such as an unknown dtype or TorchScript.
	ErrUnsupported = errors.New("modelfile: unsupported")
	// ErrTooLarge reports input beyond the package's limits.
	ErrTooLarge = errors.New("modelfile: too large")
	// ErrInvalidTensor reports a Tensor that cannot be written.
	ErrInvalidTensor = errors.New("modelfile: invalid tensor")
)

// contextError is an error with context inserted into its message after
// the sentinel's text, so that messages read "modelfile: invalid format:
// tensor fc.weight: ...". It wraps the original error.
type contextError struct {
	msg string
	err error
}

func (e *contextError) Error() string { return e.msg }
func (e *contextError) Unwrap() error { return e.err }

// withContext returns err with ctx (such as "tensor fc.weight") inserted
// after the package and sentinel prefix of its message.
func withContext(ctx string, err error) error {
	msg := err.Error()
	head, rest := "modelfile", msg
	for _, s := range [...]error{ErrFormat, ErrUnsupported, ErrTooLarge, ErrInvalidTensor} {
		if r, ok := strings.CutPrefix(msg, s.Error()+": "); ok {
			head, rest = s.Error(), r
			break
		}
	}
	if head == "modelfile" {
		rest = strings.TrimPrefix(msg, "modelfile: ")
	}
	return &contextError{msg: head + ": " + ctx + ": " + rest, err: err}
}

// Limits on input, documented in the package comment.
const (
	maxHeaderLen = 100 << 20 // bytes of a safetensors JSON header
	maxTensors   = 1 << 17   // tensors (and storages) in a file
	maxRank      = 32        // dimensions of a tensor
)

// DType values a Tensor may carry.
const (
	dtypeFloat = "F32"
	dtypeInt   = "I64"
)

// numElements returns the product of shape, or an error if a dimension is
// negative, the rank exceeds maxRank or the product overflows an int64.
func numElements(shape []int64) (int64, error) {
	if len(shape) > maxRank {
		return 0, fmt.Errorf("%w: shape %v has %d dimensions, more than %d", ErrTooLarge, shape, len(shape), maxRank)
	}
	n := uint64(1)
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("%w: shape %v has a negative dimension", ErrFormat, shape)
		}
		hi, lo := bits.Mul64(n, uint64(d))
		if hi != 0 || lo > 1<<62 {
			return 0, fmt.Errorf("%w: shape %v has too many elements", ErrTooLarge, shape)
		}
		n = lo
	}
	return int64(n), nil
}

// mulBytes returns n*size, or an error if it exceeds 1<<62.
func mulBytes(n int64, size int) (int64, error) {
	hi, lo := bits.Mul64(uint64(n), uint64(size))
	if hi != 0 || lo > 1<<62 {
		return 0, fmt.Errorf("%w: %d elements of %d bytes", ErrTooLarge, n, size)
	}
	return int64(lo), nil
}

// toInt64s converts a shape to int64s.
func toInt64s(shape []int) []int64 {
	s := make([]int64, len(shape))
	for i, d := range shape {
		s[i] = int64(d)
	}
	return s
}

// toInts converts a validated shape to ints.
func toInts(shape []int64) []int {
	s := make([]int, len(shape))
	for i, d := range shape {
		s[i] = int(d)
	}
	return s
}
