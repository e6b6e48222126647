package data

import (
	"archive/zip"
	"fmt"
	"path"
	"slices"
	"strings"
)

// folder is a folder of a zip archive, built from the names of its
// entries.
type folder struct {
	path    string // inside the zip, ending in "/"; "" for the top
	folders map[string]*folder
	files   []file // directly in this folder, junk left out
}

// file is a file of a zip archive.
type file struct {
	name  string // the last element of its cleaned name
	entry int    // its index in the zip's directory
	zname string // its name in the zip, as written there
}

// layout is where a zip's images are: the folder of train class folders,
// optionally a folder of test class folders, and the entries left out.
type layout struct {
	train, test *folder
	skipped     []Skip
}

// Folder names, lower-cased, that mark a split.
var (
	trainNames = []string{"train", "training", "seg_train", "train_set", "trainset"}
	testNames  = []string{"test", "testing", "seg_test", "test_set", "testset"}
	valNames   = []string{"val", "valid", "validation", "seg_val", "val_set"}
)

// imageExts are the file name extensions read as images.
var imageExts = []string{".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp"}

// isImageName reports whether name has an image extension.
func isImageName(name string) bool {
	return slices.Contains(imageExts, strings.ToLower(path.Ext(name)))
}

// isJunk reports whether a zip entry is something archivers and operating
// systems add by themselves: __MACOSX, dotfiles, Thumbs.db, desktop.ini.
func isJunk(name string) bool {
	for part := range strings.SplitSeq(name, "/") {
		low := strings.ToLower(part)
		if strings.HasPrefix(part, ".") || low == "__macosx" || low == "thumbs.db" || low == "desktop.ini" {
			return true
		}
	}
	return false
}

// cleanName returns the entry's name with "/" separators (archivers on
// Windows write a backslash), without "." elements or repeated separators, and
// ending in "/" if it is a folder's. unsafe says why a name is refused,
// if it is: one that climbs out of the zip with "..", starts at the root
// or names a drive could write outside a folder the zip is unpacked to,
// and is never turned into a class.
func cleanName(name string) (clean, unsafe string) {
	name = strings.ReplaceAll(name, `\`, "/")
	dir := strings.HasSuffix(name, "/")
	switch {
	case strings.HasPrefix(name, "/"):
		return "", "unsafe path: it starts at the root of the disk"
	case len(name) >= 2 && name[1] == ':' && ('a' <= name[0]|0x20 && name[0]|0x20 <= 'z'):
		return "", "unsafe path: it names a drive"
	}
	name = path.Clean(name)
	if name == ".." || strings.HasPrefix(name, "../") {
		return "", "unsafe path: it climbs out of the zip with .."
	}
	if name == "." {
		return "", ""
	}
	if dir {
		name += "/"
	}
	return name, ""
}

// buildTree returns the top folder of the archive holding files, and the
// entries refused for their names.
func buildTree(files []*zip.File) (*folder, []Skip) {
	top := &folder{folders: map[string]*folder{}}
	var unsafe []Skip
	for i, f := range files {
		name, why := cleanName(f.Name)
		if why != "" {
			unsafe = append(unsafe, Skip{f.Name, why})
			continue
		}
		if name == "" || isJunk(name) {
			continue
		}
		isDir := strings.HasSuffix(name, "/") || f.FileInfo().IsDir()
		parts := strings.Split(strings.TrimSuffix(name, "/"), "/")
		if !isDir {
			parts = parts[:len(parts)-1]
		}
		d := top
		for _, p := range parts {
			d = d.child(p)
		}
		if !isDir {
			d.files = append(d.files, file{path.Base(name), i, f.Name})
		}
	}
	return top, unsafe
}

// child returns the subfolder named name, creating it if needed.
func (d *folder) child(name string) *folder {
	c, ok := d.folders[name]
	if !ok {
		c = &folder{path: d.path + name + "/", folders: map[string]*folder{}}
		d.folders[name] = c
	}
	return c
}

// hasImages reports whether d holds image files directly.
func (d *folder) hasImages() bool {
	return slices.ContainsFunc(d.files, func(f file) bool { return isImageName(f.name) })
}

// subfolders returns d's subfolders sorted by name.
func (d *folder) subfolders() []*folder {
	names := make([]string, 0, len(d.folders))
	for n := range d.folders {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]*folder, len(names))
	for i, n := range names {
		out[i] = d.folders[n]
	}
	return out
}

// name returns the last element of d's path.
func (d *folder) name() string {
	return path.Base(d.path)
}

// allFiles returns the files in d and below, ordered by folder path and
// then file name, the order of torchvision's ImageFolder.
func (d *folder) allFiles() []file {
	files := slices.Clone(d.files)
	slices.SortStableFunc(files, func(a, b file) int { return strings.Compare(a.name, b.name) })
	for _, c := range d.subfolders() {
		files = append(files, c.allFiles()...)
	}
	return files
}

// unwrap descends through folders that only wrap a single folder of
// folders, such as the top folder most zips have, or the second seg_train
// of Kaggle's seg_train/seg_train. It stops at a folder that holds images
// itself or no folder, since that is a class. The files of the folders
// passed through and of the one returned are not in a class folder, and
// are recorded as skipped.
func (l *layout) unwrap(d *folder) *folder {
	for {
		for _, f := range d.files {
			l.skipped = append(l.skipped, Skip{f.zname, "not in a class folder"})
		}
		if len(d.folders) != 1 || d.hasImages() {
			return d
		}
		c := d.subfolders()[0]
		if c.hasImages() || len(c.folders) == 0 {
			return d
		}
		d = c
	}
}

// namedIn returns the first of folders whose name, lower-cased, is in
// names, or nil.
func namedIn(folders []*folder, names []string) *folder {
	for _, f := range folders {
		if slices.Contains(names, strings.ToLower(f.name())) {
			return f
		}
	}
	return nil
}

// findLayout finds the train and test folders of the tree under top:
// a folder with a train folder (train, training, seg_train, ...) beside
// it takes test from a test folder, or else from a validation folder
// (val, valid, validation, ...); any other folder there is left out.
// Without a train folder, the top folder itself holds the class folders.
// Single wrapping folders are skipped everywhere.
func findLayout(top *folder) layout {
	var l layout
	root := l.unwrap(top)
	subs := root.subfolders()
	train := namedIn(subs, trainNames)
	if train == nil {
		l.train = root
		return l
	}
	test := namedIn(subs, testNames)
	if test == nil {
		test = namedIn(subs, valNames)
	}
	for _, f := range subs {
		switch f {
		case train:
			l.train = l.unwrap(f)
		case test:
			l.test = l.unwrap(f)
		default:
			files := plural(len(f.allFiles()), "file", "files")
			reason := fmt.Sprintf("not a train or test folder: %s not used", files)
			if slices.Contains(valNames, strings.ToLower(f.name())) {
				reason = fmt.Sprintf("validation folder not used (%s): the test set is %s", files, test.path)
			}
			l.skipped = append(l.skipped, Skip{f.path, reason})
		}
	}
	if l.test != nil && len(l.test.folders) == 0 {
		l.skipped = append(l.skipped, Skip{l.test.path, "no class folders in the test folder"})
		l.test = nil
	}
	return l
}
