package data

import "image"

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
	sums := make([]int, cw)
	atOrigin := b.Min == image.Point{}

	var up func(dst, plane []uint8, y int)
	switch r := m.SubsampleRatio; {
	case atOrigin && r == image.YCbCrSubsampleRatio420 && cw > 2:
		up = func(dst, plane []uint8, y int) {
			near, far := nearFarRows(plane, m.CStride, ch, y)
			upsample2x2(dst, sums, near, far)
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
// rounding 0.5 up and down in alternate columns. sums has one element per
// input column, at least 2; dst, the output row, holds 2*len(sums) or
// one fewer samples.
func upsample2x2(dst []uint8, sums []int, near, far []uint8) {
	near, far = near[:len(sums)], far[:len(sums)]
	for i := range sums {
		sums[i] = 3*int(near[i]) + int(far[i])
	}
	last := len(sums) - 1
	dst[0] = uint8((sums[0]*4 + 8) >> 4)
	dst[1] = uint8((sums[0]*3 + sums[1] + 7) >> 4)
	for i := 1; i < last; i++ {
		s := sums[i] * 3
		o := dst[2*i : 2*i+2 : 2*i+2]
		o[0] = uint8((s + sums[i-1] + 8) >> 4)
		o[1] = uint8((s + sums[i+1] + 7) >> 4)
	}
	dst[2*last] = uint8((sums[last]*3 + sums[last-1] + 8) >> 4)
	if 2*last+1 < len(dst) {
		dst[2*last+1] = uint8((sums[last]*4 + 7) >> 4)
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
// each coefficient scaled by 2^16 and rounded as jdcolor.c does. lum, cb
// and cr hold len(dst)/3 samples.
func yccToRGB(dst, lum, cb, cr []uint8) {
	const half = 1 << 15
	n := len(dst) / 3
	lum, cb, cr = lum[:n], cb[:n], cr[:n]
	for x := range n {
		y := int32(lum[x])
		cbx, crx := int32(cb[x])-128, int32(cr[x])-128
		o := dst[3*x : 3*x+3 : 3*x+3]
		o[0] = clampUint8(y + (91881*crx+half)>>16)
		o[1] = clampUint8(y + (-22554*cbx+half-46802*crx)>>16)
		o[2] = clampUint8(y + (116130*cbx+half)>>16)
	}
}

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

// clampUint8 returns v limited to [0, 255].
func clampUint8(v int32) uint8 {
	if uint32(v) <= 255 {
		return uint8(v)
	}
	return uint8(^(v >> 31)) // 0 if v < 0, else 255
}
