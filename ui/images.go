package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Status is where an image stands.
type Status string

// The statuses of an image, also its card's data-status attribute.
const (
	Pending Status = "pending" // with the classifier
	Done    Status = "done"    // classified
	Failed  Status = "error"   // refused or lost; Item.Err says why
)

// topK is how many classes the page shows for an image.
const topK = 3

// resultsPage is how many cards the page shows at first, and how many
// more "Show more" adds: a render goes over every card shown, so a
// thousand images dropped at once would make every render a thousand
// cards' work.
const resultsPage = 100

// Item is one image the person gave the page, and what became of it.
type Item struct {
	ID       uint64
	Name     string
	ThumbURL string // object URL of the image, shown once the classifier accepted it
	Status   Status
	Err      string                // why it failed, when Status is Failed; the card names the file
	Top      []protocol.Prediction // most probable first, when Status is Done
	Heat     *Explanation          // the heat map shown or asked for; nil for none

	file js.Value // the photo, a File, for Explain
	gone bool     // cleared from the page
	// thumbURL makes ThumbURL when the card is first shown (an object
	// URL is the browser's work, a thousand of them a noticeable pause);
	// nil once made, or when there is none to make.
	thumbURL func() string
}

// setThumb makes it show the thumbnail at url ("" for none), freeing the
// one it had.
func (it *Item) setThumb(url string) {
	revokeObjectURL(it.ThumbURL)
	it.ThumbURL, it.thumbURL = url, nil
}

// Images are the images the person gave the page, newest first, and
// what became of them.
type Images struct {
	Items []*Item
	Shown int   // how many of Items the page shows
	Tally tally // what became of Items

	lastID uint64

	page       *page
	classifier *link.Worker
	queue      photoQueue // the photos on their way to the classifier
}

// tally counts the classified images, kept as answers come.
type tally struct {
	pending, failed int
	byClass         map[string]int // the images of each most probable class
}

// add puts new items at the top of the list, pending, and returns them.
// thumbURL gives each its thumbnail's URL.
func (im *Images) add(names []string, thumbURL func(i int) string) []*Item {
	added := make([]*Item, len(names))
	for i, name := range names {
		im.lastID++
		added[i] = &Item{ID: im.lastID, Name: name, Status: Pending, thumbURL: func() string { return thumbURL(i) }}
	}
	im.Items = append(added, im.Items...)
	im.Tally.pending += len(added)
	return added
}

// untally takes it, classified or failed, out of the tally.
func (im *Images) untally(it *Item) {
	t := &im.Tally
	switch {
	case it.Status == Failed:
		t.failed--
	case it.Status == Done && len(it.Top) > 0:
		if t.byClass[it.Top[0].Class]--; t.byClass[it.Top[0].Class] == 0 {
			delete(t.byClass, it.Top[0].Class)
		}
	}
}

// finish records the classifier's answer about it.
func (im *Images) finish(it *Item, res protocol.Classified, err *protocol.Error) {
	if err != nil {
		it.Status, it.Err = Failed, err.About(it.Name)
	} else {
		it.Status, it.Top = Done, res.Top
	}
	t := &im.Tally
	t.pending--
	if it.Status == Failed {
		t.failed++
		return
	}
	if t.byClass == nil {
		t.byClass = map[string]int{}
	}
	if len(it.Top) > 0 {
		t.byClass[it.Top[0].Class]++
	}
}

// clear removes every item and returns them.
func (im *Images) clear() []*Item {
	gone := im.Items
	for _, it := range gone {
		it.gone = true
	}
	im.Items, im.Shown, im.Tally = nil, resultsPage, tally{}
	return gone
}

// showMore shows more of the older cards.
func (im *Images) showMore() { im.Shown += resultsPage }

// Visible returns the cards the page shows: the newest first, with
// their thumbnails' URLs.
func (im *Images) Visible() []*Item {
	shown := im.Items[:min(len(im.Items), im.Shown)]
	for _, it := range shown {
		if it.thumbURL != nil {
			it.ThumbURL, it.thumbURL = it.thumbURL(), nil
		}
	}
	return shown
}

// ShowMoreLabel says what "Show more" shows.
func (im *Images) ShowMoreLabel() string {
	hidden := len(im.Items) - im.Shown
	return fmt.Sprintf("Show %s more (of %s not shown)", data.CountWords(min(resultsPage, hidden)), data.CountWords(hidden))
}

// Count says how many images the list holds and how far they got.
func (im *Images) Count() string {
	n := len(im.Items)
	s := plural(n, "image", "images")
	if n > 1 {
		s += ", newest first"
	}
	var parts []string
	if done := n - im.Tally.pending - im.Tally.failed; done > 0 && n > 1 {
		parts = append(parts, data.CountWords(done)+" classified")
	}
	if im.Tally.failed > 0 {
		parts = append(parts, data.CountWords(im.Tally.failed)+" could not be read")
	}
	if im.Tally.pending > 0 {
		parts = append(parts, data.CountWords(im.Tally.pending)+" waiting")
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// Pending is how many images wait for the classifier.
func (im *Images) Pending() int { return im.Tally.pending }

// TallyLine says how many images each class got, most first; "" until
// two classes have some.
func (im *Images) TallyLine() string {
	by := im.Tally.byClass
	if len(by) < 2 {
		return ""
	}
	classes := make([]string, 0, len(by))
	for class := range by {
		classes = append(classes, class)
	}
	slices.SortFunc(classes, func(a, b string) int { return cmp.Or(cmp.Compare(by[b], by[a]), cmp.Compare(a, b)) })
	parts := make([]string, len(classes))
	for i, class := range classes {
		parts[i] = fmt.Sprintf("%s %s", class, data.CountWords(by[class]))
	}
	return "Most probable class: " + strings.Join(parts, " · ")
}

// Classify puts the files, images the person gave, at the top of the
// list and has the classifier classify them, in order, as it has room
// for them (see photoQueue).
func (im *Images) Classify(files []js.Value) {
	names := make([]string, len(files))
	for i, f := range files {
		names[i] = f.Get("name").String()
	}
	added := im.add(names, func(i int) string { return objectURL(files[i]) })
	ps := make([]queuedPhoto, len(added))
	for i, it := range added {
		it.file = files[i]
		ps[i] = queuedPhoto{item: it, file: files[i]}
	}
	im.enqueue(ps)
}

// Reclassify has the classifier classify again, with the model that
// classifies now, the photos it classified with another: the cards shown
// first. Their heat maps go with their answers; photos that could not
// be read stay as they are.
func (im *Images) Reclassify() {
	var ps []queuedPhoto
	for _, it := range im.Items {
		if it.Status != Done || !it.file.Truthy() {
			continue
		}
		im.untally(it)
		it.Status, it.Top = Pending, nil
		setExplanation(&it.Heat, nil)
		im.Tally.pending++
		ps = append(ps, queuedPhoto{item: it, file: it.file})
	}
	if len(ps) == 0 {
		return
	}
	im.enqueue(ps)
}

// enqueue queues the photos ps for the classifier.
func (im *Images) enqueue(ps []queuedPhoto) {
	if im.queue.send == nil {
		im.queue.send = im.send
	}
	im.queue.add(ps)
}

// send asks the classifier to classify the photo p, its body its bytes
// or its File, and calls done once it is answered.
func (im *Images) send(p queuedPhoto, body js.Value, done func()) {
	it := p.item
	q := protocol.ClassifyRequest{Name: it.Name, TopK: topK}
	ask(im.page, im.classifier, protocol.Classify, q, body, imagesRender, link.Handlers[protocol.Classified, protocol.None]{
		Done: func(res protocol.Classified, body js.Value, err *protocol.Error) {
			done()
			if it.gone { // cleared while it was classified
				return
			}
			im.finish(it, res, err)
			switch {
			case it.Status == Failed: // its thumbnail is never shown
				it.setThumb("")
			case res.Thumb != nil && link.IsBuffer(body): // a large photo: show the classifier's thumbnail, not the photo
				it.setThumb(thumbnailURL(body, *res.Thumb))
			}
		}})
}

// Clear removes every image, freeing their thumbnails and heat maps,
// and moves the focus to the drop zone's file picker.
func (im *Images) Clear() {
	focusOn(js.Global().Get("document").Call("getElementById", "pick-images"))
	im.queue.clear()
	for _, it := range im.clear() {
		it.setThumb("")
		setExplanation(&it.Heat, nil)
	}
}

// Remove takes the card of it, classified or failed, off the page.
func (im *Images) Remove(it *Item) {
	i := slices.Index(im.Items, it)
	if i < 0 || it.Status == Pending {
		return
	}
	im.Items = slices.Concat(im.Items[:i], im.Items[i+1:]) // a new list: add's callers may hold the old
	im.untally(it)
	it.gone = true
	it.setThumb("")
	setExplanation(&it.Heat, nil)
}

// plural writes n with the singular or plural noun.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return data.CountWords(n) + " " + many
}

// percent formats a probability in [0, 1] as a percentage.
func percent(p float32) string {
	return fmt.Sprintf("%.1f%%", 100*p)
}
