package data

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"

	"github.com/intelscenes/resnet-browser/nn/data/internal/baseline"
)

// Limits on an image's width times height, read from its header
// before it is decoded.
const (
	// DefaultMaxPixels is the limit for the images of a data set: 40
	// megapixels, larger than any photo a data set needs, since the
	// network sees some 32×32 or 40×40 of it.
	DefaultMaxPixels = 40_000_000
	// PhotoMaxPixels is the limit for a person's own photos, classified
	// one by one: 120 megapixels, above the 108 of the largest phone
	// cameras (12000×9000).
	PhotoMaxPixels = 120_000_000
)

// Errors about single images. Errors returned by this package wrap them.
var (
	// ErrFormat means the bytes are not an image this package reads.
	ErrFormat = errors.New("data: not a JPEG, PNG, GIF or WebP image")
	// ErrTooLarge means an image's header gives it more pixels than
	// allowed; it was not decoded.
	ErrTooLarge = errors.New("data: image too large")
	// ErrCorrupt means the image could not be decoded.
	ErrCorrupt = errors.New("data: cannot decode image")
)

// format is an image file format that DecodeImage reads.
type format struct {
	name         string
	decodeConfig func(*bytes.Reader) (image.Config, error)
	decode       func([]byte) (image.Image, error)
}

var (
	jpegFormat = format{"JPEG",
		func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) },
		decodeJPEG}
	pngFormat = format{"PNG",
		func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) },
		func(b []byte) (image.Image, error) { return png.Decode(bytes.NewReader(b)) }}
	gifFormat = format{"GIF",
		func(r *bytes.Reader) (image.Config, error) { return gif.DecodeConfig(r) },
		func(b []byte) (image.Image, error) { return gif.Decode(bytes.NewReader(b)) }}
	webpFormat = format{"WebP",
		func(r *bytes.Reader) (image.Config, error) { return webp.DecodeConfig(r) },
		func(b []byte) (image.Image, error) {
			img, err := webp.Decode(bytes.NewReader(b))
			if m, ok := img.(*image.YCbCr); ok {
				return vp8Image{m}, err
			}
			return img, err
		}}
)

// decodeJPEG decodes a JPEG as image/jpeg does: a baseline one with
// package baseline's decoder, which gives the same image faster, and
// whatever that declines with image/jpeg itself.
func decodeJPEG(b []byte) (image.Image, error) {
	if m, err := baseline.Decode(b); err == nil {
		return m, nil
	}
	return jpeg.Decode(bytes.NewReader(b))
}

// An IDCTKernel computes the inverse DCT of JPEG blocks as IDCT does,
// to the same bytes for any coefficients, and leaves coefs zero.
type IDCTKernel = func(dst []uint8, stride int, coefs []int32)

// SetIDCTKernel has the decoding of baseline JPEGs compute its inverse
// DCTs with k (the page's worker sets its WebAssembly SIMD kernel), or
// with Go's own if k is nil. It is not safe to call while images are
// decoded.
func SetIDCTKernel(k IDCTKernel) { baseline.SetKernel(k) }

// IDCT is the inverse DCT of the len(coefs)/64 blocks of coefs, as
// image/jpeg computes it, written into dst left to right, 8 bytes
// apart, each block's rows stride apart, level-shifted by 128 and
// clamped. A block's 64 coefficients are dequantized and stored by
// column: coefficient (row r, column k) of block i at 64·i + 8k + r.
// It leaves coefs zero. It is what an IDCTKernel must equal.
func IDCT(dst []uint8, stride int, coefs []int32) { baseline.IDCT(dst, stride, coefs) }

// sniff returns the format of b from its first bytes, or an error that
// names a recognised but unsupported format and says what to do.
func sniff(b []byte) (format, error) {
	switch {
	case len(b) == 0:
		return format{}, fmt.Errorf("%w: the file is empty", ErrFormat)
	case bytes.HasPrefix(b, []byte("\xff\xd8")):
		return jpegFormat, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return pngFormat, nil
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return gifFormat, nil
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return webpFormat, nil
	case bytes.HasPrefix(b, []byte("BM")):
		return format{}, fmt.Errorf("%w: it is a BMP; save it as PNG or JPEG", ErrFormat)
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return format{}, fmt.Errorf("%w: it is a TIFF; save it as PNG or JPEG", ErrFormat)
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		switch brand := string(b[8:12]); brand {
		case "avif", "avis":
			return format{}, fmt.Errorf("%w: it is an AVIF; save it as JPEG or PNG first", ErrFormat)
		case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1":
			return format{}, fmt.Errorf("%w: it is a HEIC photo (the iPhone's format); convert it to JPEG first: "+
				"on a Mac open it in Preview and choose File > Export, on Windows open it in Photos and save a copy as JPEG, "+
				"or set the iPhone's Settings > Camera > Formats to Most Compatible", ErrFormat)
		}
		return format{}, fmt.Errorf("%w: it is a video or ISO media file", ErrFormat)
	}
	return format{}, ErrFormat
}

// header reads the format and header of the image file b.
func header(b []byte) (format, image.Config, error) {
	f, err := sniff(b)
	if err != nil {
		return f, image.Config{}, err
	}
	cfg, err := f.decodeConfig(bytes.NewReader(b))
	if err != nil {
		return f, cfg, fmt.Errorf("%w: %s header: %w", ErrCorrupt, f.name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return f, cfg, fmt.Errorf("%w: %s of %dx%d pixels", ErrCorrupt, f.name, cfg.Width, cfg.Height)
	}
	return f, cfg, nil
}

// DecodeCost returns about how many bytes decoding the image file b
// takes at most, from its header: the decoded pixels in the decoder's
// layout, and a progressive JPEG's coefficients. A file whose header
// cannot be read costs nothing: it fails before it allocates.
func DecodeCost(b []byte) int64 {
	f, cfg, err := header(b)
	if err != nil {
		return 0
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	switch f.name {
	case "JPEG":
		comps := int64(3)
		if cfg.ColorModel == color.GrayModel {
			comps = 1
		} else if cfg.ColorModel == color.CMYKModel {
			comps = 4
		}
		cost := px * comps
		if progressiveJPEG(b) {
			cost += px * comps * 4 // an int32 a coefficient, kept until the end
		}
		return cost
	case "GIF":
		return 2 * px // the frame and the canvas
	}
	switch cfg.ColorModel {
	case color.RGBA64Model, color.NRGBA64Model:
		return 8 * px
	case color.Gray16Model:
		return 2 * px
	case color.GrayModel, color.AlphaModel:
		return px
	}
	if _, ok := cfg.ColorModel.(color.Palette); ok {
		return px
	}
	return 4 * px
}

// progressiveJPEG reports whether the JPEG b has a progressive frame
// header (SOF2), before its first scan.
func progressiveJPEG(b []byte) bool {
	for i := 2; i+3 < len(b); {
		if b[i] != 0xff {
			return false
		}
		marker := b[i+1]
		switch {
		case marker == 0xc2:
			return true
		case marker == 0xda || marker == 0xd9: // start of scan, end of image
			return false
		case marker == 0xff || marker >= 0xd0 && marker <= 0xd7 || marker == 0x01:
			i++
			continue
		}
		i += 2 + (int(b[i+2])<<8 | int(b[i+3]))
	}
	return false
}

// DecodeImage decodes a JPEG, PNG, GIF or WebP image (the first frame of a GIF)
// and stretches it to size x size RGB with Resize, returning size*size*3
// bytes in the layout of Set.Pix. It reads the header first and refuses,
// without decoding, an image of more than maxPixels pixels. name is only
// used in errors, which wrap ErrFormat, ErrTooLarge or ErrCorrupt.
//
// The RGB is what Pillow's Image.open(f).convert("RGB") gives: alpha is
// dropped (not composited), gray replicated, and JPEGs are decoded as
// libjpeg-turbo decodes them up to its inverse DCT, whose rounding
// differs from Go's by 1 in places. It panics if size < 1.
func DecodeImage(b []byte, name string, size, maxPixels int) ([]uint8, error) {
	if size < 1 {
		panic(fmt.Sprintf("data: DecodeImage to size %d", size))
	}
	pix := make([]uint8, size*size*3)
	if err := decodeInto(pix, b, size, maxPixels); err != nil {
		return nil, &FileError{Name: name, Err: err}
	}
	return pix, nil
}

// DecodeFile decodes an image file as DecodeImage does, refusing one of
// more than maxPixels pixels, and returns it whole, for a person to look
// at. name is only used in errors.
func DecodeFile(b []byte, name string, maxPixels int) (image.Image, error) {
	img, err := decodeLimited(b, maxPixels)
	if err != nil {
		return nil, &FileError{Name: name, Err: err}
	}
	return img, nil
}

// decodeInto is DecodeImage writing into dst, which holds size*size*3
// zeros, and without the name in its errors.
func decodeInto(dst, b []byte, size, maxPixels int) error {
	img, err := decodeLimited(b, maxPixels)
	if err != nil {
		return err
	}
	resizeInto(dst, img, size)
	return nil
}

// decodeLimited decodes b after checking the size in its header.
func decodeLimited(b []byte, maxPixels int) (image.Image, error) {
	f, cfg, err := header(b)
	if err != nil {
		return nil, err
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, fmt.Errorf("%w: %s of %dx%d pixels; the limit is %s",
			ErrTooLarge, f.name, cfg.Width, cfg.Height, megapixelWords(int64(maxPixels)))
	}
	img, err := f.decode(b)
	if err != nil {
		return nil, fmt.Errorf("%w: the %s data is damaged or cut short (%w)", ErrCorrupt, f.name, err)
	}
	return img, nil
}
