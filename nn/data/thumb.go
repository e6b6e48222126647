package data

import (
	"bytes"
	"fmt"
	"image/jpeg"

	"github.com/nfnt/resize"
)

// ThumbSide is the side of the box Thumbnail fits an image into: larger
// than the network's 32×32 input, so a person can tell what it shows.
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
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	small := resize.Thumbnail(uint(side), uint(side), img, resize.Bilinear)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, small, &jpeg.Options{Quality: 85}); err != nil {
		return nil, fmt.Errorf("%s: making its thumbnail: %w", name, err)
	}
	return out.Bytes(), nil
}
