package data

import (
	"image"
	"unsafe"
)

// yccRows returns a reader of m's rows as RGB, computed as libjpeg-turbo
// (and therefore Pillow) decodes a JPEG, rather than as m.At does:
//
//   - chroma subsampled 2x horizontally and/or vertically (4:2:0, 4:2:2,
//     4:4:0) is upsampled with libjpeg's "fancy" triangle filter, with its
//     rounding biases and its edge rules; other ratios, and images that
//     do not start at (0, 0), repeat each chroma sample, as libjpeg's
//     plain upsampling does;
//   - YCbCr is converted by toRGB: yccToRGB for a JPEG, with libjpeg's
//     16-bit fixed-point tables (jdcolor.c).
//
// Only the inverse DCT is left to differ: Go's and libjpeg's integer
// IDCTs round differently, by 1 in places.
func yccRows(m *image.YCbCr, toRGB func(dst, lum, cb, cr []uint8)) rowReader {
	b := m.Rect
	w, h := b.Dx(), b.Dy()
	cw, ch := (w+1)/2, (h+1)/2
	cb, cr := make([]uint8, w), make([]uint8, w)
	atOrigin := b.Min == image.Point{}

	var up func(dst, plane []uint8, y int)
	switch r := m.SubsampleRatio; {
	case atOrigin && r == image.YCbCrSubsampleRatio420 && cw > 2:
		up = func(dst, plane []uint8, y int) {
			near, far := nearFarRows(plane, m.CStride, ch, y)
			upsample2x2(dst, near, far)
		}
	case atOrigin && r == image.YCbCrSubsampleRatio422 && cw > 2:
		up = func(dst, plane []uint8, y int) {
			upsample2x1(dst, plane[y*m.CStride:y*m.CStride+cw])
		}
	case atOrigin && r == image.YCbCrSubsampleRatio440:
		up = func(dst, plane []uint8, y int) {
			near, far := nearFarRows(plane, m.CStride, ch, y)
			bias := 1 + y%2
			for x := range dst {
				dst[x] = uint8((3*int(near[x]) + int(far[x]) + bias) >> 2)
			}
		}
	default:
		up = func(dst, plane []uint8, y int) {
			for x := range dst {
				dst[x] = plane[m.COffset(b.Min.X+x, b.Min.Y+y)]
			}
		}
	}

	return func(dst []uint8, y int) {
		up(cb, m.Cb, y)
		up(cr, m.Cr, y)
		toRGB(dst, m.Y[m.YOffset(b.Min.X, b.Min.Y+y):], cb, cr)
	}
}

// nearFarRows returns, for full-resolution row y of a chroma plane
// subsampled 2x vertically with ch rows, the nearest chroma row and the
// next nearest (above for even y, below for odd y), the image's first and
// last rows standing in for the missing rows beyond its edges.
func nearFarRows(plane []uint8, stride, ch, y int) (near, far []uint8) {
	n := y / 2
	f := n - 1
	if y%2 == 1 {
		f = n + 1
	}
	f = min(max(f, 0), ch-1)
	return plane[n*stride:], plane[f*stride:]
}

// upsample2x2 is libjpeg's h2v2_fancy_upsample for one output row: each
// output chroma sample is 9/16 of the nearest input sample, 3/16 of each
// of the next nearest in each direction and 1/16 of the diagonal one,
// rounding 0.5 up and down in alternate columns. dst, the output row,
// holds at least 3 samples; near and far, the nearest input row and the
// next nearest, (len(dst)+1)/2 or more.
//
// Like the resampling, it reads and writes through pointers, checked
// once, which WebAssembly would otherwise check every sample.
func upsample2x2(dst, near, far []uint8) {
	n := (len(dst) + 1) / 2
	if n < 2 || len(near) < n || len(far) < n {
		panic("data: chroma rows shorter than the row")
	}
	pn, pf := unsafe.Pointer(unsafe.SliceData(near)), unsafe.Pointer(unsafe.SliceData(far))
	// sum is libjpeg's vertical step for input column i: 3 near + far.
	sum := func(i int) int {
		return 3*int(*(*uint8)(unsafe.Add(pn, i))) + int(*(*uint8)(unsafe.Add(pf, i)))
	}
	prev, cur := sum(0), sum(1)
	dst[0] = uint8((prev*4 + 8) >> 4)
	dst[1] = uint8((prev*3 + cur + 7) >> 4)
	out := unsafe.Pointer(unsafe.SliceData(dst))
	last := n - 1
	for i := 1; i < last; i++ {
		next := sum(i + 1)
		s := cur * 3
		o := (*[2]uint8)(unsafe.Add(out, 2*i))
		o[0] = uint8((s + prev + 8) >> 4)
		o[1] = uint8((s + next + 7) >> 4)
		prev, cur = cur, next
	}
	dst[2*last] = uint8((cur*3 + prev + 8) >> 4)
	if 2*last+1 < len(dst) {
		dst[2*last+1] = uint8((cur*4 + 7) >> 4)
	}
}

// upsample2x1 is libjpeg's h2v1_fancy_upsample for one row: each output
// chroma sample is 3/4 of the nearest input sample and 1/4 of the next
// nearest. in holds at least 2 samples; dst 2*len(in) or one fewer.
func upsample2x1(dst, in []uint8) {
	last := len(in) - 1
	dst[0] = in[0]
	dst[1] = uint8((3*int(in[0]) + int(in[1]) + 2) >> 2)
	for i := 1; i < last; i++ {
		v := 3 * int(in[i])
		o := dst[2*i : 2*i+2 : 2*i+2]
		o[0] = uint8((v + int(in[i-1]) + 1) >> 2)
		o[1] = uint8((v + int(in[i+1]) + 2) >> 2)
	}
	dst[2*last] = uint8((3*int(in[last]) + int(in[last-1]) + 1) >> 2)
	if 2*last+1 < len(dst) {
		dst[2*last+1] = in[last]
	}
}

// yccToRGB converts a row of JPEG YCbCr samples to RGB with libjpeg's
// fixed-point arithmetic: R = Y + 1.402 Cr', G = Y - 0.34414 Cb' -
// 0.71414 Cr', B = Y + 1.772 Cb', where Cb' = Cb-128 and Cr' = Cr-128,
// each coefficient scaled by 2^16 and rounded as jdcolor.c does, from
// its tables (yccTables). lum, cb and cr hold len(dst)/3 samples.
func yccToRGB(dst, lum, cb, cr []uint8) {
	n := len(dst) / 3
	if len(lum) < n || len(cb) < n || len(cr) < n {
		panic("data: YCbCr rows shorter than the RGB row")
	}
	t := &ycc
	out := unsafe.Pointer(unsafe.SliceData(dst))
	pl, pb, pr := unsafe.Pointer(unsafe.SliceData(lum)), unsafe.Pointer(unsafe.SliceData(cb)), unsafe.Pointer(unsafe.SliceData(cr))
	for x := range n {
		y := int32(*(*uint8)(unsafe.Add(pl, x))) + yccLimitZero
		b, r := *(*uint8)(unsafe.Add(pb, x)), *(*uint8)(unsafe.Add(pr, x))
		o := (*[3]uint8)(unsafe.Add(out, 3*x))
		o[0] = t.limit[uint32(y+t.crR[r])%yccLimitLen]
		o[1] = t.limit[uint32(y+(t.cbG[b]+t.crG[r])>>16)%yccLimitLen]
		o[2] = t.limit[uint32(y+t.cbB[b])%yccLimitLen]
	}
}

// yccTables are jdcolor.c's tables, indexed by a chroma sample: the red
// and blue offsets, rounded; the two terms of green's, scaled by 2^16,
// the rounding in cbG; and limit, which clamps a sum to [0, 255] as
// libjpeg's range_limit does, the sum's zero at yccLimitZero. The index
// is taken modulo the table's length, which changes no sum a YCbCr
// sample gives (-yccLimitZero to 639), so that the lookups need no
// bounds checks.
type yccTables struct {
	crR, cbB, crG, cbG [256]int32
	limit              [yccLimitLen]uint8
}

const (
	yccLimitZero = 384
	yccLimitLen  = 1024
)

var ycc = func() (t yccTables) {
	const half = 1 << 15
	for i := range 256 {
		c := int32(i) - 128
		t.crR[i] = (91881*c + half) >> 16
		t.cbB[i] = (116130*c + half) >> 16
		t.crG[i] = -46802 * c
		t.cbG[i] = -22554*c + half
	}
	for i := range t.limit {
		t.limit[i] = uint8(min(max(i-yccLimitZero, 0), 255))
	}
	return t
}()

// vp8Image is the YCbCr of a lossy WebP, whose samples are in the
// video range of BT.601 (luma 16 to 235), unlike a JPEG's.
type vp8Image struct{ *image.YCbCr }

// vp8ToRGB converts a row of a lossy WebP's YCbCr samples to RGB with
// libwebp's fixed-point arithmetic (VP8YUVToR and its siblings in
// yuv.h): R = 1.164 Y' + 1.596 Cr', G = 1.164 Y' - 0.391 Cb' - 0.813 Cr',
// B = 1.164 Y' + 2.018 Cb', where Y' = Y-16, Cb' = Cb-128, Cr' = Cr-128.
// libwebp upsamples the chroma with a filter like libjpeg's, whose
// rounding differs by 1 in places.
func vp8ToRGB(dst, lum, cb, cr []uint8) {
	hi := func(v, k int32) int32 { return (v * k) >> 8 }
	clip := func(v int32) uint8 {
		switch {
		case v&^(256<<6-1) == 0:
			return uint8(v >> 6)
		case v < 0:
			return 0
		}
		return 255
	}
	n := len(dst) / 3
	lum, cb, cr = lum[:n], cb[:n], cr[:n]
	for x := range n {
		y, u, v := int32(lum[x]), int32(cb[x]), int32(cr[x])
		o := dst[3*x : 3*x+3 : 3*x+3]
		o[0] = clip(hi(y, 19077) + hi(v, 26149) - 14234)
		o[1] = clip(hi(y, 19077) - hi(u, 6419) - hi(v, 13320) + 8708)
		o[2] = clip(hi(y, 19077) + hi(u, 33050) - 17685)
	}
}
