package main

import (
	"strings"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// The built-in model, as the server serves it and as it downloads.
const (
	builtinModelURL = "/assets/model.safetensors"
	builtinFileName = "scenes-resnet14.safetensors"
)

// ModelInUse is the model that classifies: what the model card shows,
// and the file it came from, which Evaluate scores and Download saves.
type ModelInUse struct {
	Info    *protocol.ModelInfo // nil until one loads
	Loading string              // the name of the model file being loaded, if any
	Err     string              // why the last load failed, if it did
	file    modelFile

	page       *page
	classifier *link.Worker
	// changed hears that another model classifies now
	// (Images.Reclassify).
	changed func()
}

// modelFile is where a model comes from: the built-in model's URL, or
// its file as this project writes it.
type modelFile struct {
	name string   // as the person knows it
	url  string   // the built-in model's
	blob js.Value // a Blob of its safetensors file, for the others
}

// builtinModel is the built-in model's file.
var builtinModel = modelFile{name: builtinID, url: builtinModelURL}

// load has the classifier load the model of src, and calls loaded with
// it once it classifies. convert asks for the model as this project's
// safetensors file (src then being any model file, a PyTorch one among
// them), which becomes the file of the model in use. On failure the
// model in use stays, and the card says why.
func (m *ModelInUse) load(src modelFile, convert bool, loaded func(info protocol.ModelInfo, file modelFile)) {
	m.Loading, m.Err = src.name, ""
	body := src.blob
	if src.url != "" {
		body = js.Undefined()
	}
	q := protocol.LoadModelRequest{Name: src.name, URL: src.url, Keep: convert}
	ask(m.page, m.classifier, protocol.LoadModel, q, body, 0, link.Handlers[protocol.ModelInfo, protocol.None]{
		Done: func(info protocol.ModelInfo, kept js.Value, err *protocol.Error) {
			m.Loading = ""
			if err != nil {
				m.Err = "Could not load " + src.name + ": " + err.About(src.name)
				return
			}
			if convert && link.IsBuffer(kept) {
				src.blob = blobOf(kept, "application/octet-stream")
			}
			first := m.Info == nil
			m.Info, m.file = &info, src
			loaded(info, src)
			if !first && m.changed != nil {
				m.changed()
			}
		}})
}

// inspect has the classifier describe the model of the file blob, named
// name, and calls described with it; the model in use stays. On failure
// the card says why.
func (m *ModelInUse) inspect(name string, blob js.Value, described func(protocol.ModelInfo)) {
	q := protocol.LoadModelRequest{Name: name, Inspect: true}
	ask(m.page, m.classifier, protocol.LoadModel, q, blob, 0, link.Handlers[protocol.ModelInfo, protocol.None]{
		Done: func(info protocol.ModelInfo, _ js.Value, err *protocol.Error) {
			if err != nil {
				m.Err = "Could not read " + name + ": " + err.About(name)
				return
			}
			described(info)
		}})
}

// fileRequest returns the model's file for a request: its name and URL,
// and the body to send.
func (m *ModelInUse) fileRequest() (name, url string, body js.Value) {
	if m.file.url != "" {
		return m.file.name, m.file.url, js.Undefined()
	}
	return m.file.name, "", m.file.blob
}

// Download saves the model that classifies as a .safetensors file, which
// resnet reads too.
func (m *ModelInUse) Download() {
	if m.file.url != "" {
		downloadURL(builtinFileName, m.file.url)
		return
	}
	download(safetensorsName(m.file.name), m.file.blob)
}

// safetensorsName is the file name a model named name downloads as.
func safetensorsName(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".pth"), ".safetensors")
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(`/\:*?"<>|`, r) {
			return '-'
		}
		return r
	}, name) + ".safetensors"
}
