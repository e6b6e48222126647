package nn

// shifted holds one image's input to a 3×3 convolution of stride 1 and
// padding 1 so that every row of its im2col matrix is a run of it, read
// in place: the matrix is never written out.
//
// Row (ch, ki, kj) of the matrix, at column j = oh*W + ow, is the input
// at (oh+ki-1, ow+kj-1), or 0 outside the plane. With the planes stored
// whole, one after the other, that is the plane's element j +
// (ki-1)*W + kj-1, but for two things: rows above and below the plane,
// which the zeros between planes (gap of them) supply, and the columns
// that wrap around to the neighbouring row (a kernel column of 0 reads
// the last column of the row above its output row's, for ow = 0; one of
// 2 reads the first of the row below, for ow = W-1). So the planes are
// stored three times, one copy a kernel column: the first with each
// row's last column zeroed, the second as they are, the third with each
// row's first column zeroed. Each copy's zero is read only where the
// matrix has its padding.
type shifted struct {
	In, H, W int
	// Data holds copy kj's plane ch at kj*In*plane() + ch*plane() + gap,
	// each after gap zeros, and gap zeros after the last.
	Data []float32
}

// gap returns the zeros before each plane: enough for the rows above
// and below, and for a vector of 16 read past a row's end.
func (s *shifted) gap() int { return s.W + 16 }

// plane returns the distance between two planes of a copy.
func (s *shifted) plane() int { return s.gap() + s.H*s.W }

// row returns the offset in Data of row (ch, ki, kj) of the im2col
// matrix: its element j is Data[row+j].
func (s *shifted) row(ch, ki, kj int) int {
	return (kj*s.In+ch)*s.plane() + s.gap() + (ki-1)*s.W + kj - 1
}

// fill sets s to the planes of x (in × h × w).
func (s *shifted) fill(x []float32, in, h, w int) {
	if s.In != in || s.H != h || s.W != w || s.Data == nil {
		s.In, s.H, s.W = in, h, w
		s.Data = grow(s.Data, 3*in*s.plane()+s.gap())
		clear32(s.Data) // the gaps, which fill never writes
	}
	hw := h * w
	for ch := range in {
		src := x[ch*hw : (ch+1)*hw]
		left := s.Data[s.row(ch, 1, 0)+1:][:hw]
		mid := s.Data[s.row(ch, 1, 1):][:hw]
		right := s.Data[s.row(ch, 1, 2)-1:][:hw]
		copy(left, src)
		copy(mid, src)
		copy(right, src)
		for r := 0; r < hw; r += w {
			left[r+w-1] = 0
			right[r] = 0
		}
	}
}

// rows sets offs to the offsets in Data of the im2col matrix's rows, in
// its order, (ch*3+ki)*3+kj, and returns it.
func (s *shifted) rows(offs []int) []int {
	offs = offs[:0]
	for ch := range s.In {
		for pos := range 9 {
			offs = append(offs, s.row(ch, pos/3, pos%3))
		}
	}
	return offs
}
