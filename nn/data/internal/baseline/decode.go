// Package baseline decodes the JPEGs that photos and data sets nearly
// always are into the image the standard library's image/jpeg gives for
// them, bit for bit, in a fraction of its time.
//
// It reads baseline JPEGs (SOF0: Huffman-coded, 8 bits a sample) of one
// component (gray) or three (YCbCr) whose one scan holds every
// component, with or without restart markers. Anything else it declines
// with an error saying why: progressive or extended frames, several
// scans, four components, RGB, and every stream that image/jpeg would
// read otherwise than the standard says (a damaged or cut-short scan, a
// wrong restart marker, an end-of-band run in a baseline scan). The
// caller then decodes the file with image/jpeg, which gives its own
// image or its own error: the two together read every file exactly as
// image/jpeg alone does.
package baseline

import (
	"errors"
	"fmt"
	"image"
)

// Markers, as image/jpeg names them.
const (
	sof0  = 0xc0 // start of frame, baseline
	dht   = 0xc4 // define Huffman tables
	rst0  = 0xd0 // restart 0 (to rst0+7)
	eoi   = 0xd9 // end of image
	sos   = 0xda // start of scan
	dqt   = 0xdb // define quantization tables
	dri   = 0xdd // define restart interval
	app0  = 0xe0
	app14 = 0xee
	app15 = 0xef
	com   = 0xfe
)

// errDeclined is wrapped by every error of Decode.
var errDeclined = errors.New("baseline: left to image/jpeg")

func decline(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errDeclined}, args...)...)
}

// component is one of a frame's components.
type component struct {
	id   uint8
	h, v int   // sampling factors
	tq   uint8 // quantization table
}

// decoder holds what the segments before the scan say.
type decoder struct {
	src           []byte
	width, height int
	nComp         int // 0 until the frame header
	comp          [3]component
	quant         [4][64]int32 // in zig-zag order; zeros where undefined, as image/jpeg has them
	dc, ac        [2]table
	restart       int // MCUs a restart interval, 0 for none
	jfif          bool
	adobe         bool // an Adobe APP14 segment was seen
	transform     uint8
	img           image.Image
}

// Decode decodes the JPEG file src, or declines it with an error.
func Decode(src []byte) (image.Image, error) {
	d := decoder{src: src}
	if len(src) < 2 || src[0] != 0xff || src[1] != 0xd8 {
		return nil, decline("no start-of-image marker")
	}
	for p := 2; ; {
		// Between segments image/jpeg skips any byte up to a 0xff, any
		// 0xff 0x00 and fill 0xffs: so does Decode, to stay with it.
		if p+2 > len(src) {
			return nil, decline("cut short before the end-of-image marker")
		}
		a, marker := src[p], src[p+1]
		p += 2
		for a != 0xff {
			if p >= len(src) {
				return nil, decline("cut short before the end-of-image marker")
			}
			a, marker = marker, src[p]
			p++
		}
		if marker == 0 {
			continue
		}
		for marker == 0xff {
			if p >= len(src) {
				return nil, decline("cut short in a marker")
			}
			marker = src[p]
			p++
		}
		if marker == eoi {
			if d.img == nil {
				return nil, decline("no scan")
			}
			if d.rgb() {
				return nil, decline("RGB components")
			}
			return d.img, nil
		}
		if rst0 <= marker && marker <= rst0+7 {
			continue
		}
		if p+2 > len(src) {
			return nil, decline("cut short in a segment's length")
		}
		n := int(src[p])<<8 | int(src[p+1]) - 2
		p += 2
		if n < 0 || p+n > len(src) {
			return nil, decline("segment %#x of %d bytes does not fit", marker, n)
		}
		seg := src[p : p+n]
		p += n
		var err error
		switch {
		case marker == sof0:
			err = d.frame(seg)
		case marker == dht:
			err = d.huffman(seg)
		case marker == dqt:
			err = d.quantization(seg)
		case marker == dri:
			if n != 2 {
				return nil, decline("restart interval segment of %d bytes", n)
			}
			d.restart = int(seg[0])<<8 | int(seg[1])
		case marker == app0:
			if n >= 5 {
				d.jfif = string(seg[:5]) == "JFIF\x00"
			}
		case marker == app14:
			if n >= 12 && string(seg[:5]) == "Adobe" {
				d.adobe, d.transform = true, seg[11]
			}
		case marker == sos:
			if d.img != nil {
				return nil, decline("more than one scan")
			}
			p, err = d.scan(seg, p)
		case app0 <= marker && marker <= app15 || marker == com:
		default:
			return nil, decline("marker %#x", marker)
		}
		if err != nil {
			return nil, err
		}
	}
}

// frame reads a baseline frame header, with image/jpeg's rules on
// sampling factors.
func (d *decoder) frame(seg []byte) error {
	if d.nComp != 0 {
		return decline("more than one frame header")
	}
	switch len(seg) {
	case 6 + 3*1:
		d.nComp = 1
	case 6 + 3*3:
		d.nComp = 3
	default:
		return decline("frame header of %d bytes", len(seg))
	}
	if seg[0] != 8 {
		return decline("%d-bit samples", seg[0])
	}
	d.height = int(seg[1])<<8 | int(seg[2])
	d.width = int(seg[3])<<8 | int(seg[4])
	if d.width == 0 || d.height == 0 || int(seg[5]) != d.nComp {
		return decline("frame of %dx%d pixels, %d components", d.width, d.height, seg[5])
	}
	for i := range d.nComp {
		c := &d.comp[i]
		c.id, c.tq = seg[6+3*i], seg[8+3*i]
		for j := range i {
			if d.comp[j].id == c.id {
				return decline("repeated component")
			}
		}
		if c.tq > 3 {
			return decline("quantization table %d", c.tq)
		}
		hv := seg[7+3*i]
		c.h, c.v = int(hv>>4), int(hv&0x0f)
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.h == 3 || c.v == 3 {
			return decline("sampling factors %#x", hv)
		}
		if d.nComp == 1 {
			c.h, c.v = 1, 1
			continue
		}
		switch i {
		case 0:
			if c.v == 4 {
				return decline("sampling factors %#x", hv)
			}
		case 1:
			if d.comp[0].h%c.h != 0 || d.comp[0].v%c.v != 0 {
				return decline("sampling factors %#x", hv)
			}
		case 2:
			if c.h != d.comp[1].h || c.v != d.comp[1].v {
				return decline("sampling factors %#x", hv)
			}
		}
	}
	return nil
}

// rgb reports whether image/jpeg takes the three components for R, G
// and B rather than Y, Cb and Cr, from the segments read to the end.
func (d *decoder) rgb() bool {
	return d.nComp == 3 && !d.jfif && (d.adobe && d.transform == 0 ||
		d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B')
}

// quantization reads a segment of quantization tables.
func (d *decoder) quantization(seg []byte) error {
	for len(seg) > 0 {
		pq, tq := seg[0]>>4, seg[0]&0x0f
		seg = seg[1:]
		if tq > 3 || pq > 1 {
			return decline("quantization table %d of precision %d", tq, pq)
		}
		q := &d.quant[tq]
		if pq == 0 {
			if len(seg) < 64 {
				return decline("quantization segment cut short")
			}
			for i := range q {
				q[i] = int32(seg[i])
			}
			seg = seg[64:]
		} else {
			if len(seg) < 128 {
				return decline("quantization segment cut short")
			}
			for i := range q {
				q[i] = int32(seg[2*i])<<8 | int32(seg[2*i+1])
			}
			seg = seg[128:]
		}
	}
	return nil
}

// huffman reads a segment of Huffman tables.
func (d *decoder) huffman(seg []byte) error {
	for len(seg) > 0 {
		if len(seg) < 17 {
			return decline("Huffman segment cut short")
		}
		tc, th := seg[0]>>4, seg[0]&0x0f
		if tc > 1 || th > 1 {
			return decline("Huffman table %d of class %d in a baseline frame", th, tc)
		}
		var counts [16]int
		total := 0
		for i := range counts {
			counts[i] = int(seg[1+i])
			total += counts[i]
		}
		seg = seg[17:]
		if total == 0 || total > 256 || len(seg) < total {
			return decline("Huffman table of %d codes", total)
		}
		t := &d.dc[th]
		if tc == 1 {
			t = &d.ac[th]
		}
		if err := t.build(&counts, seg[:total], tc == 1); err != nil {
			return err
		}
		seg = seg[total:]
	}
	return nil
}

// makeImage makes the image the scan decodes into, laid out as
// image/jpeg lays it out: planes as wide and high as whole MCUs, cut to
// the frame's size.
func (d *decoder) makeImage(mxx, myy int) (planes [3][]uint8, strides [3]int) {
	r := image.Rect(0, 0, d.width, d.height)
	if d.nComp == 1 {
		m := image.NewGray(image.Rect(0, 0, 8*mxx, 8*myy))
		d.img = m.SubImage(r)
		return [3][]uint8{m.Pix}, [3]int{m.Stride}
	}
	h0, v0 := d.comp[0].h, d.comp[0].v
	var ratio image.YCbCrSubsampleRatio
	switch h0/d.comp[1].h<<4 | v0/d.comp[1].v {
	case 0x11:
		ratio = image.YCbCrSubsampleRatio444
	case 0x12:
		ratio = image.YCbCrSubsampleRatio440
	case 0x21:
		ratio = image.YCbCrSubsampleRatio422
	case 0x22:
		ratio = image.YCbCrSubsampleRatio420
	case 0x41:
		ratio = image.YCbCrSubsampleRatio411
	case 0x42:
		ratio = image.YCbCrSubsampleRatio410
	}
	m := image.NewYCbCr(image.Rect(0, 0, 8*h0*mxx, 8*v0*myy), ratio)
	d.img = m.SubImage(r)
	return [3][]uint8{m.Y, m.Cb, m.Cr}, [3]int{m.YStride, m.CStride, m.CStride}
}
