package data

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Zip is a dataset zip as its directory describes it: the classes, the
// image files to decode and the files left out, before any image is
// read. Several goroutines may decode its images at once.
type Zip struct {
	// Classes are the train class folders' names, sorted; labels index
	// them.
	Classes []string
	// TrainDir and TestDir are as in Archive.
	TrainDir, TestDir string
	// Images are the image files of the class folders: the train folder's
	// first, then the test folder's, each ordered by class, folder and
	// name, as torchvision's ImageFolder orders them.
	Images []ZipImage
	// Skipped lists the files and folders left out, and why.
	Skipped []Skip

	files     []*zip.File // the zip's entries, in its directory's order
	classDirs []string    // the paths of the class folders of both splits
}

// ZipImage is an image file of a dataset zip.
type ZipImage struct {
	// Name is the file's path inside the zip.
	Name string
	// Entry is the file's index in the zip's directory. Archivers write
	// the directory in the order of the files' data, so images of
	// neighbouring entries lie near each other in the zip.
	Entry int
	// Label indexes Zip.Classes.
	Label int
	// Test says whether the image is in the test folder.
	Test bool
	// Bytes and CRC32 are the file's length and checksum, as the zip's
	// directory gives them.
	Bytes uint64
	CRC32 uint32

	class string // the class folder's path, for errors
}

// OpenZip reads the directory of a dataset zip of size bytes from r and
// finds its images. It accepts:
//
//   - the Kaggle Intel Image Classification archive as downloaded:
//     seg_train/seg_train/<class>/*.jpg and seg_test/seg_test/<class>/...
//     (seg_pred, unlabelled, is skipped);
//   - train/<class>/... with test/<class>/... or, lacking a test folder,
//     val/<class>/... as the test set (training, valid, validation and
//     the like are recognised too); other folders beside them are skipped;
//   - plain <class>/... folders, giving only train images;
//
// each optionally inside wrapping folders. Images may be nested below
// their class folder. Classes are the train class folders, and test
// images take the train labels. Files whose names are not those of
// JPEG, PNG, GIF or WebP images, encrypted files, and entries whose names
// climb out of the zip, start at its root or name a drive are skipped.
//
// The errors name the folder at fault: not a zip (wrapping
// zip.ErrFormat), more than MaxEntries entries (ErrTooManyEntries), no
// class folders (ErrNoClasses), a single class (ErrOneClass), a test
// class unknown to train (ErrUnknownClass), no image file at all
// (ErrNoImages), only encrypted ones (ErrEncrypted), and a class folder
// without an image file (ErrEmptyClass).
func OpenZip(r io.ReaderAt, size int64) (*Zip, error) {
	if n, err := countEntries(r, size); err == nil && n > MaxEntries {
		return nil, fmt.Errorf("%w: %s files and folders, more than the %s a data set may have", ErrTooManyEntries, countWords(n), countWords(MaxEntries))
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, notZipError{err}
	}
	if len(zr.File) > MaxEntries { // an end record that lied
		return nil, fmt.Errorf("%w: %s files and folders, more than the %s a data set may have", ErrTooManyEntries, countWords(len(zr.File)), countWords(MaxEntries))
	}
	top, unsafe := buildTree(zr.File)
	l := findLayout(top)
	l.skipped = append(l.skipped, unsafe...)
	z := &Zip{TrainDir: l.train.path, files: zr.File}
	if l.test != nil {
		z.TestDir = l.test.path
	}
	if z.Classes, err = classNames(l); err != nil {
		return nil, err
	}
	encrypted := 0
	for _, split := range []*folder{l.train, l.test} {
		if split == nil {
			continue
		}
		for _, c := range split.subfolders() {
			z.classDirs = append(z.classDirs, c.path)
		}
		encrypted += z.listImages(split, &l.skipped)
	}
	z.Skipped = l.skipped
	sortSkips(z.Skipped)
	switch {
	case len(z.Images) == 0 && encrypted > 0:
		return nil, fmt.Errorf("%w: its %d image files are password-protected; make the zip again without a password", ErrEncrypted, encrypted)
	case len(z.Images) == 0:
		return nil, fmt.Errorf("%w: no JPEG, PNG, GIF or WebP files in the class folders of %s",
			ErrNoImages, displayDir(l.train.path))
	}
	all := make([]int, len(z.Images))
	for i := range all {
		all[i] = i
	}
	if c := z.emptyClass(all); c != "" {
		return nil, fmt.Errorf("%w: %s has no JPEG, PNG, GIF or WebP files", ErrEmptyClass, c)
	}
	return z, nil
}

// countEntries returns the number of entries a zip's end record
// declares, reading only the end of the file.
func countEntries(r io.ReaderAt, size int64) (uint64, error) {
	const endLen, zip64LocLen, maxComment = 22, 20, 65535
	tail := make([]byte, min(size, endLen+maxComment+zip64LocLen))
	if _, err := r.ReadAt(tail, size-int64(len(tail))); err != nil && err != io.EOF {
		return 0, err
	}
	end := -1
	for i := len(tail) - endLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(tail[i:]) == 0x06054b50 {
			end = i
			break
		}
	}
	if end < 0 {
		return 0, zip.ErrFormat
	}
	n := uint64(binary.LittleEndian.Uint16(tail[end+10:]))
	if n != 0xffff || end < zip64LocLen {
		return n, nil
	}
	loc := tail[end-zip64LocLen:]
	if binary.LittleEndian.Uint32(loc) != 0x07064b50 {
		return n, nil
	}
	rec := make([]byte, 56)
	off := int64(binary.LittleEndian.Uint64(loc[8:]))
	if off < 0 || off > size-56 {
		return 0, zip.ErrFormat
	}
	if _, err := r.ReadAt(rec, off); err != nil || binary.LittleEndian.Uint32(rec) != 0x06064b50 {
		return 0, zip.ErrFormat
	}
	return binary.LittleEndian.Uint64(rec[32:]), nil
}

// classNames returns the names of the train class folders of l, sorted,
// and checks that there are at least two, and that every test class is
// one of them.
func classNames(l layout) ([]string, error) {
	folders := l.train.subfolders()
	switch len(folders) {
	case 0:
		return nil, fmt.Errorf("%w in %s: expected <class>/<image> folders, optionally inside train/ and test/ folders",
			ErrNoClasses, displayDir(l.train.path))
	case 1:
		return nil, fmt.Errorf("%w: %s; a classifier needs at least two classes", ErrOneClass, folders[0].path)
	}
	names := make([]string, len(folders))
	for i, c := range folders {
		names[i] = c.name()
	}
	if l.test != nil {
		for _, c := range l.test.subfolders() {
			if !slices.Contains(names, c.name()) {
				return nil, fmt.Errorf("%w: %s (train classes: %s)", ErrUnknownClass, c.path, strings.Join(names, ", "))
			}
		}
	}
	return names, nil
}

// listImages adds the image files of the class folders of split to
// z.Images, labelled by the index of their folder's name in z.Classes,
// records the other files in skipped and returns how many image files
// were encrypted.
func (z *Zip) listImages(split *folder, skipped *[]Skip) (encrypted int) {
	test := split.path == z.TestDir && z.TestDir != ""
	for _, c := range split.subfolders() {
		label := slices.Index(z.Classes, c.name())
		for _, f := range c.allFiles() {
			zf := z.files[f.entry]
			switch {
			case !isImageName(f.name):
				*skipped = append(*skipped, Skip{zf.Name, "not a JPEG, PNG, GIF or WebP file name"})
			case zf.Flags&0x1 != 0:
				*skipped = append(*skipped, Skip{zf.Name, "encrypted: password-protected files cannot be read"})
				encrypted++
			default:
				z.Images = append(z.Images, ZipImage{Name: zf.Name, Entry: f.entry, Label: label, Test: test,
					Bytes: zf.UncompressedSize64, CRC32: zf.CRC32, class: c.path})
			}
		}
	}
	return encrypted
}

// emptyClass returns the first class folder without one of the images
// kept (indices into z.Images), or "".
func (z *Zip) emptyClass(kept []int) string {
	seen := map[string]bool{}
	for _, i := range kept {
		seen[z.Images[i].class] = true
	}
	for _, c := range z.classDirs {
		if !seen[c] {
			return c
		}
	}
	return ""
}

// Open returns a reader of image i's file, refusing one that declares
// more than MaxFileBytes; the reader fails once more than that comes
// out of it.
func (z *Zip) Open(i int) (io.ReadCloser, error) {
	im := z.Images[i]
	if im.Bytes > MaxFileBytes {
		return nil, fmt.Errorf("%w: the zip says it unpacks to %s, more than the %s an image file may have",
			ErrTooLarge, byteWords(im.Bytes), byteWords(MaxFileBytes))
	}
	rc, err := z.files[im.Entry].Open()
	if err != nil {
		return nil, fmt.Errorf("data: cannot read the file from the zip: %w", err)
	}
	return &limitedFile{rc: rc, left: MaxFileBytes}, nil
}

// ReadFile returns the bytes of image i's file (see Open).
func (z *Zip) ReadFile(i int) ([]byte, error) {
	rc, err := z.Open(i)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	// Read into a buffer of the length the zip declares, plus one byte
	// to see the end: one allocation, where io.ReadAll makes several.
	b := make([]byte, 0, z.Images[i].Bytes+1)
	for {
		n, err := rc.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
		if len(b) == cap(b) { // longer than declared: archive/zip says so at the end
			b = append(b, 0)[:len(b)]
		}
	}
}

// limitedFile is a zip entry that may give at most left more bytes.
type limitedFile struct {
	rc   io.ReadCloser
	left int64
}

func (f *limitedFile) Read(p []byte) (int, error) {
	p = p[:min(int64(len(p)), f.left+1)] // one byte more tells a file too long
	n, err := f.rc.Read(p)
	f.left -= int64(n)
	if f.left < 0 {
		return n, fmt.Errorf("%w: it unpacks to more than the %s an image file may have", ErrTooLarge, byteWords(MaxFileBytes))
	}
	if err != nil && err != io.EOF {
		err = fmt.Errorf("data: cannot read the file from the zip: %w", err)
	}
	return n, err
}

func (f *limitedFile) Close() error { return f.rc.Close() }

// FileOrder returns the indices of z.Images in the order of their files
// in the zip's directory, which is the order of their data in almost
// every zip: a run of it is read front to back.
func (z *Zip) FileOrder() []int {
	order := make([]int, len(z.Images))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return z.Images[a].Entry - z.Images[b].Entry })
	return order
}

// notZipError is the error of a file that archive/zip cannot open, err.
type notZipError struct{ err error }

func (e notZipError) Error() string {
	return "data: not a zip file, or a damaged or cut-short one"
}

func (e notZipError) Unwrap() error { return e.err }
