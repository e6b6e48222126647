package data

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
)

// Errors about a dataset zip as a whole. Errors returned by OpenZip and
// ReadZip wrap one of them or, for a file that is not a zip,
// zip.ErrFormat.
var (
	// ErrNoClasses means no folder of class folders was found.
	ErrNoClasses = errors.New("data: no class folders")
	// ErrOneClass means there is a single class folder.
	ErrOneClass = errors.New("data: only one class folder")
	// ErrEmptyClass means a class folder holds no usable image.
	ErrEmptyClass = errors.New("data: empty class folder")
	// ErrUnknownClass means a test class folder has no train counterpart.
	ErrUnknownClass = errors.New("data: test class not among the train classes")
	// ErrNoImages means no image could be read at all.
	ErrNoImages = errors.New("data: no images")
	// ErrEncrypted means the zip's images are password-protected, which
	// this package cannot read.
	ErrEncrypted = errors.New("data: zip is encrypted")
	// ErrTooManyEntries means the zip holds more than MaxEntries entries.
	ErrTooManyEntries = errors.New("data: too many files in the zip")
)

// Limits on what a dataset zip may hold, checked before anything is
// decoded.
const (
	// MaxEntries is the most entries (files and folders) a dataset zip
	// may have, read from its end record before its directory is: room
	// for CIFAR-10's 60,000 images as files, while a hostile directory
	// of millions of entries costs nothing.
	MaxEntries = 80_000
	// MaxFileBytes is the most bytes one image file of a dataset zip may
	// hold, declared or real: camera photos are a few MB, and a decoded
	// image may take far more (see MaxDecodeBytes).
	MaxFileBytes = 32 << 20
)

// Archive is a dataset read from a zip.
type Archive struct {
	// Train holds the training images; Test the test images, or nil if
	// the zip has no test (or validation) folder. Test.Classes is
	// Train.Classes.
	Train, Test *Set
	// TrainDir and TestDir are the folders inside the zip that hold the
	// class folders of Train and Test, such as "seg_train/seg_train/";
	// "" for the top of the zip, or no Test.
	TrainDir, TestDir string
	// Skipped lists the files and folders not used, and why, sorted by
	// name. Files that operating systems and archivers add by themselves
	// (__MACOSX, dotfiles, Thumbs.db, desktop.ini) are left out silently.
	Skipped []Skip
}

// Skip is a file or folder of a zip that was not used.
type Skip struct {
	// Name is the path inside the zip; a folder's ends in "/".
	Name string
	// Reason says why it was not used, in a person's words.
	Reason string
}

// Options controls ReadZip.
type Options struct {
	// Size is the side of the square images made, such as 32.
	Size int
	// MaxPixels is the largest width*height accepted, read from an
	// image's header before decoding it; larger images are skipped.
	// DefaultMaxPixels is a sensible value.
	MaxPixels int
	// Progress, if not nil, is called now and then (every 64 images and
	// after the last) with the number of images read so far and the
	// total, from the goroutine that called ReadZip.
	Progress func(done, total int)
}

// check returns an error for options that cannot be used.
func (opt Options) check() error {
	if opt.Size < 1 || opt.MaxPixels < 1 {
		return fmt.Errorf("data: image size %d and MaxPixels %d, want at least 1", opt.Size, opt.MaxPixels)
	}
	return nil
}

// ReadZip reads a dataset zip of size bytes from r: OpenZip, then every
// image decoded with DecodeImage, in parallel on GOMAXPROCS goroutines
// (one under WebAssembly), with results independent of their number.
// Images that cannot be decoded are skipped and listed in Skipped.
//
// The errors are OpenZip's, and also: no image decodable at all
// (ErrNoImages), or a class folder without a decodable image
// (ErrEmptyClass). Options with Size or MaxPixels below 1 are an error
// too.
func ReadZip(r io.ReaderAt, size int64, opt Options) (*Archive, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	z, err := OpenZip(r, size)
	if err != nil {
		return nil, err
	}
	pix, errs := z.decodeAll(opt, runtime.GOMAXPROCS(0))
	return z.Archive(opt.Size, pix, errs)
}

// Archive returns the data set of z's images decoded at size into pix
// (image i of z.Images at pix[i*size*size*3:]), errs[i] saying why image
// i could not be decoded, if it could not; pix becomes the sets' memory.
// Images that failed are skipped, with their reason. It panics if pix
// or errs do not have one image per element of z.Images.
func (z *Zip) Archive(size int, pix []uint8, errs []error) (*Archive, error) {
	n := size * size * 3
	if len(pix) != len(z.Images)*n || len(errs) != len(z.Images) {
		panic(fmt.Sprintf("data: Archive of %d images with %d bytes and %d errors", len(z.Images), len(pix), len(errs)))
	}
	a := &Archive{TrainDir: z.TrainDir, TestDir: z.TestDir, Skipped: slices.Clone(z.Skipped)}
	var kept []int
	for i, err := range errs {
		if err != nil {
			a.Skipped = append(a.Skipped, Skip{z.Images[i].Name, Reason(err)})
			continue
		}
		kept = append(kept, i)
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("%w: none of the %d image files could be read (%s: %s)",
			ErrNoImages, len(z.Images), z.Images[0].Name, Reason(errs[0]))
	}
	if c := z.emptyClass(kept); c != "" {
		for i, im := range z.Images { // say why, for the first of them
			if im.class == c && errs[i] != nil {
				return nil, fmt.Errorf("%w: %s has no image that could be read (%s: %s)", ErrEmptyClass, c, im.Name, Reason(errs[i]))
			}
		}
	}
	a.Train = z.assemble(size, pix, errs, false)
	if z.TestDir != "" {
		a.Test = z.assemble(size, pix, errs, true)
	}
	sortSkips(a.Skipped)
	return a, nil
}

// assemble returns the set of the decoded images of train (test false) or
// test, moving their pixels forward in pix over those of the images that
// failed. Train images precede test images, so the two sets never
// overlap.
func (z *Zip) assemble(size int, pix []uint8, errs []error, test bool) *Set {
	n := size * size * 3
	s := &Set{Size: size, Classes: z.Classes}
	start := -1
	for i, im := range z.Images {
		if im.Test != test {
			continue
		}
		if start < 0 {
			start = i * n
		}
		if errs[i] != nil {
			continue
		}
		k := len(s.Labels)
		copy(pix[start+k*n:start+(k+1)*n], pix[i*n:(i+1)*n])
		s.Labels = append(s.Labels, im.Label)
		s.Names = append(s.Names, im.Name)
	}
	end := max(start, 0) + len(s.Labels)*n
	s.Pix = pix[max(start, 0):end:end]
	return s
}

// Reason returns why an image was not used, in a person's words: the
// error's text without this package's prefix.
func Reason(err error) string {
	return strings.ReplaceAll(err.Error(), "data: ", "")
}

// displayDir names a folder of the zip in an error.
func displayDir(p string) string {
	if p == "" {
		return "the top of the zip"
	}
	return p
}
