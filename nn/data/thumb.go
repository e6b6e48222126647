package data

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"

	"github.com/nfnt/resize"
)

// ThumbSide is the side of the box Thumbnail fits an image into: larger
// than the network's input (32×32 or 40×40), so a person can tell what
// it shows.
const ThumbSide = 96

// Thumbnail decodes an image file as DecodeImage does (refusing one of
// more than maxPixels pixels) and returns it as a JPEG that fits in a
// side × side box, its aspect kept, for a person to look at. It uses
// nfnt/resize's bilinear filter, not the model's Pillow-exact
// resampling: a thumbnail only needs to look right. name is used in
// errors.
func Thumbnail(b []byte, name string, side, maxPixels int) ([]byte, error) {
	img, err := decodeLimited(b, maxPixels)
	if err != nil {
		return nil, &FileError{Name: name, Err: err}
	}
	return thumbnailOf(img, name, side)
}

// thumbnailOf is Thumbnail of a decoded image.
func thumbnailOf(img image.Image, name string, side int) ([]byte, error) {
	small := resize.Thumbnail(uint(side), uint(side), img, resize.Bilinear)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, small, &jpeg.Options{Quality: 85}); err != nil {
		return nil, &FileError{Name: name, Err: fmt.Errorf("making its thumbnail: %w", err)}
	}
	return out.Bytes(), nil
}

// PhotoThumbFrom is the number of pixels from which DecodePhoto makes a
// thumbnail: a page shows smaller images as they are.
const PhotoThumbFrom = 4_000_000

// DecodePhoto is DecodeImage of a person's photo, refusing one of more
// than PhotoMaxPixels, that decodes the file once for two uses: the
// network's input, and a thumbnail as Thumbnail makes it (side pixels)
// when the photo has PhotoThumbFrom pixels or more, else nil.
func DecodePhoto(b []byte, name string, size, side int) (pix, thumb []byte, err error) {
	if size < 1 {
		panic(fmt.Sprintf("data: DecodePhoto to size %d", size))
	}
	img, err := decodeLimited(b, PhotoMaxPixels)
	if err != nil {
		return nil, nil, &FileError{Name: name, Err: err}
	}
	pix = make([]uint8, size*size*3)
	resizeInto(pix, img, size)
	if r := img.Bounds(); r.Dx()*r.Dy() >= PhotoThumbFrom {
		if thumb, err = thumbnailOf(img, name, side); err != nil {
			return nil, nil, err
		}
	}
	return pix, thumb, nil
}

// Thumbnail returns image i of s as a JPEG that fits in a side × side
// box, for a data set whose files are gone (kept in the browser).
func (s *Set) Thumbnail(i, side int) ([]byte, error) {
	return thumbnailOf(s.Picture(i), s.Names[i], side)
}

// Picture returns image i of s as an image.Image.
func (s *Set) Picture(i int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, s.Size, s.Size))
	for p, px := 0, s.Image(i); p < s.Size*s.Size; p++ {
		copy(img.Pix[4*p:4*p+3], px[3*p:3*p+3])
		img.Pix[4*p+3] = 255
	}
	return img
}
