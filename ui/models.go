package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/promise"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// The models the page keeps in the browser's storage: every model
// trained here or loaded from a file, listed in the Models panel, one
// of them (or the built-in one) the model in use, which a reload
// chooses again.

// builtinID is the built-in model's place in the list: always there,
// never in the storage.
const builtinID = "built-in"

// chosenSetting is the setting that names the model chosen last.
const chosenSetting = "chosen model"

// Models are the models kept, as the Models panel shows them.
type Models struct {
	List     []store.Model // newest first, the built-in model not among them
	Current  string        // the ID of the model in use, builtinID for the built-in one; "" for one not kept
	Err      string        // why the last keeping, reading or deleting failed
	Deleting string        // the ID of the model whose deletion waits for confirmation
	Renaming string        // the ID of the model being renamed
	NewName  string        // the name typed for it
	// SelectName is set from Rename until the field of the new name has
	// been focused with the old name selected, once: a field selected
	// again at every render would lose each key typed but the last.
	SelectName bool
	Storage    string // what the page uses of the browser's storage, in words
	NoStore    string // why nothing is kept, when the browser keeps nothing

	page  *page
	store *storage
	// use makes the model id of the list the model in use (Root.useModel).
	use func(id string)
}

// ModelAction is what a button of the Models list asks of its model.
type ModelAction int

// The buttons of a row of the Models list.
const (
	UseModel      ModelAction = iota // classify with it
	RenameModel                      // show the field of its new name
	SaveName                         // give it the name typed
	CancelRename                     // leave its name as it is
	DownloadModel                    // save its file
	DeleteModel                      // ask whether to delete it
	ConfirmDelete                    // delete it for good
	KeepModel                        // do not delete it after all
)

// ModelEvent is a press of a button of the Models list.
type ModelEvent struct {
	Action ModelAction
	ID     string // the row's model
}

// Do does what a button of the list asks.
func (m *Models) Do(e ModelEvent) {
	switch e.Action {
	case UseModel:
		m.Err = ""
		m.use(e.ID)
	case RenameModel:
		row, _ := m.find(e.ID)
		m.Renaming, m.NewName, m.SelectName = e.ID, row.Name, true
	case SaveName:
		m.rename(e.ID, m.NewName)
	case CancelRename:
		m.Renaming = ""
	case DownloadModel:
		m.download(e.ID)
	case DeleteModel:
		m.Deleting = e.ID
	case ConfirmDelete:
		m.delete(e.ID)
	case KeepModel:
		m.Deleting = ""
	}
}

// Typed takes the name typed for the model being renamed.
func (m *Models) Typed(name string) { m.NewName = name }

// find returns the model id of the list.
func (m *Models) find(id string) (store.Model, bool) {
	for _, row := range m.List {
		if row.ID == id {
			return row, true
		}
	}
	return store.Model{}, false
}

// refresh reads the list of models and the storage used; it runs in a
// storage task.
func (m *Models) refresh() {
	list, err := m.store.db.Models()
	line := m.store.line(len(list))
	m.page.change(func() {
		if err != nil {
			m.Err = "Could not list the models kept: " + err.Error()
			return
		}
		m.List = list
		if line != "" {
			m.Storage = line
		}
	})
}

// keep keeps the model in use, of file, under meta (its ID set here),
// and makes it the one chosen; where the browser keeps nothing, the
// model in use is in no row of the list.
func (m *Models) keep(meta store.Model, file js.Value) {
	if m.store.db == nil {
		m.Current = ""
		return
	}
	m.keepIn(meta, file, true, nil)
}

// keepAside keeps the model of file in the list under meta, as keep
// does, leaving the model in use as it is; where it could not be kept,
// or the browser keeps nothing, it calls failed, with the page locked.
func (m *Models) keepAside(meta store.Model, file js.Value, failed func()) {
	if m.store.db == nil {
		failed()
		return
	}
	m.keepIn(meta, file, false, failed)
}

// keepIn is keep, making the model the one in use where use is set, and
// calling failed, when not, if it could not be kept.
func (m *Models) keepIn(meta store.Model, file js.Value, use bool, failed func()) {
	meta.ID = newID()
	meta.Name = m.freeName(meta.Name)
	if use {
		m.Current = meta.ID
	}
	m.store.do(func() {
		m.store.askPersist()
		err := m.put(meta, file)
		if err == nil && use {
			err = m.store.db.SetSetting(chosenSetting, meta.ID)
		}
		if err != nil && !use {
			m.page.change(failed)
		} else if err != nil {
			m.page.change(func() {
				m.Err = "Could not keep " + meta.Name + " in this browser: " + store.Problem(err) + " It classifies until the page closes; Download model saves it."
				if m.Current == meta.ID {
					m.Current = ""
				}
			})
		}
		m.refresh()
	})
}

// freeName returns name, or, when a model of the list has it already,
// name followed by the first number in parentheses that none has, from
// 2: a second run of a recipe and seed is "trained-quick-seed1 (2)".
func (m *Models) freeName(name string) string {
	taken := func(n string) bool {
		return slices.ContainsFunc(m.List, func(row store.Model) bool { return row.Name == n })
	}
	free := name
	for i := 2; taken(free); i++ {
		free = fmt.Sprintf("%s (%d)", name, i)
	}
	return free
}

// put writes meta and its file, a Blob, to the storage; it runs in a
// storage task.
func (m *Models) put(meta store.Model, file js.Value) error {
	buf, err := promise.Await(file.Call("arrayBuffer"))
	if err != nil {
		return fmt.Errorf("reading the model's file: %w", err)
	}
	return m.store.db.PutModel(meta, link.Bytes(buf))
}

// keepReport keeps ev, an evaluation of the model in use, as that
// model's last report and accuracy in the list.
func (m *Models) keepReport(ev protocol.Evaluation) {
	row, ok := m.find(m.Current)
	if !ok || m.store.db == nil {
		return
	}
	row.Report, row.Accuracy = &ev, nn.ConfusionMatrix(ev.Matrix).Accuracy()
	m.store.do(func() {
		if err := m.store.db.SetModel(row); err != nil {
			m.page.change(func() { m.Err = "Could not keep the model's report: " + store.Problem(err) })
		}
		m.refresh()
	})
}

// choose makes id the model chosen: the one a reload loads.
func (m *Models) choose(id string) {
	m.Current = id
	if m.store.db != nil {
		m.store.do(func() {
			if err := m.store.db.SetSetting(chosenSetting, id); err != nil {
				m.page.change(func() { m.Err = "Could not keep the choice of model: " + store.Problem(err) })
			}
		})
	}
}

// withFile reads the file of the model id of the list and calls f with
// it, a Blob, with the page locked; a file that does not read back is a
// message instead.
func (m *Models) withFile(id string, f func(row store.Model, file js.Value)) {
	row, ok := m.find(id)
	if !ok || m.store.db == nil {
		return
	}
	m.store.do(func() {
		file, err := m.store.db.ModelFile(id)
		m.page.change(func() {
			if err != nil {
				m.Err = "Could not read " + row.Name + " back: " + err.Error()
				return
			}
			f(row, blobOf(link.Buffer(file), "application/octet-stream"))
		})
	})
}

// delete removes the model id from the storage, once confirmed; the
// model in use goes on classifying until another is chosen, but the
// built-in one is chosen in its place.
func (m *Models) delete(id string) {
	m.Deleting = ""
	if m.store.db == nil || id == builtinID {
		return
	}
	if id == m.Current {
		m.Err = ""
		m.use(builtinID)
	}
	m.store.do(func() {
		if err := m.store.db.DeleteModel(id); err != nil {
			m.page.change(func() { m.Err = "Could not delete the model: " + err.Error() })
		}
		m.refresh()
	})
}

// rename gives the model id the name typed.
func (m *Models) rename(id, name string) {
	m.Renaming = ""
	row, ok := m.find(id)
	name = strings.TrimSpace(name)
	if !ok || name == "" || m.store.db == nil {
		return
	}
	row.Name = name
	m.store.do(func() {
		if err := m.store.db.SetModel(row); err != nil {
			m.page.change(func() { m.Err = "Could not rename the model: " + store.Problem(err) })
		}
		m.refresh()
	})
}

// download saves the model id of the list as a .safetensors file.
func (m *Models) download(id string) {
	if id == builtinID {
		downloadURL(builtinFileName, builtinModelURL)
		return
	}
	m.withFile(id, func(row store.Model, file js.Value) { download(safetensorsName(row.Name), file) })
}

// Rows returns the list's rows: the built-in model, then those kept.
func (m *Models) Rows() []store.Model {
	builtin := store.Model{ID: builtinID, Name: "Built-in model", Accuracy: -1,
		ModelInfo: protocol.ModelInfo{Arch: "ResNet-14", Source: "trained on the Intel scenes with the best recipe, learning from three teachers; shipped with the page"}}
	return append([]store.Model{builtin}, m.List...)
}

// Facts describes a row's model: when, classes, accuracy, size.
func (m *Models) Facts(row store.Model) string {
	if row.ID == builtinID {
		return "always here"
	}
	parts := []string{when(row.Created), fmt.Sprintf("%d classes", len(row.Classes))}
	if row.Accuracy >= 0 {
		acc := fmt.Sprintf("%.2f%% accuracy", 100*row.Accuracy)
		if row.Report != nil && row.Report.Split != "" {
			acc += " (" + row.Report.Split + ")"
		}
		parts = append(parts, acc)
	}
	parts = append(parts, data.ByteWords(int64(row.Bytes)))
	return strings.Join(parts, " · ")
}

// when says when t was, for the list.
func when(t time.Time) string { return t.Local().Format("2 Jan 2006 15:04") }

// newID returns a new random ID for a model or a run, unique across tabs.
func newID() string {
	return js.Global().Get("crypto").Call("randomUUID").String()
}
