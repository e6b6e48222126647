package main

import (
	"slices"
	"testing"
)

func TestKindOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		want fileKind
	}{
		{"scenes.zip", datasetKind}, {"SCENES.ZIP", datasetKind}, {"archive (1).zip", datasetKind},
		{"model.safetensors", modelKind}, {"seed-resnet14.pth", modelKind}, {"weights.PT", modelKind},
		{"sea.jpg", imageKind}, {"photo.HEIC", imageKind}, {"notes.txt", imageKind}, {"zip", imageKind}, {"", imageKind},
	} {
		if got := kindOf(tc.name); got != tc.want {
			t.Errorf("kindOf(%q): got %d, want %d", tc.name, got, tc.want)
		}
	}
}

// TestSortFiles checks that files given at once go where they belong:
// the last data set and model given, every image in order.
func TestSortFiles(t *testing.T) {
	id := func(s string) string { return s }
	s := sortFiles([]string{"a.jpg", "one.zip", "m.pth", "b.png", "two.zip", "notes.txt", "m2.safetensors"}, id)
	if s.dataset == nil || *s.dataset != "two.zip" || s.model == nil || *s.model != "m2.safetensors" ||
		!slices.Equal(s.images, []string{"a.jpg", "b.png", "notes.txt"}) {
		t.Errorf("got data set %v, model %v, images %v", deref(s.dataset), deref(s.model), s.images)
	}
	if s := sortFiles([]string{"a.jpg"}, id); s.dataset != nil || s.model != nil || len(s.images) != 1 {
		t.Errorf("an image alone: got %+v", s)
	}
}

func deref(p *string) string {
	if p == nil {
		return "<none>"
	}
	return *p
}
