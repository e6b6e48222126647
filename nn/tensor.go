package nn

import "fmt"

// Tensor is a dense float32 array with a shape.
type Tensor struct {
	// Shape is the size of each dimension, outermost first (NCHW for images).
	Shape []int
	// Data holds the elements in row-major order: for an N×C×H×W tensor,
	// element (n, c, h, w) is at ((n*C+c)*H+h)*W+w.
	Data []float32
}

// NewTensor returns a zeroed tensor of the given shape.
func NewTensor(shape ...int) *Tensor {
	return &Tensor{Shape: append([]int(nil), shape...), Data: make([]float32, numel(shape))}
}

// Len returns the number of elements, the product of the shape.
func (t *Tensor) Len() int { return numel(t.Shape) }

// Resize sets the shape, reusing the backing array when it is large
// enough. The contents are unspecified afterwards.
func (t *Tensor) Resize(shape ...int) {
	n := numel(shape)
	if cap(t.Data) < n {
		t.Data = make([]float32, n)
	}
	t.Data = t.Data[:n]
	if len(t.Shape) != len(shape) {
		t.Shape = make([]int, len(shape))
	}
	copy(t.Shape, shape)
}

// String returns the shape, for error messages.
func (t *Tensor) String() string { return fmt.Sprint(t.Shape) }

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// dims4 returns the four dimensions of an NCHW tensor, panicking if it is
// not four-dimensional.
func dims4(t *Tensor) (n, c, h, w int) {
	if len(t.Shape) != 4 {
		panic(fmt.Sprintf("nn: want a 4-d NCHW tensor, got shape %v", t.Shape))
	}
	return t.Shape[0], t.Shape[1], t.Shape[2], t.Shape[3]
}

func clear32(s []float32) {
	for i := range s {
		s[i] = 0
	}
}
