package data

import (
	"archive/zip"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Errors about a dataset zip as a whole. Errors returned by ReadZip wrap
// one of them or, for a file that is not a zip, zip.ErrFormat.
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
	// Reason says why it was not used.
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

// ReadZip reads a dataset zip of size bytes from r. It accepts:
//
//   - the Kaggle Intel Image Classification archive as downloaded:
//     seg_train/seg_train/<class>/*.jpg and seg_test/seg_test/<class>/...
//     (seg_pred, unlabelled, is skipped);
//   - train/<class>/... with test/<class>/... or, lacking a test folder,
//     val/<class>/... as the test set (training, valid, validation and
//     the like are recognised too); other folders beside them are skipped;
//   - plain <class>/... folders, giving only Train;
//
// each optionally inside wrapping folders. Images may be nested below
// their class folder. Classes are the train class folders, sorted by
// name, and images are ordered by class, folder and name, as
// torchvision's ImageFolder orders them; test images take the train
// labels. Images are decoded with DecodeImage, in parallel on all CPUs,
// with results independent of their number. Files that are not JPEG, PNG
// or GIF images, or cannot be decoded, are skipped and listed in
// Skipped.
//
// The errors name the folder at fault: not a zip (wrapping
// zip.ErrFormat), no class folders (ErrNoClasses), a single class
// (ErrOneClass), a test class unknown to train (ErrUnknownClass), no
// image at all or none decodable (ErrNoImages), and a class folder
// without a usable image (ErrEmptyClass). Options with Size or MaxPixels
// below 1 are an error too.
func ReadZip(r io.ReaderAt, size int64, opt Options) (*Archive, error) {
	if opt.Size < 1 || opt.MaxPixels < 1 {
		return nil, fmt.Errorf("data: ReadZip with image size %d and MaxPixels %d", opt.Size, opt.MaxPixels)
	}
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("data: reading zip: %w", err)
	}
	l := findLayout(buildTree(zr.File))
	classes, err := classNames(l)
	if err != nil {
		return nil, err
	}
	jobs, skipped, err := listJobs(l, classes)
	if err != nil {
		return nil, err
	}
	pix, errs := decodeAll(jobs, opt)

	a := &Archive{TrainDir: l.train.path, Skipped: append(l.skipped, skipped...)}
	var kept []imageJob
	for i, err := range errs {
		if err != nil {
			reason := strings.TrimPrefix(err.Error(), "data: ")
			a.Skipped = append(a.Skipped, Skip{jobs[i].file.Name, reason})
			continue
		}
		kept = append(kept, jobs[i])
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("%w: none of the %d image files could be decoded (%s: %v)",
			ErrNoImages, len(jobs), jobs[0].file.Name, errs[0])
	}
	if err := checkClasses(l, kept, "has no decodable images"); err != nil {
		return nil, err
	}
	a.Train = assemble(classes, opt.Size, jobs, pix, errs, false)
	if l.test != nil {
		a.Test = assemble(classes, opt.Size, jobs, pix, errs, true)
		a.TestDir = l.test.path
	}
	slices.SortFunc(a.Skipped, func(x, y Skip) int { return cmp.Compare(x.Name, y.Name) })
	return a, nil
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
		return nil, fmt.Errorf("%w: %s", ErrOneClass, folders[0].path)
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

// listJobs returns the image files of the train and then the test class
// folders of l, and the other files of those folders, and checks that
// every class folder has some.
func listJobs(l layout, classes []string) ([]imageJob, []Skip, error) {
	jobs, skipped := listImages(l.train.subfolders(), classes, false)
	if l.test != nil {
		testJobs, testSkipped := listImages(l.test.subfolders(), classes, true)
		jobs = append(jobs, testJobs...)
		skipped = append(skipped, testSkipped...)
	}
	if len(jobs) == 0 {
		return nil, nil, fmt.Errorf("%w: no JPEG, PNG or GIF files in the class folders of %s",
			ErrNoImages, displayDir(l.train.path))
	}
	if err := checkClasses(l, jobs, "has no JPEG, PNG or GIF files"); err != nil {
		return nil, nil, err
	}
	return jobs, skipped, nil
}

// displayDir names a folder of the zip in an error.
func displayDir(p string) string {
	if p == "" {
		return "the top of the zip"
	}
	return p
}

// imageJob is an image file to decode.
type imageJob struct {
	file  *zip.File
	label int
	test  bool
	class string // the class folder's path, for errors
}

// listImages returns the image files of class folders, labelled by the
// index of their folder's name in names, and skips the other files.
func listImages(classes []*folder, names []string, test bool) ([]imageJob, []Skip) {
	var jobs []imageJob
	var skipped []Skip
	for _, c := range classes {
		label := slices.Index(names, c.name())
		for _, f := range c.allFiles() {
			if !isImageName(f.name) {
				skipped = append(skipped, Skip{f.zf.Name, "not a JPEG, PNG or GIF file name"})
				continue
			}
			jobs = append(jobs, imageJob{file: f.zf, label: label, test: test, class: c.path})
		}
	}
	return jobs, skipped
}

// checkClasses returns an ErrEmptyClass error for the first class folder
// of l without a job.
func checkClasses(l layout, jobs []imageJob, why string) error {
	seen := map[string]bool{}
	for _, j := range jobs {
		seen[j.class] = true
	}
	for _, d := range []*folder{l.train, l.test} {
		if d == nil {
			continue
		}
		for _, c := range d.subfolders() {
			if !seen[c.path] {
				return fmt.Errorf("%w: %s %s", ErrEmptyClass, c.path, why)
			}
		}
	}
	return nil
}

// assemble returns the set of the decoded images of train (test false) or
// test, moving their pixels forward in pix over those of the images that
// failed. Train jobs precede test jobs, so the two sets never overlap.
func assemble(classes []string, size int, jobs []imageJob, pix []uint8, errs []error, test bool) *Set {
	n := size * size * 3
	s := &Set{Size: size, Classes: classes}
	start := -1
	for i, j := range jobs {
		if j.test != test {
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
		s.Labels = append(s.Labels, j.label)
		s.Names = append(s.Names, j.file.Name)
	}
	end := max(start, 0) + len(s.Labels)*n
	s.Pix = pix[max(start, 0):end:end]
	return s
}
