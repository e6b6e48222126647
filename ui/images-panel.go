package main

import (
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"
)

// ImagesPanel is where a person gives the page images to classify: its
// drop zone and file input, and the cards of the images given, newest
// first.
type ImagesPanel struct {
	Images   *Images
	Camera   *Camera
	Give     func(files []js.Value)       // files picked or dropped: images, or a data set or model, which go where they belong
	Clear    func()                       // "Clear" was pressed
	ShowMore func()                       // "Show more" was pressed
	Explain  func(it *Item, class string) // a card's heat map was asked for (Images.Explain)
	Remove   func(it *Item)               // a card's Remove was pressed

	dropZone
}

// HandleDrop gives the files dropped on the drop zone.
func (c *ImagesPanel) HandleDrop(e vugu.DOMEvent) { c.Give(c.dropped(e)) }

// HandlePick gives the files picked with the file input.
func (c *ImagesPanel) HandlePick(e vugu.DOMEvent) { c.Give(pickedFiles(e.JSEventTarget())) }

// ZoneClass is the drop zone's class attribute.
func (c *ImagesPanel) ZoneClass() string { return c.zoneClass("drop-zone") }
