package main

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// noURL is a thumbnail URL maker for tests, where there is no browser.
func noURL(int) string { return "" }

func TestImagesFinish(t *testing.T) {
	top := []protocol.Prediction{{Class: "sea", Probability: 0.9}, {Class: "glacier", Probability: 0.1}}
	for _, tc := range []struct {
		res  protocol.Classified
		err  *protocol.Error
		want Item
	}{
		{protocol.Classified{Top: top}, nil, Item{ID: 1, Name: "a.jpg", Status: Done, Top: top}},
		{protocol.Classified{}, &protocol.Error{Code: protocol.BadInput, File: "a.jpg", Message: "not an image"}, Item{ID: 1, Name: "a.jpg", Status: Failed, Err: "not an image"}},
		{protocol.Classified{}, &protocol.Error{Code: protocol.WorkerLost, Message: "the worker stopped"}, Item{ID: 1, Name: "a.jpg", Status: Failed, Err: "the worker stopped"}},
	} {
		im := Images{Shown: resultsPage}
		it := im.add([]string{"a.jpg"}, noURL)[0]
		im.Visible() // shown: its thumbnail's URL made
		im.finish(it, tc.res, tc.err)
		if !reflect.DeepEqual(*it, tc.want) {
			t.Errorf("finish(%+v, %+v): got %+v, want %+v", tc.res, tc.err, *it, tc.want)
		}
		if im.Tally.pending != 0 {
			t.Errorf("%d pending after the answer", im.Tally.pending)
		}
	}
}

// TestImagesTally follows a list of images from given to classified
// and cleared, as its lines say it.
func TestImagesTally(t *testing.T) {
	im := Images{Shown: resultsPage}
	items := im.add([]string{"1.jpg", "2.jpg", "3.jpg", "4.jpg"}, noURL)
	if got, want := im.Count(), "4 images, newest first: 4 waiting"; got != want {
		t.Errorf("pending: got %q, want %q", got, want)
	}
	sea := protocol.Classified{Top: []protocol.Prediction{{Class: "sea", Probability: 0.8}}}
	im.finish(items[0], sea, nil)
	if got := im.TallyLine(); got != "" {
		t.Errorf("one class: tally %q, want none", got)
	}
	im.finish(items[1], protocol.Classified{Top: []protocol.Prediction{{Class: "forest", Probability: 0.6}}}, nil)
	im.finish(items[2], sea, nil)
	im.finish(items[3], protocol.Classified{}, &protocol.Error{Message: "not an image"})
	if got, want := im.Count(), "4 images, newest first: 3 classified, 1 could not be read"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got, want := im.TallyLine(), "Most probable class: sea 2 · forest 1"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	im.Remove(items[3]) // the one that could not be read
	im.Remove(items[2]) // a sea
	count := im.Count()
	tl := im.TallyLine()
	if want := "2 images, newest first: 2 classified"; count != want || tl != "Most probable class: forest 1 · sea 1" || !items[2].gone {
		t.Errorf("after removing two: %q, tally %q, want %q and one of each", count, tl, want)
	}
	more := im.add(make([]string, 250), noURL)
	if im.Items[0] != more[0] || len(im.Visible()) != resultsPage {
		t.Errorf("the newest first, %d shown; want the newest first and %d", len(im.Visible()), resultsPage)
	}
	if got, want := im.ShowMoreLabel(), "Show 100 more (of 152 not shown)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	im.showMore()
	im.showMore()
	if len(im.Visible()) != 252 {
		t.Errorf("%d shown after two Show more, want all 252", len(im.Visible()))
	}
	gone := im.clear()
	if len(gone) != 252 || !gone[0].gone || len(im.Items) != 0 || im.Tally.pending != 0 || im.Shown != resultsPage {
		t.Errorf("after clear: %d items gone, %d left, %d pending, %d shown", len(gone), len(im.Items), im.Tally.pending, im.Shown)
	}
	if got := (&Images{Items: []*Item{{}}}).Count(); got != "1 image" {
		t.Errorf("one image: %q", got)
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		p    float32
		want string
	}{
		{0, "0.0%"}, {1, "100.0%"}, {0.5, "50.0%"}, {0.12345, "12.3%"}, {0.99999, "100.0%"},
	} {
		if got := percent(tc.p); got != tc.want {
			t.Errorf("percent(%v): got %q, want %q", tc.p, got, tc.want)
		}
	}
}

// TestThumbnailsOnlyShown checks that the page makes the URL of a card's
// thumbnail only once the card is shown.
func TestThumbnailsOnlyShown(t *testing.T) {
	var im Images
	im.Shown = resultsPage
	made := 0
	items := im.add(make([]string, 250), func(i int) string { made++; return fmt.Sprintf("blob:%d", i) })
	if made != 0 {
		t.Errorf("%d URLs made before any card is shown, want none", made)
	}
	im.Visible()
	im.Visible()
	if made != resultsPage || items[0].ThumbURL != "blob:0" || items[resultsPage].ThumbURL != "" {
		t.Errorf("%d URLs made with %d cards shown, the first %q, the first not shown %q; want %d", made, resultsPage, items[0].ThumbURL, items[resultsPage].ThumbURL, resultsPage)
	}
	im.showMore()
	im.Visible()
	if made != 2*resultsPage {
		t.Errorf("%d URLs made after Show more, want %d", made, 2*resultsPage)
	}
}
