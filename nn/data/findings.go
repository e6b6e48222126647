package data

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
)

// Duplicates returns the groups of z's images whose files are
// byte-identical, each group's indices ascending and the groups ordered
// by their first. Only files whose length and CRC-32 agree in the zip's
// directory are read and compared, so a zip without copies costs
// nothing; files that cannot be read are left out.
func (z *Zip) Duplicates() [][]int {
	type key struct {
		n   uint64
		crc uint32
	}
	candidates := map[key][]int{}
	for i, im := range z.Images {
		k := key{im.Bytes, im.CRC32}
		candidates[k] = append(candidates[k], i)
	}
	var groups [][]int
	for _, idx := range candidates {
		if len(idx) < 2 {
			continue
		}
		same := map[[sha256.Size]byte][]int{}
		for _, i := range idx {
			b, err := z.ReadFile(i)
			if err != nil {
				continue
			}
			sum := sha256.Sum256(b)
			same[sum] = append(same[sum], i)
		}
		for _, g := range same {
			if len(g) > 1 {
				slices.Sort(g)
				groups = append(groups, g)
			}
		}
	}
	slices.SortFunc(groups, func(a, b []int) int { return a[0] - b[0] })
	return groups
}

// Warning is something a person should know about a data set before
// training on it; nothing was skipped for it.
type Warning struct {
	// Message says what, in a person's words.
	Message string
	// Files names the files concerned, if any: for copies, each group
	// of identical files on a line, separated by " = ".
	Files []string
	// Groups are the names of Files' lines, one slice a line.
	Groups [][]string
}

// groupsWarning is the warning msg about the groups of files.
func groupsWarning(msg string, groups [][]string) Warning {
	w := Warning{Message: msg, Groups: groups}
	for _, g := range groups {
		w.Files = append(w.Files, strings.Join(g, " = "))
	}
	return w
}

// SmallClassShare is how small a class may be against the mean class
// of its split before Warnings says so.
const SmallClassShare = 0.5

// Warnings returns what a person should know about a, read from z, whose
// byte-identical files are dups (see Duplicates): files that are copies
// of another (and those filed under different classes), images in both
// the train and the test split, and classes much smaller than the
// others.
func (z *Zip) Warnings(a *Archive, dups [][]int) []Warning {
	var ws []Warning
	var copies, crossClass, crossSplit [][]string
	nCopies, nCross, nSplit := 0, 0, 0
	for _, g := range dups {
		names := make([]string, len(g))
		classes, test, train := map[int]bool{}, false, false
		for k, i := range g {
			im := z.Images[i]
			names[k] = im.Name
			classes[im.Label] = true
			test, train = test || im.Test, train || !im.Test
		}
		switch {
		case test && train:
			crossSplit = append(crossSplit, names)
			nSplit++
		case len(classes) > 1:
			crossClass = append(crossClass, names)
			nCross += len(g) - 1
			nCopies += len(g) - 1
		default:
			copies = append(copies, names)
			nCopies += len(g) - 1
		}
	}
	if nCopies > 0 {
		msg := fmt.Sprintf("%s a byte-identical copy of another file", plural(nCopies, "file is", "files are"))
		if nCross > 0 {
			msg += fmt.Sprintf("; %s filed under a different class than the original, so the same image teaches two answers", plural(nCross, "copy is", "copies are"))
		}
		ws = append(ws, groupsWarning(msg+".", append(crossClass, copies...)))
	}
	if nSplit > 0 {
		ws = append(ws, groupsWarning(fmt.Sprintf("%s in both the training and the test split, so the test score counts images the model was trained on.",
			plural(nSplit, "image is", "images are")), crossSplit))
	}
	for _, s := range []*Set{a.Train, a.Test} {
		if s != nil {
			ws = append(ws, smallClasses(s, s == a.Test)...)
		}
	}
	return ws
}

// smallClasses warns of the classes of s with fewer than SmallClassShare
// of the mean count, or no image at all.
func smallClasses(s *Set, test bool) []Warning {
	split := "training"
	if test {
		split = "test"
	}
	counts := s.Counts()
	mean := float64(s.Len()) / float64(len(counts))
	var ws []Warning
	for c, n := range counts {
		if float64(n) < SmallClassShare*mean {
			ws = append(ws, Warning{Message: fmt.Sprintf("Class %q has %s in the %s split, against %.0f for a class on average: the model will see it less and may learn it poorly.",
				s.Classes[c], plural(n, "image", "images"), split, mean)})
		}
	}
	return ws
}

// plural writes n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
