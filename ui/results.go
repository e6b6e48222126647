package main

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/vugu/vugu"
)

// resultsPage is how many cards the page shows at first, and how many
// more "Show more" adds: a render goes over every card shown, so a
// thousand images dropped at once would make every render a thousand
// cards' work.
const resultsPage = 100

// tally counts the classified images, kept as answers come.
type tally struct {
	pending, failed int
	byClass         map[string]int // the images of each most probable class
}

// count adds it, just finished, to the tally.
func (t *tally) count(it *Item) {
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

// Shown returns the cards the page shows: the newest first.
func (c *Root) Shown() []*Item {
	return c.items[:min(len(c.items), c.shown)]
}

// HandleShowMore shows more of the older cards.
func (c *Root) HandleShowMore(vugu.DOMEvent) { c.shown += resultsPage }

// ShowMoreLabel says what "Show more" shows.
func (c *Root) ShowMoreLabel() string {
	return fmt.Sprintf("Show %s more (of %s not shown)", groupThousands(min(resultsPage, len(c.items)-c.shown)), groupThousands(len(c.items)-c.shown))
}

// Count says how many images the list holds and how far they got.
func (c *Root) Count() string {
	n := len(c.items)
	s := plural(n, "image", "images")
	if n > 1 {
		s += ", newest first"
	}
	var parts []string
	if done := n - c.tally.pending - c.tally.failed; done > 0 && n > 1 {
		parts = append(parts, groupThousands(done)+" classified")
	}
	if c.tally.failed > 0 {
		parts = append(parts, groupThousands(c.tally.failed)+" could not be read")
	}
	if c.tally.pending > 0 {
		parts = append(parts, groupThousands(c.tally.pending)+" waiting")
	}
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, ", ")
	}
	return s
}

// TallyLine says how many images each class got, most first.
func (c *Root) TallyLine() string {
	classes := make([]string, 0, len(c.tally.byClass))
	for class := range c.tally.byClass {
		classes = append(classes, class)
	}
	slices.SortFunc(classes, func(a, b string) int {
		return cmp.Or(cmp.Compare(c.tally.byClass[b], c.tally.byClass[a]), cmp.Compare(a, b))
	})
	parts := make([]string, len(classes))
	for i, class := range classes {
		parts[i] = fmt.Sprintf("%s %s", class, groupThousands(c.tally.byClass[class]))
	}
	return "Most probable class: " + strings.Join(parts, " · ")
}
