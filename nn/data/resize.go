package data

import (
	"fmt"
	"image"
	"math"
	"unsafe"
)

// Resize returns img stretched to size x size RGB in the layout of
// Set.Pix, exactly as Pillow 9 computes
//
//	img.convert("RGB").resize((size, size), Image.BILINEAR)
//
// which is what torchvision's Resize((size, size)) does to a PIL image:
// a horizontal then a vertical pass of a triangle filter whose support
// grows with the reduction factor (so shrinking averages every source
// pixel, as an antialiasing filter should), weights renormalized at the
// borders, 22-bit fixed-point weights and rounding to uint8 after each
// pass. How img becomes RGB is described at DecodeImage. An empty image
// gives black. Resize panics if size < 1.
//
// github.com/nfnt/resize's Bilinear is not used because it cannot match
// Pillow: it repeats the edge pixels where Pillow renormalizes the
// weights, and its weights have 8 or 16 bits, truncated. On the fixtures
// in testdata its 16-bit path is within 1 of Pillow inside the image but
// off by up to 11 on the border rows and columns of photos (45 on a
// synthetic image), where this code matches Pillow exactly.
func Resize(img image.Image, size int) []uint8 {
	if size < 1 {
		panic(fmt.Sprintf("data: Resize to size %d", size))
	}
	dst := make([]uint8, size*size*3)
	resizeInto(dst, img, size)
	return dst
}

// resizeInto is Resize writing into dst, which holds size*size*3 zeros.
func resizeInto(dst []uint8, img image.Image, size int) {
	w, h, rows := rgbRows(img)
	if w > 0 && h > 0 {
		resample(dst, size, size, w, h, rows)
	}
}

// precisionBits is Pillow's PRECISION_BITS for 8-bit images: the weights
// are fixed-point numbers with this many fraction bits.
const precisionBits = 32 - 8 - 2

// weights holds the fixed-point weights of one resampling axis, as
// Pillow's precompute_coeffs and normalize_coeffs_8bpc compute them:
// output i is the weighted sum of inputs first[i] .. first[i]+count[i]-1
// with weights k[i*ksize : i*ksize+count[i]].
type weights struct {
	first, count []int
	k            []int32
	ksize        int
}

// triangle is Pillow's bilinear filter, of support 1.
func triangle(x float64) float64 {
	if x < 0 {
		x = -x
	}
	if x < 1 {
		return 1 - x
	}
	return 0
}

// bilinearWeights returns the weights that resample inSize pixels to
// outSize. The explicit float64 conversions keep the compiler from fusing
// a multiply and an add, which Pillow's compiled C does not do either.
func bilinearWeights(inSize, outSize int) weights {
	scale := float64(inSize) / float64(outSize)
	filterScale := max(scale, 1)
	support := 1 * filterScale
	ksize := int(math.Ceil(support))*2 + 1
	w := weights{
		first: make([]int, outSize),
		count: make([]int, outSize),
		k:     make([]int32, outSize*ksize),
		ksize: ksize,
	}
	kk := make([]float64, ksize)
	for i := range outSize {
		center := float64((float64(i) + 0.5) * scale)
		ss := 1 / filterScale
		lo := max(int(center-support+0.5), 0)
		hi := min(int(center+support+0.5), inSize) - lo
		total := 0.0
		for x := range hi {
			kk[x] = triangle((float64(x+lo) - center + 0.5) * ss)
			total += kk[x]
		}
		for x := range hi {
			if total != 0 {
				kk[x] /= total
			}
			f := float64(kk[x] * (1 << precisionBits))
			if kk[x] < 0 {
				w.k[i*ksize+x] = int32(-0.5 + f)
			} else {
				w.k[i*ksize+x] = int32(0.5 + f)
			}
		}
		w.first[i], w.count[i] = lo, hi
	}
	return w
}

// clip8 is Pillow's clip8: a weighted sum back to a uint8. The sums are
// ints, the 64 bits Go's WebAssembly computes in (int32 has it extend
// signs), and stay within int32, as Pillow's.
func clip8(v int) uint8 {
	if uint(v) < 1<<precisionBits<<8 {
		return uint8(v >> precisionBits)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// resample writes the inW x inH RGB image read by rows into dst as outW x
// outH RGB: first the horizontal pass over the input rows the vertical
// pass needs, into a uint8 image outW wide, then the vertical pass.
func resample(dst []uint8, outW, outH, inW, inH int, rows rowReader) {
	hw := bilinearWeights(inW, outW)
	vw := bilinearWeights(inH, outH)
	y0 := vw.first[0]
	y1 := vw.first[outH-1] + vw.count[outH-1]

	// Each with room for one more pixel, or row, than it holds: see
	// horizontal and vertical.
	row := make([]uint8, inW*3, inW*3+3)
	tmp := make([]uint8, (y1-y0)*outW*3, (y1-y0+1)*outW*3)
	for y := y0; y < y1; y++ {
		rows(row, y)
		horizontal(tmp[(y-y0)*outW*3:(y-y0+1)*outW*3], row, &hw)
	}
	stride := outW * 3
	for j := range outH {
		vertical(dst[j*stride:(j+1)*stride], tmp[(vw.first[j]-y0)*stride:], stride, vw.k[j*vw.ksize:j*vw.ksize+vw.count[j]])
	}
}

// horizontal resamples the RGB row in to out, len(out)/3 pixels, by the
// weights w, whose taps all lie within in.
//
// Its loops read without bounds checks, which cost WebAssembly, where
// Go checks every index, about half their time: w was made for in's
// width (bilinearWeights keeps every tap within it, the last output
// pixel's last), which is checked once. A loop's pointer steps to the
// pixel after the last it reads, which must still be in's memory (see
// unsafe.Pointer's rules): in has room for one more pixel.
func horizontal(out, in []uint8, w *weights) {
	n := len(out) / 3
	if len(w.first) < n || len(in) < 3*(w.first[n-1]+w.count[n-1]) || cap(in) <= 3*(w.first[n-1]+w.count[n-1]) {
		panic("data: resampling weights wider than the row")
	}
	base := unsafe.Pointer(unsafe.SliceData(in))
	dst := unsafe.Pointer(unsafe.SliceData(out))
	for i := range n {
		k := w.k[i*w.ksize : i*w.ksize+w.count[i]]
		p := unsafe.Add(base, 3*w.first[i])
		s0, s1, s2 := 1<<(precisionBits-1), 1<<(precisionBits-1), 1<<(precisionBits-1)
		for _, kx := range k {
			kx := int(kx)
			s0 += int(*(*uint8)(p)) * kx
			s1 += int(*(*uint8)(unsafe.Add(p, 1))) * kx
			s2 += int(*(*uint8)(unsafe.Add(p, 2))) * kx
			p = unsafe.Add(p, 3)
		}
		o := (*[3]uint8)(unsafe.Add(dst, 3*i))
		o[0], o[1], o[2] = clip8(s0), clip8(s1), clip8(s2)
	}
}

// vertical resamples out, one output row, from the rows of in, stride
// apart, by the weights k of one output row: out[x] is the weighted sum
// of in[y*stride+x] over the taps y. As in horizontal, the pointer steps
// to the row after the last it reads: in has room for one more row.
func vertical(out, in []uint8, stride int, k []int32) {
	if len(in) < (len(k)-1)*stride+len(out) || cap(in) <= len(k)*stride+len(out)-1 {
		panic("data: resampling weights taller than the image")
	}
	base := unsafe.Pointer(unsafe.SliceData(in))
	for x := range out {
		p := unsafe.Add(base, x)
		s := 1 << (precisionBits - 1)
		for _, ky := range k {
			s += int(*(*uint8)(p)) * int(ky)
			p = unsafe.Add(p, stride)
		}
		out[x] = clip8(s)
	}
}
