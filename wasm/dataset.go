package main

import (
	"fmt"
	"image"
	"time"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// samplesPerClass is how many thumbnails of each class a data set's
// summary shows.
const samplesPerClass = 8

// dataset is a loaded data set.
type dataset struct {
	zip     *data.Zip      // over the zip's file, kept to read thumbnails again; nil for a data set kept in the browser
	file    file           // the zip's file, to decode its images again at another side; nil with zip
	workers int            // decoding workers it was read on
	index   map[string]int // an image's index in zip.Images, or in archive.Train then archive.Test when no zip, by name
	name    string         // the zip's name
	edits   map[string]imageEdit
	// sided is the data set at the side it was loaded at.
	sided
	// other is the data set read again at another side (see sides.go),
	// the last one asked for; nil until one was.
	other *sided
}

// sided is the data set's images at one side.
type sided struct {
	archive *data.Archive
	digest  string // the pixels' digest, once computed (see keep)
	// original is the archive as read, once an image was edited; archive
	// is it with edits applied (see edits.go).
	original *data.Archive
}

// loadDataset reads the request's dataset zip and makes it the data set;
// on error the data set loaded before stays. It returns the summary, and
// the thumbnails of the summary's samples.
func (d *datasets) loadDataset(r *request, q protocol.LoadDatasetRequest) (protocol.DatasetInfo, []byte, error) {
	r.file = q.Name
	start := time.Now()
	f, err := r.fileOr(q.URL)
	if err != nil {
		return protocol.DatasetInfo{}, nil, err
	}
	z, err := data.OpenZip(f, f.Size())
	if err != nil {
		return protocol.DatasetInfo{}, nil, badInput(err)
	}
	opt := data.Options{Size: q.Size, MaxPixels: data.DefaultMaxPixels}
	workers := max(q.Workers, 1)
	pix, errs, err := d.decodeAll(r, q.Name, f, z, opt, workers, func(p protocol.Progress) {
		r.tell(protocol.LoadDataset.Notice(r.ID(), p), nil)
	})
	if err != nil {
		return protocol.DatasetInfo{}, nil, err
	}
	a, err := z.Archive(opt.Size, pix, errs)
	if err != nil {
		return protocol.DatasetInfo{}, nil, badInput(err)
	}
	r.tell(protocol.LoadDataset.Notice(r.ID(), protocol.Progress{Stage: "looking for copies", Done: len(z.Images), Total: len(z.Images)}), nil)
	ds := &dataset{zip: z, file: f, workers: workers, sided: sided{archive: a}, index: make(map[string]int, len(z.Images)), name: q.Name}
	for i, im := range z.Images {
		ds.index[im.Name] = i
	}
	info := summarize(q.Name, f.Size(), a)
	info.Warnings = warningsOf(z.Warnings(a, z.Duplicates()))
	info.Workers = workers
	body := d.use(ds, &info, start)
	return info, body, nil
}

// use makes ds, described by info, the data set, loaded since start,
// and returns the thumbnails of info's samples, which it sets.
func (d *datasets) use(ds *dataset, info *protocol.DatasetInfo, start time.Time) []byte {
	samples, body := ds.samples()
	info.Samples = samples
	info.Seconds = time.Since(start).Seconds()
	d.dataset, d.evals = ds, map[string]*evaluation{}
	return body
}

// summarize describes a, read from a zip of size bytes named name.
func summarize(name string, size int64, a *data.Archive) protocol.DatasetInfo {
	info := protocol.DatasetInfo{Name: name, Bytes: size, Classes: a.Train.Classes, Size: a.Train.Size}
	// The validation split as the default recipe will hold it out.
	r := nn.DefaultRecipe()
	trainIdx, valIdx := a.Train.SplitIndices(r.ValFraction, r.SplitRand())
	info.Splits = append(info.Splits,
		protocol.SplitInfo{Name: "training", Dir: a.TrainDir, Counts: countsOf(a.Train, trainIdx)},
		protocol.SplitInfo{Name: "validation", Dir: a.TrainDir, Counts: countsOf(a.Train, valIdx),
			Note: fmt.Sprintf("%.0f%% of the training folder, held out when training starts (seed %d)", 100*r.ValFraction, r.Seed)})
	info.Images, info.Memory = a.Train.Len(), int64(len(a.Train.Pix))
	if a.Test != nil {
		info.Splits = append(info.Splits, protocol.SplitInfo{Name: "test", Dir: a.TestDir, Counts: a.Test.Counts()})
		info.Images += a.Test.Len()
		info.Memory += int64(len(a.Test.Pix))
	}
	for _, s := range a.Skipped {
		info.Skipped = append(info.Skipped, protocol.Skip{Name: s.Name, Reason: s.Reason})
	}
	return info
}

// countsOf counts the images idx of s by class.
func countsOf(s *data.Set, idx []int) []int {
	counts := make([]int, len(s.Classes))
	for _, i := range idx {
		counts[s.Labels[i]]++
	}
	return counts
}

// warningsOf converts data's warnings to the protocol's.
func warningsOf(ws []data.Warning) []protocol.Warning {
	out := make([]protocol.Warning, len(ws))
	for i, w := range ws {
		out[i] = protocol.Warning{Message: w.Message, Files: w.Files, Groups: w.Groups}
	}
	return out
}

// samples returns thumbnails of the first samplesPerClass images of each
// class of the training split, and the body that holds them.
func (ds *dataset) samples() ([]protocol.Thumb, []byte) {
	s := ds.archive.Train
	taken := make([]int, len(s.Classes))
	var names []string
	var classes []int
	for i, name := range s.Names {
		c := s.Labels[i]
		if taken[c] == samplesPerClass {
			continue
		}
		taken[c]++
		names, classes = append(names, name), append(classes, c)
	}
	return ds.thumbnails(names, func(i int) int { return classes[i] })
}

// thumbnails returns the thumbnails of the images names, their class
// each as class(i) gives it, and the body that holds them; an image
// whose file no longer decodes (it decoded once; the file can have gone
// since) or that the data set lacks has none.
func (ds *dataset) thumbnails(names []string, class func(i int) int) ([]protocol.Thumb, []byte) {
	var thumbs []protocol.Thumb
	var body []byte
	for i, name := range names {
		b, err := ds.thumbnail(name)
		if err != nil {
			continue
		}
		thumbs = append(thumbs, protocol.Thumb{Name: name, Class: class(i), Offset: len(body), Length: len(b)})
		body = append(body, b...)
	}
	return thumbs, body
}

// thumbnail returns the thumbnail of the image named name, read again
// from the zip.
func (ds *dataset) thumbnail(name string) ([]byte, error) {
	i, ok := ds.index[name]
	if !ok {
		return nil, fmt.Errorf("%s: not in the data set", name)
	}
	if ds.zip == nil { // kept in the browser: the decoded pixels are all there is
		set := ds.archive.Train
		if i >= set.Len() {
			set, i = ds.archive.Test, i-set.Len()
		}
		return set.Thumbnail(i, data.ThumbSide)
	}
	b, err := ds.zip.ReadFile(i)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data.Thumbnail(b, name, data.ThumbSide, data.DefaultMaxPixels)
}

// picture returns the image named name, image i of set: read again from
// the zip, or, for a data set kept in the browser, its pixels.
func (ds *dataset) picture(name string, i int, set *data.Set) (image.Image, error) {
	if ds.zip == nil {
		return set.Picture(i), nil
	}
	j, ok := ds.index[name]
	if !ok {
		return nil, fmt.Errorf("%s: not in the data set", name)
	}
	b, err := ds.zip.ReadFile(j)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data.DecodeFile(b, name, data.DefaultMaxPixels)
}
