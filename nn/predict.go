package nn

import (
	"cmp"
	"slices"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// ClassifyImage decodes an image file (JPEG, PNG, GIF or WebP), preprocesses it
// as the model's metadata says and returns the probability of each class.
// name is used in error messages. A Model is not safe for concurrent use.
func (m *Model) ClassifyImage(b []byte, name string) ([]float32, error) {
	pix, err := data.DecodeImage(b, name, m.Meta.InputSize, data.PhotoMaxPixels)
	if err != nil {
		return nil, err
	}
	return append([]float32(nil), m.Predict(pix, 1)...), nil
}

// Predict returns the class probabilities of n preprocessed images, n
// rows of len(Classes) values, in a buffer reused by the next call. pix
// holds the images in data.Set's layout.
func (m *Model) Predict(pix []uint8, n int) []float32 {
	s := m.Meta.InputSize
	m.x.Resize(n, 3, s, s)
	per := 3 * s * s
	for i := 0; i < n; i++ {
		m.Meta.Norm.Normalize(m.x.Data[i*per:(i+1)*per], pix[i*per:(i+1)*per])
	}
	logits := m.Net.Infer(&m.x)
	m.probs = grow(m.probs, logits.Len())
	Softmax(m.probs, logits)
	return m.probs
}

// TopK returns the indices of the k largest probabilities (all of them
// when there are fewer), largest first; ties keep class order.
func TopK(probs []float32, k int) []int {
	order := make([]int, len(probs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(probs[b], probs[a]) })
	return order[:min(max(k, 0), len(order))]
}
