package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
)

// numberedSet returns n images of size x size whose every channel value
// is the image's index, labelled index % 3.
func numberedSet(n, size int) *Set {
	s := &Set{Size: size, Classes: []string{"a", "b", "c"}}
	for i := range n {
		for range size * size * 3 {
			s.Pix = append(s.Pix, uint8(i))
		}
		s.Labels = append(s.Labels, i%3)
		s.Names = append(s.Names, strconv.Itoa(i))
	}
	return s
}

// checkConsistent checks that each image of s still has its own pixels
// and label.
func checkConsistent(t *testing.T, s *Set) {
	t.Helper()
	for k, name := range s.Names {
		i, _ := strconv.Atoi(name)
		if s.Labels[k] != i%3 || s.Image(k)[0] != uint8(i) || s.Image(k)[len(s.Image(k))-1] != uint8(i) {
			t.Fatalf("image %d (%s) has label %d and pixels %d..., want %d and %d", k, name, s.Labels[k], s.Image(k)[0], i%3, i)
		}
	}
}

func TestSubset(t *testing.T) {
	s := numberedSet(5, 2)
	sub := s.Subset([]int{4, 0, 4})
	if got, want := sub.Names, []string{"4", "0", "4"}; !slices.Equal(got, want) {
		t.Errorf("Names = %q, want %q", got, want)
	}
	checkConsistent(t, sub)
	sub.Pix[0] = 99
	if s.Pix[4*12] != 4 {
		t.Errorf("Subset shares pixels with its set")
	}
	if got, want := s.Counts(), []int{2, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("Counts() = %v, want %v", got, want)
	}
}

func TestSplitSizes(t *testing.T) {
	tests := []struct {
		n             int
		frac          float64
		first, second int
	}{
		{14034, 0.2, 11227, 2807}, // the reference notebook's split
		{10, 0.2, 8, 2},
		{10, 0.25, 7, 3}, // floor(7.5)
		{3, 0.5, 1, 2},
		{10, 0, 10, 0},
		{10, 1, 0, 10},
		{0, 0.2, 0, 0},
	}
	for _, tt := range tests {
		if a, b := SplitSizes(tt.n, tt.frac); a != tt.first || b != tt.second {
			t.Errorf("SplitSizes(%d, %v) = %d, %d; want %d, %d", tt.n, tt.frac, a, b, tt.first, tt.second)
		}
	}
}

func TestSplit(t *testing.T) {
	s := numberedSet(50, 2)
	train, val := s.Split(0.2, rand.New(rand.NewPCG(1, 2)))
	if train.Len() != 40 || val.Len() != 10 {
		t.Fatalf("Split sizes %d, %d; want 40, 10", train.Len(), val.Len())
	}
	checkConsistent(t, train)
	checkConsistent(t, val)
	all := slices.Concat(train.Names, val.Names)
	slices.Sort(all)
	want := slices.Clone(s.Names)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Errorf("the two parts hold %q, want every image once", all)
	}
	train2, val2 := s.Split(0.2, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(train.Names, train2.Names) || !slices.Equal(val.Names, val2.Names) {
		t.Errorf("the same seed gave different splits")
	}
	train3, _ := s.Split(0.2, rand.New(rand.NewPCG(3, 4)))
	if slices.Equal(train.Names, train3.Names) {
		t.Errorf("different seeds gave the same split")
	}
	if slices.IsSorted(train.Names) {
		t.Errorf("train part not shuffled: %q", train.Names)
	}
}

func TestFill(t *testing.T) {
	s := numberedSet(4, 2)
	s.Pix[3*12+5] = 255 // image 3, pixel (0, 1), channel 2
	dst := make([]float32, 2*12)
	labels := make([]int, 2)
	s.Fill(dst, labels, []int{3, 1}, Reference, nil, nil)
	v3, v1 := Reference.Value(0, 3), Reference.Value(0, 1)
	want := []float32{
		v3, v3, v3, v3, v3, v3, v3, v3, v3, 1, v3, v3, // image 3: C0, C1, C2 planes
		v1, v1, v1, v1, v1, v1, v1, v1, v1, v1, v1, v1,
	}
	if !slices.Equal(dst, want) {
		t.Errorf("Fill values\n%v\nwant\n%v", dst, want)
	}
	if !slices.Equal(labels, []int{0, 1}) {
		t.Errorf("Fill labels %v, want [0 1]", labels)
	}
}

// TestCrop checks crops of a 3x3 image, pixel (y, x) = 10y+x+1, padded by
// 1, against outputs worked out by hand (0 is padding).
func TestCrop(t *testing.T) {
	var pix []uint8
	for y := range 3 {
		for x := range 3 {
			v := uint8(10*y + x + 1)
			pix = append(pix, v, v, 200)
		}
	}
	tests := []struct {
		top, left int
		flip      bool
		want      [9]uint8
	}{
		{1, 1, false, [9]uint8{1, 2, 3, 11, 12, 13, 21, 22, 23}},
		{1, 1, true, [9]uint8{3, 2, 1, 13, 12, 11, 23, 22, 21}},
		{0, 2, false, [9]uint8{0, 0, 0, 2, 3, 0, 12, 13, 0}},
		{0, 2, true, [9]uint8{0, 0, 0, 0, 3, 2, 0, 13, 12}},
		{2, 1, false, [9]uint8{11, 12, 13, 21, 22, 23, 0, 0, 0}},
		{2, 0, true, [9]uint8{12, 11, 0, 22, 21, 0, 0, 0, 0}},
	}
	tab := Reference.table()
	for _, tt := range tests {
		got := make([]float32, 27)
		crop(got, pix, 3, 1, tt.top, tt.left, tt.flip, &tab)
		for i, v := range tt.want {
			blue := uint8(200)
			if v == 0 {
				blue = 0
			}
			if got[i] != tab[0][v] || got[9+i] != tab[1][v] || got[18+i] != tab[2][blue] {
				t.Errorf("crop(top %d, left %d, flip %v): pixel %d = %v, %v, %v; want channel values %d, %d, %d",
					tt.top, tt.left, tt.flip, i, got[i], got[9+i], got[18+i], v, v, blue)
			}
		}
	}
}

func TestFillAugment(t *testing.T) {
	s := numberedSet(3, 4)
	for i := range s.Pix {
		s.Pix[i] = uint8(i)
	}
	aug := &Augment{Pad: 1, FlipProb: 0.5}
	idx := []int{2, 0, 1, 2}
	dst := make([]float32, len(idx)*48)
	s.Fill(dst, make([]int, len(idx)), idx, Reference, aug, rand.New(rand.NewPCG(7, 7)))

	twin := rand.New(rand.NewPCG(7, 7))
	tab := Reference.table()
	want := make([]float32, 48)
	for k, i := range idx {
		top, left, flip := aug.draw(twin)
		crop(want, s.Image(i), 4, 1, top, left, flip, &tab)
		if !slices.Equal(dst[k*48:(k+1)*48], want) {
			t.Errorf("image %d: Fill differs from crop(top %d, left %d, flip %v)", k, top, left, flip)
		}
	}

	// Every offset and both flips occur, flips about half of the time.
	rng := rand.New(rand.NewPCG(1, 1))
	seen := map[string]int{}
	flips := 0
	const n = 4000
	for range n {
		top, left, flip := aug.draw(rng)
		seen[fmt.Sprint(top, left)]++
		if flip {
			flips++
		}
	}
	if len(seen) != 9 || flips < n*45/100 || flips > n*55/100 {
		t.Errorf("%d draws gave offsets %v and %d flips", n, seen, flips)
	}

	// Zero Augment changes nothing and draws nothing.
	rng = rand.New(rand.NewPCG(1, 1))
	none := make([]float32, 48)
	s.Fill(none, make([]int, 1), []int{1}, Reference, &Augment{}, rng)
	plain := make([]float32, 48)
	s.Fill(plain, make([]int, 1), []int{1}, Reference, nil, nil)
	if !slices.Equal(none, plain) || rng.Uint64() != rand.New(rand.NewPCG(1, 1)).Uint64() {
		t.Errorf("Fill with a zero Augment changed the image or drew from rng")
	}
}

func TestFillAllocatesNothing(t *testing.T) {
	s := numberedSet(10, 8)
	idx := []int{3, 1, 4, 1, 5}
	dst := make([]float32, len(idx)*3*64)
	labels := make([]int, len(idx))
	rng := rand.New(rand.NewPCG(1, 1))
	for _, aug := range []*Augment{nil, &DefaultAugment} {
		if n := testing.AllocsPerRun(20, func() { s.Fill(dst, labels, idx, Reference, aug, rng) }); n != 0 {
			t.Errorf("Fill with augment %v: %v allocations, want 0", aug, n)
		}
	}
}

func TestFillPanics(t *testing.T) {
	s := numberedSet(3, 2)
	for name, f := range map[string]func(){
		"short dst":    func() { s.Fill(make([]float32, 11), make([]int, 1), []int{0}, Reference, nil, nil) },
		"short labels": func() { s.Fill(make([]float32, 12), nil, []int{0}, Reference, nil, nil) },
		"no rng":       func() { s.Fill(make([]float32, 12), make([]int, 1), []int{0}, Reference, &DefaultAugment, nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Fill with %s did not panic", name)
				}
			}()
			f()
		}()
	}
}
