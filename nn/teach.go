package nn

import (
	"fmt"
	"slices"
	"sync"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// Learning from teachers (knowledge distillation): a model trained with
// a recipe that distills learns, besides each image's label, what
// better models, its teachers, say of the image. Several models of one
// architecture, trained from different seeds, classify better together
// than any of them alone; their average probabilities for each training
// image, computed once before training, become part of that image's
// target (Recipe.Distill), so that one network learns what the ensemble
// knows.

// TeacherProbabilities returns what the teachers say of each image of
// set: their probabilities of each class, averaged over the teachers
// and over the image and its mirror image (so that a mirrored crop has
// the target its image has), set.Len() rows of len(set.Classes). Every
// teacher must know set's classes, in its order, and take images of
// set's size. The teachers classify at once, one goroutine each.
func TeacherProbabilities(teachers []*Model, set *data.Set) ([]float32, error) {
	if len(teachers) == 0 {
		return nil, fmt.Errorf("nn: no teachers")
	}
	for _, m := range teachers {
		switch {
		case !slices.Equal(m.Meta.Classes, set.Classes):
			return nil, fmt.Errorf("nn: a teacher of the classes %v for a data set of %v", m.Meta.Classes, set.Classes)
		case m.Meta.InputSize != set.Size:
			return nil, fmt.Errorf("nn: a teacher of %d×%d images for a data set read at %d×%d", m.Meta.InputSize, m.Meta.InputSize, set.Size, set.Size)
		}
	}
	mirrored := mirror(set)
	k := len(set.Classes)
	each := make([][]float32, len(teachers))
	var wg sync.WaitGroup
	for t, m := range teachers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			each[t] = make([]float32, set.Len()*k)
			for _, pix := range [][]uint8{set.Pix, mirrored} {
				addProbabilities(each[t], m, pix, set.Len())
			}
		}()
	}
	wg.Wait()
	out := make([]float32, set.Len()*k)
	for _, p := range each {
		for i, v := range p {
			out[i] += v
		}
	}
	scale := 1 / float32(2*len(teachers))
	for i := range out {
		out[i] *= scale
	}
	return out, nil
}

// addProbabilities adds m's probabilities for the n images of pix, in
// data.Set's layout, to sum.
func addProbabilities(sum []float32, m *Model, pix []uint8, n int) {
	const batch = 128
	s := m.Meta.InputSize
	per, k := 3*s*s, len(m.Meta.Classes)
	for lo := 0; lo < n; lo += batch {
		hi := min(lo+batch, n)
		for i, v := range m.Predict(pix[lo*per:hi*per], hi-lo) {
			sum[lo*k+i] += v
		}
	}
}

// mirror returns the pixels of set's images, each mirrored left to
// right.
func mirror(set *data.Set) []uint8 {
	s := set.Size
	out := make([]uint8, len(set.Pix))
	for row := 0; row < len(out); row += 3 * s {
		for x := 0; x < s; x++ {
			copy(out[row+3*x:row+3*x+3], set.Pix[row+3*(s-1-x):])
		}
	}
	return out
}
