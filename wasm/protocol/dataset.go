package protocol

import "fmt"

// The payloads of data sets.

// LoadDatasetRequest asks the data set worker to read the dataset zip in
// the body (a Blob), or at URL without one, decoding its images at side
// Size on Workers decoding workers (1, also when 0, to MaxWorkers). The
// data set replaces the one loaded only once it is read. The answer's
// body holds the thumbnails of DatasetInfo.Samples.
type LoadDatasetRequest struct {
	Name    string `json:"name"`
	URL     string `json:"url,omitempty"`
	Size    int    `json:"size"`
	Workers int    `json:"workers,omitempty"`
}

// LoadKeptRequest asks the data set worker to load the data set kept in
// the browser's storage under Digest, for a run to resume; its answer is
// a LoadDatasetRequest's.
type LoadKeptRequest struct {
	Name   string `json:"name"` // the data set's, as the run kept it
	Digest string `json:"digest"`
}

// EditRequest asks the data set worker to make Edits to the loaded data
// set, in their order, all of them or, when one cannot be made, none.
// Evaluate and Train use the data set so edited. A person's click is one
// edit; the edits kept from before a reload come back in one request.
type EditRequest struct {
	Edits []Edit `json:"edits"`
}

// Edit relabels the image Name of the data set as the class Class, or
// leaves it out (Exclude), or, with Undo, takes its edit back.
type Edit struct {
	Name    string `json:"name"`
	Class   string `json:"class,omitempty"`
	Exclude bool   `json:"exclude,omitempty"`
	Undo    bool   `json:"undo,omitempty"`
}

// MaxEdits is the most edits one EditRequest may carry.
const MaxEdits = 1 << 17

// DatasetEdits is the answer to an EditRequest: every edit of the data
// set, by image name, and its splits and images as edited.
type DatasetEdits struct {
	Edits  []ImageEdit `json:"edits"`
	Splits []SplitInfo `json:"splits"`
	Images int         `json:"images"`
}

// ImageEdit is one image relabelled (from the class From to To) or left
// out.
type ImageEdit struct {
	Name     string `json:"name"`
	From     string `json:"from"`
	To       string `json:"to,omitempty"`
	Excluded bool   `json:"excluded,omitempty"`
}

// DownloadRequest asks the data set worker for the loaded data set's
// zip as edited: its images in the layout they came in, a relabelled one
// in its new class's folder, one left out left out. The zip comes in the
// notices' bodies, part after part; the answer names it.
type DownloadRequest struct{}

// ZipPart is a notice of a DownloadRequest: how far the zip got, its
// body the zip's next bytes.
type ZipPart struct {
	Progress Progress `json:"progress"`
}

// ZipWritten is the answer to a DownloadRequest.
type ZipWritten struct {
	Name   string `json:"name"`   // for the file
	Images int    `json:"images"` // in it
	Bytes  int64  `json:"bytes"`
}

func checkDownload(DownloadRequest) error { return nil }

func checkEdit(q EditRequest) error {
	if len(q.Edits) == 0 || len(q.Edits) > MaxEdits {
		return fmt.Errorf("%d edits, want 1 to %d", len(q.Edits), MaxEdits)
	}
	for _, e := range q.Edits {
		n := 0
		for _, b := range []bool{e.Class != "", e.Exclude, e.Undo} {
			if b {
				n++
			}
		}
		if e.Name == "" || n != 1 {
			return fmt.Errorf("an image and one of a class, exclude or undo, not %+v", e)
		}
	}
	return nil
}

// DecodeRequest asks a decoding worker for images Lo to Hi of the
// dataset zip in the body, in the zip's file order (data.Zip.FileOrder),
// at side Size. Their pixels come back in notices, ProgressEvery images
// at a time.
type DecodeRequest struct {
	Name string `json:"name"`
	Size int    `json:"size"`
	Lo   int    `json:"lo"`
	Hi   int    `json:"hi"`
}

// Decoded is a notice of a DecodeRequest: its body holds the pixels of
// the images up to Progress.Done, back to back, from where the last
// notice ended.
type Decoded struct {
	Progress Progress  `json:"progress"`
	Failed   []Failure `json:"failed,omitempty"` // the images that could not be read
}

// ProgressEvery is how many images a decoding worker decodes between
// notices.
const ProgressEvery = 64

// Limits of the data set requests.
const (
	MaxImageSize = 1024 // the side of a decoded image
	MaxCellLimit = 1000 // the images of a cell sent at once, or thumbnails asked for by name
	MaxWorkers   = 16   // decoding or training workers
)

// Progress is how far a long request got.
type Progress struct {
	Stage string `json:"stage"` // what it is doing, in a person's words: "decoding images"
	Done  int    `json:"done"`  // items done
	Total int    `json:"total"` // items in all; 0 when not known
	// PerSec is the rate of the items, in items a second, when known.
	PerSec float64 `json:"perSec,omitempty"`
}

// Failure is an image that could not be read, and why.
type Failure struct {
	At     int    `json:"at"`     // its position in the run
	Reason string `json:"reason"` // in a person's words
}

// DatasetInfo describes a loaded data set.
type DatasetInfo struct {
	Name    string      `json:"name"`    // the zip's name, as the request gave it
	Bytes   int64       `json:"bytes"`   // the zip's length
	Classes []string    `json:"classes"` // in label order
	Size    int         `json:"size"`    // the side of the decoded images
	Splits  []SplitInfo `json:"splits"`  // training, then validation (as training will hold it out) and test when there are
	// Images is the number of images read; Memory the bytes their pixels
	// take.
	Images int   `json:"images"`
	Memory int64 `json:"memory"`
	// Seconds is how long reading took, Workers on how many workers.
	Seconds float64 `json:"seconds"`
	Workers int     `json:"workers"`
	// Skipped are the files not used, and why; Warnings what a person
	// should know before training.
	Skipped  []Skip    `json:"skipped,omitempty"`
	Warnings []Warning `json:"warnings,omitempty"`
	// Samples are thumbnails of the first images of each class of the
	// training split, in the answer's body.
	Samples []Thumb `json:"samples,omitempty"`
	// Kept says the data set came from the browser's storage, for a run
	// to resume, not from its zip.
	Kept bool `json:"kept,omitempty"`
}

// SplitInfo is one split of a data set.
type SplitInfo struct {
	Name   string `json:"name"`   // "training", "validation" or "test"
	Dir    string `json:"dir"`    // its folder in the zip; "" for the top
	Counts []int  `json:"counts"` // images of each class
	Note   string `json:"note,omitempty"`
}

// Skip is a file of a zip not used, and why.
type Skip struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Warning is something a person should know about a data set.
type Warning struct {
	Message string     `json:"message"`
	Files   []string   `json:"files,omitempty"`
	Groups  [][]string `json:"groups,omitempty"` // the names of Files' lines, one slice a line
}

// ThumbnailsRequest asks for the thumbnails of the loaded data set's
// images named Names (at most MaxCellLimit), such as the files of a
// warning of its summary.
type ThumbnailsRequest struct {
	Names []string `json:"names"`
}

// ThumbnailSet answers a ThumbnailsRequest: a thumbnail in the body for
// each image of the data set named (their Class unset), but those whose
// file no longer decodes.
type ThumbnailSet struct {
	Thumbs []Thumb `json:"thumbs"`
}

func checkThumbnails(q ThumbnailsRequest) error {
	if len(q.Names) == 0 || len(q.Names) > MaxCellLimit {
		return fmt.Errorf("%d names, want 1 to %d", len(q.Names), MaxCellLimit)
	}
	return nil
}

func checkLoadDataset(q LoadDatasetRequest) error {
	if q.Size < 1 || q.Size > MaxImageSize || q.Workers < 0 || q.Workers > MaxWorkers {
		return fmt.Errorf("side %d on %d workers, want 1 to %d and 1 to %d", q.Size, q.Workers, MaxImageSize, MaxWorkers)
	}
	return nil
}

func checkLoadKept(q LoadKeptRequest) error {
	if len(q.Digest) != 64 {
		return fmt.Errorf("digest %q", q.Digest)
	}
	return nil
}

func checkDecode(q DecodeRequest) error {
	if q.Size < 1 || q.Size > MaxImageSize || q.Lo < 0 || q.Hi < q.Lo {
		return fmt.Errorf("images %d to %d at side %d", q.Lo, q.Hi, q.Size)
	}
	return nil
}
