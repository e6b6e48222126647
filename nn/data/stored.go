package data

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// DecoderVersion names the decoding and resizing that turn a zip's files
// into a data set's pixels: it changes whenever they would give other
// pixels, so that a data set kept from an older version is not taken for
// the one its zip gives now.
const DecoderVersion = "1"

// A data set is kept, for a run to resume after the zip is gone, as a
// header (the JSON of storedHeader) and the pixels of its training and
// test images.

// storedHeader is everything of an Archive but its pixels.
type storedHeader struct {
	Decoder  string     `json:"decoder"`
	Size     int        `json:"size"`
	Classes  []string   `json:"classes"`
	Train    storedSet  `json:"train"`
	Test     *storedSet `json:"test,omitempty"`
	TrainDir string     `json:"trainDir"`
	TestDir  string     `json:"testDir"`
}

type storedSet struct {
	Labels []int    `json:"labels"`
	Names  []string `json:"names"`
}

// ErrStored means a kept data set does not read back as it was written.
var ErrStored = errors.New("the data set kept in the browser is damaged")

// Header returns the header a's kept form begins with.
func (a *Archive) Header() []byte {
	h := storedHeader{Decoder: DecoderVersion, Size: a.Train.Size, Classes: a.Train.Classes,
		Train: storedSet{a.Train.Labels, a.Train.Names}, TrainDir: a.TrainDir, TestDir: a.TestDir}
	if a.Test != nil {
		h.Test = &storedSet{a.Test.Labels, a.Test.Names}
	}
	b, err := json.Marshal(h)
	if err != nil {
		panic(fmt.Sprintf("data: a header of strings and ints: %v", err))
	}
	return b
}

// Digest returns the SHA-256, in hex, of header and the pixels of a's
// training and test images, which header must be a's: it names a data
// set by its pixels, labels, names and decoder version.
func (a *Archive) Digest(header []byte) string {
	h := sha256.New()
	h.Write(header)
	h.Write(a.Train.Pix)
	if a.Test != nil {
		h.Write(a.Test.Pix)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ArchiveOf returns the data set a header describes, its Pix made for the
// caller to fill with the pixels kept: a.Train.Pix, then a.Test.Pix when
// there is a Test. Check the filled data set with Digest.
func ArchiveOf(header []byte) (*Archive, error) {
	var h storedHeader
	d := json.NewDecoder(bytes.NewReader(header))
	d.DisallowUnknownFields()
	if err := d.Decode(&h); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStored, err)
	}
	if h.Decoder != DecoderVersion {
		return nil, fmt.Errorf("the data set kept in the browser was decoded by another version of this page (%q, now %q): load its zip again", h.Decoder, DecoderVersion)
	}
	if h.Size < 1 || h.Size > 1024 || len(h.Classes) < 2 {
		return nil, fmt.Errorf("%w: %d×%d images of %d classes", ErrStored, h.Size, h.Size, len(h.Classes))
	}
	set := func(s storedSet) (*Set, error) {
		if len(s.Names) != len(s.Labels) {
			return nil, fmt.Errorf("%w: %d names for %d labels", ErrStored, len(s.Names), len(s.Labels))
		}
		for _, l := range s.Labels {
			if l < 0 || l >= len(h.Classes) {
				return nil, fmt.Errorf("%w: label %d of %d classes", ErrStored, l, len(h.Classes))
			}
		}
		return &Set{Size: h.Size, Classes: h.Classes, Labels: s.Labels, Names: s.Names, Pix: make([]uint8, len(s.Labels)*h.Size*h.Size*3)}, nil
	}
	a := &Archive{TrainDir: h.TrainDir, TestDir: h.TestDir}
	var err error
	if a.Train, err = set(h.Train); err != nil {
		return nil, err
	}
	if h.Test != nil {
		if a.Test, err = set(*h.Test); err != nil {
			return nil, err
		}
	}
	return a, nil
}
