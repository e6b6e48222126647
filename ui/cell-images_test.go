package main

import (
	"reflect"
	"testing"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// TestCellImagesRelabelTo: an image can be moved to any class of the data
// set but its own, and Show more says how many it shows of those left.
func TestCellImagesRelabelTo(t *testing.T) {
	c := &CellImages{Classes: []string{"forest", "sea", "street"},
		Data: &Dataset{Info: &protocol.DatasetInfo{Classes: []string{"forest", "sea", "street"}}},
		Cell: &Cell{Total: 100, Images: make([]*CellImage, 60)}, More: 40}
	im := &CellImage{Thumbnail: Thumbnail{Thumb: protocol.Thumb{Name: "sea/1.jpg", Class: 1}}}
	if got, want := c.RelabelTo(im), []string{"forest", "street"}; !reflect.DeepEqual(got, want) {
		t.Errorf("relabel a sea image to %q, want %q", got, want)
	}
	if got, want := c.MoreLabel(), "Show 40 more (of 40 not shown)"; got != want {
		t.Errorf("show more: %q, want %q", got, want)
	}
}
