package nn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestTeacherProbabilities checks what teachers say of a set's images:
// the average over the teachers of each image's and its mirror's
// probabilities, each row a distribution; and that a teacher of other
// classes or another input size is refused.
func TestTeacherProbabilities(t *testing.T) {
	set := tinySet(10, 8, 3, rand.New(rand.NewPCG(1, 2)))
	a, _ := tinyTrainer(t, set, 4, 1, 1, 1)
	b, _ := tinyTrainer(t, set, 4, 2, 1, 1)
	got, err := TeacherProbabilities([]*Model{a, b}, set)
	if err != nil {
		t.Fatal(err)
	}
	s, per, k := set.Size, 3*set.Size*set.Size, 3
	for i := 0; i < set.Len(); i++ {
		img := set.Image(i)
		flipped := make([]uint8, per)
		for y := 0; y < s; y++ {
			for x := 0; x < s; x++ {
				copy(flipped[(y*s+x)*3:(y*s+x)*3+3], img[(y*s+s-1-x)*3:])
			}
		}
		if slices.Equal(flipped, img) {
			t.Fatalf("image %d is its own mirror: a useless test", i)
		}
		var sum float64
		for j := 0; j < k; j++ {
			var want float32
			for _, m := range []*Model{a, b} {
				want += m.Predict(img, 1)[j] // Predict's buffer is reused
				want += m.Predict(flipped, 1)[j]
			}
			want /= 4
			if v := got[i*k+j]; math.Abs(float64(v-want)) > 1e-6 {
				t.Errorf("image %d, class %d: %v, want %v", i, j, v, want)
			}
			sum += float64(got[i*k+j])
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("image %d: probabilities summing to %v", i, sum)
		}
	}
	other := *set
	other.Classes = []string{"x", "y", "z"}
	if _, err := TeacherProbabilities([]*Model{a}, &other); err == nil || !strings.Contains(err.Error(), "classes") {
		t.Errorf("a teacher of other classes: got %v", err)
	}
	small := tinySet(4, 6, 3, rand.New(rand.NewPCG(1, 2)))
	if _, err := TeacherProbabilities([]*Model{a}, small); err == nil || !strings.Contains(err.Error(), "8×8") {
		t.Errorf("a teacher of another input size: got %v", err)
	}
}

// TestTrainerTeach checks that a recipe that distills trains on the
// teachers' probabilities: it refuses to step without them, its loss
// is the mixed target's, and a recipe naming teachers without a share,
// or a share without teachers, is refused.
func TestTrainerTeach(t *testing.T) {
	set := tinySet(12, 8, 3, rand.New(rand.NewPCG(3, 4)))
	idx := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
	teacher, _ := tinyTrainer(t, set, 4, 9, 1, 1)
	probs, err := TeacherProbabilities([]*Model{teacher}, set)
	if err != nil {
		t.Fatal(err)
	}
	m, tr := tinyTrainer(t, set, 4, 5, 3, 1)
	r := tr.Recipe
	r.Distill, r.Teachers = 0.5, []string{"teacher.safetensors"}
	if tr, err = NewTrainer(m, r, 3, 1); err != nil {
		t.Fatal(err)
	}
	if _, _, err := tr.Step(set, idx); err == nil || !strings.Contains(err.Error(), "teacher.safetensors") {
		t.Errorf("a step without the teachers' probabilities: got %v", err)
	}
	if err := tr.Teach(set, probs); err != nil {
		t.Fatal(err)
	}
	// What the step computes, by hand: the batch in training mode, and
	// the loss of the mixed targets.
	var x Tensor
	x.Resize(len(idx), 3, set.Size, set.Size)
	labels := make([]int, len(idx))
	set.Fill(x.Data, labels, idx, m.Meta.Norm, nil, nil)
	mixed := CrossEntropy{Distill: 0.5, Teacher: probs}
	plain := CrossEntropy{}
	logits := m.Net.Forward(&x, true)
	want, alone := float64(mixed.Forward(logits, labels)), float64(plain.Forward(logits, labels))
	if math.Abs(want-alone) < 1e-3 {
		t.Fatalf("the teacher changes the loss by %g only: a useless test", math.Abs(want-alone))
	}
	got, _, err := tr.Step(set, idx)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got-want) > 1e-5*want {
		t.Errorf("the step's loss %v, want the mixed targets' %v (the labels' alone: %v)", got, want, alone)
	}
	for _, bad := range []Recipe{{Distill: 0.5}, {Teachers: []string{"t.safetensors"}}, {Distill: 1.5, Teachers: []string{"t.safetensors"}}} {
		r := tr.Recipe
		r.Distill, r.Teachers = bad.Distill, bad.Teachers
		if err := r.Validate(); err == nil {
			t.Errorf("a recipe of distill %v and teachers %v validates", bad.Distill, bad.Teachers)
		}
	}
}
