package data

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// DefaultMaxPixels is the usual limit on an image's width times height:
// 40 megapixels, larger than any camera photo in a dataset, small enough
// that decoding one (4 bytes a pixel at most) stays within a browser's
// memory.
const DefaultMaxPixels = 40_000_000

// Errors about single images. Errors returned by this package wrap them.
var (
	// ErrFormat means the bytes are not a JPEG, PNG or GIF image.
	ErrFormat = errors.New("data: not a JPEG, PNG or GIF image")
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
	decode       func(*bytes.Reader) (image.Image, error)
}

var (
	jpegFormat = format{"JPEG",
		func(r *bytes.Reader) (image.Config, error) { return jpeg.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return jpeg.Decode(r) }}
	pngFormat = format{"PNG",
		func(r *bytes.Reader) (image.Config, error) { return png.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return png.Decode(r) }}
	gifFormat = format{"GIF",
		func(r *bytes.Reader) (image.Config, error) { return gif.DecodeConfig(r) },
		func(r *bytes.Reader) (image.Image, error) { return gif.Decode(r) }}
)

// sniff returns the format of b from its first bytes, or an error that
// names a recognised but unsupported format.
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
		return format{}, fmt.Errorf("%w (WebP)", ErrFormat)
	case bytes.HasPrefix(b, []byte("BM")):
		return format{}, fmt.Errorf("%w (BMP)", ErrFormat)
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")):
		return format{}, fmt.Errorf("%w (TIFF)", ErrFormat)
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return format{}, fmt.Errorf("%w (HEIF or AVIF)", ErrFormat)
	}
	return format{}, ErrFormat
}

// DecodeImage decodes a JPEG, PNG or GIF image (the first frame of a GIF)
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
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return pix, nil
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
	f, err := sniff(b)
	if err != nil {
		return nil, err
	}
	cfg, err := f.decodeConfig(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %s header: %w", ErrCorrupt, f.name, err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return nil, fmt.Errorf("%w: %s of %dx%d pixels", ErrCorrupt, f.name, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return nil, fmt.Errorf("%w: %s of %dx%d pixels; the limit is %s",
			ErrTooLarge, f.name, cfg.Width, cfg.Height, megapixelWords(int64(maxPixels)))
	}
	img, err := f.decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: the %s data is damaged or cut short (%w)", ErrCorrupt, f.name, err)
	}
	return img, nil
}
