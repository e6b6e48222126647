package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// The models the page keeps in the browser's storage (wasm/store): every
// model trained here or loaded from a file, listed in the Models panel,
// one of them (or the built-in one) the classifier, which a reload
// chooses again.

// builtinID is the built-in model's place in the list: always there,
// never in the storage.
const builtinID = "built-in"

// chosenSetting is the setting that names the model chosen last.
const chosenSetting = "chosen model"

// ModelsState is what the page knows of the models kept.
type ModelsState struct {
	List     []store.Model // newest first, the built-in model not among them
	Current  string        // the ID of the model that classifies, builtinID for the built-in one
	Err      string        // why the last keeping, reading or deleting failed
	Deleting string        // the ID of the model whose deletion waits for confirmation
	Renaming string        // the ID of the model being renamed
	NewName  string        // the name typed for it
	Storage  string        // what the page uses of the browser's storage, in words
	NoStore  string        // why nothing is kept, when the browser keeps nothing
}

// keepTask has the page's one keeper goroutine do f, after every task
// given before it: the storage's writes happen in the order the page
// asked for them. It never blocks, so a task may give another.
func (c *Root) keepTask(f func()) {
	c.keepMu.Lock()
	defer c.keepMu.Unlock()
	c.keepQueue = append(c.keepQueue, f)
	if len(c.keepQueue) == 1 {
		go c.keep()
	}
}

// keep does the keeper's tasks until none is left; one runs at a time.
func (c *Root) keep() {
	for {
		c.keepMu.Lock()
		f := c.keepQueue[0]
		c.keepMu.Unlock()
		f()
		c.keepMu.Lock()
		c.keepQueue = c.keepQueue[1:]
		done := len(c.keepQueue) == 0
		c.keepMu.Unlock()
		if done {
			return
		}
	}
}

// openStore opens the browser's storage and loads the model chosen last,
// else the built-in one; it runs in the keeper goroutine.
func (c *Root) openStore() {
	db, err := store.Open()
	chosen := ""
	var file []byte
	var meta store.Model
	if err == nil {
		chosen, _ = db.Setting(chosenSetting)
		if chosen != "" && chosen != builtinID {
			if file, err = db.ModelFile(chosen); err == nil {
				ms, _ := db.Models()
				for _, m := range ms {
					if m.ID == chosen {
						meta = m
					}
				}
			}
		}
	}
	c.env.Lock()
	defer c.env.UnlockRender()
	if db == nil {
		c.models.NoStore = "This browser keeps nothing for this page (" + err.Error() + "): models and runs end with the tab."
	} else {
		c.db = db
		if err != nil {
			c.models.Err = "The model chosen last could not be read back (" + err.Error() + "); the built-in model classifies."
		}
	}
	if file != nil && meta.ID != "" {
		c.loadModel(protocol.Request{Kind: protocol.KindLoadModel, Name: meta.Name}, blobOf(arrayBufferOf(file), "application/octet-stream"), meta.ID, nil)
	} else {
		c.loadModel(protocol.Request{Kind: protocol.KindLoadModel, Name: builtinID, URL: builtinModelURL}, js.Undefined(), builtinID, nil)
	}
	if db != nil {
		c.keepTask(c.refreshModels)
		c.keepTask(c.findInterruptedRuns)
	}
}

// refreshModels reads the list of models and the storage used; it runs
// in the keeper goroutine.
func (c *Root) refreshModels() {
	ms, err := c.db.Models()
	used, quota, qerr := store.Estimate()
	if !c.askedPersist {
		c.persisted = store.Persisted()
	}
	c.env.Lock()
	defer c.env.UnlockRender()
	if err != nil {
		c.models.Err = "Could not list the models kept: " + err.Error()
		return
	}
	c.models.List = ms
	if qerr == nil {
		c.models.Storage = fmt.Sprintf("This page uses %s of the browser's storage, which allows it %s.", data.ByteWords(int64(used)), data.ByteWords(int64(quota)))
		if c.persisted {
			c.models.Storage += " The browser keeps it for good."
		} else if c.askedPersist || len(ms) > 0 {
			c.models.Storage += " The browser may clear it when space runs low: it did not grant persistent storage."
		}
	}
}

// askPersist asks the browser, once, to keep the page's storage when
// space runs low; it runs in the keeper goroutine.
func (c *Root) askPersist() {
	if c.askedPersist {
		return
	}
	ok, _ := store.Persist()
	c.env.Lock()
	c.askedPersist, c.persisted = true, ok
	c.env.UnlockOnly()
}

// keepModel keeps the model that now classifies, as the worker writes
// it, under meta (its ID set here), and makes it the one chosen.
func (c *Root) keepModel(meta store.Model) {
	if c.db == nil {
		return
	}
	meta.ID = newID()
	c.models.Current = meta.ID
	c.worker.Send(protocol.Request{Kind: protocol.KindSaveModel, Name: meta.Name}, js.Undefined(), func(resp protocol.Response, body js.Value) {
		if resp.Error != "" || !body.Truthy() {
			c.env.Lock()
			c.models.Err = "Could not keep " + meta.Name + " in this browser: " + resp.Error
			c.env.UnlockRender()
			return
		}
		file := goBytesOf(body)
		c.keepTask(func() {
			c.askPersist()
			err := c.db.PutModel(meta, file)
			if err == nil {
				err = c.db.SetSetting(chosenSetting, meta.ID)
			}
			if err != nil {
				c.env.Lock()
				c.models.Err = "Could not keep " + meta.Name + " in this browser: " + c.storageProblem(err) + " It classifies until the page closes; Download model saves it."
				if c.models.Current == meta.ID {
					c.models.Current = ""
				}
				c.env.UnlockRender()
			}
			c.refreshModels()
		})
	})
}

// storageProblem says what went wrong with the storage, in a person's
// words. (Not with the browser's figures: Chromium reports a quota that
// is not the one it enforces.)
func (c *Root) storageProblem(err error) string {
	if errors.Is(err, store.ErrFull) {
		return "the browser's storage for this page is full. Delete models or runs you no longer need, or free space on the disk."
	}
	return err.Error() + "."
}

// keepReport keeps ev, an evaluation of the model that classifies, as
// that model's last report and accuracy in the Models list.
func (c *Root) keepReport(ev *protocol.Evaluation) {
	m, ok := c.storedModel(c.models.Current)
	if !ok || c.db == nil {
		return
	}
	m.Report, _ = json.Marshal(ev)
	m.Accuracy = nn.ConfusionMatrix(ev.Matrix).Accuracy()
	c.keepTask(func() {
		if err := c.db.SetModel(m); err != nil {
			c.env.Lock()
			c.models.Err = "Could not keep the model's report: " + c.storageProblem(err)
			c.env.UnlockRender()
		}
		c.refreshModels()
	})
}

// chooseModel makes the model id of the list the classifier.
func (c *Root) chooseModel(id string) {
	c.models.Err = ""
	if id == builtinID {
		c.loadModel(protocol.Request{Kind: protocol.KindLoadModel, Name: builtinID, URL: builtinModelURL}, js.Undefined(), builtinID, nil)
		if c.db != nil {
			c.keepTask(func() { c.db.SetSetting(chosenSetting, builtinID) })
		}
		return
	}
	c.withModelFile(id, func(m store.Model, file js.Value) {
		c.loadModel(protocol.Request{Kind: protocol.KindLoadModel, Name: m.Name}, file, id, nil)
		c.keepTask(func() { c.db.SetSetting(chosenSetting, id) })
	})
}

// withModelFile reads the file of the model id of the list and calls f
// with it, a Blob, with the EventEnv locked; a file that does not read
// back is a message instead.
func (c *Root) withModelFile(id string, f func(m store.Model, file js.Value)) {
	m, ok := c.storedModel(id)
	if !ok || c.db == nil {
		return
	}
	c.keepTask(func() {
		file, err := c.db.ModelFile(id)
		c.env.Lock()
		defer c.env.UnlockRender()
		if err != nil {
			c.models.Err = "Could not read " + m.Name + " back: " + err.Error()
			return
		}
		f(m, blobOf(arrayBufferOf(file), "application/octet-stream"))
	})
}

// storedModel returns the model id of the list.
func (c *Root) storedModel(id string) (store.Model, bool) {
	for _, m := range c.models.List {
		if m.ID == id {
			return m, true
		}
	}
	return store.Model{}, false
}

// deleteModel removes the model id from the storage, once confirmed; the
// model that classifies goes on classifying until another is chosen.
func (c *Root) deleteModel(id string) {
	c.models.Deleting = ""
	if c.db == nil || id == builtinID {
		return
	}
	if id == c.models.Current { // the built-in model classifies from now on
		c.chooseModel(builtinID)
	}
	c.keepTask(func() {
		if err := c.db.DeleteModel(id); err != nil {
			c.env.Lock()
			c.models.Err = "Could not delete the model: " + err.Error()
			c.env.UnlockRender()
		}
		c.refreshModels()
	})
}

// renameModel gives the model id the name typed.
func (c *Root) renameModel(id, name string) {
	c.models.Renaming = ""
	m, ok := c.storedModel(id)
	name = strings.TrimSpace(name)
	if !ok || name == "" || c.db == nil {
		return
	}
	m.Name = name
	c.keepTask(func() {
		if err := c.db.SetModel(m); err != nil {
			c.env.Lock()
			c.models.Err = "Could not rename the model: " + c.storageProblem(err)
			c.env.UnlockRender()
		}
		c.refreshModels()
	})
}

// downloadModel saves the model id of the list as a .safetensors file.
func (c *Root) downloadModel(id string) {
	if id == builtinID {
		downloadURL(builtinFileName, builtinModelURL)
		return
	}
	c.withModelFile(id, func(m store.Model, file js.Value) { download(safetensorsName(m.Name), file) })
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

// newID returns a new random ID for a model or a run, unique across tabs.
func newID() string {
	return js.Global().Get("crypto").Call("randomUUID").String()
}

// arrayBufferOf returns an ArrayBuffer holding a copy of b.
func arrayBufferOf(b []byte) js.Value {
	a := js.Global().Get("Uint8Array").New(len(b))
	js.CopyBytesToJS(a, b)
	return a.Get("buffer")
}

// goBytesOf returns a copy of buf, an ArrayBuffer.
func goBytesOf(buf js.Value) []byte {
	a := js.Global().Get("Uint8Array").New(buf)
	b := make([]byte, a.Get("length").Int())
	js.CopyBytesToGo(b, a)
	return b
}

// historyJSON is a run's epochs as the Models list keeps them.
func historyJSON(epochs []protocol.TrainEpoch) json.RawMessage {
	b, _ := json.Marshal(epochs)
	return b
}

// when says when t was, for the list.
func when(t time.Time) string { return t.Local().Format("2 Jan 2006 15:04") }

// modelAction does what a button of the Models list asks.
func (c *Root) modelAction(action, id string) {
	switch action {
	case "use":
		c.chooseModel(id)
	case "rename":
		m, _ := c.storedModel(id)
		c.models.Renaming, c.models.NewName = id, m.Name
	case "save-name":
		c.renameModel(id, c.models.NewName)
	case "cancel-name":
		c.models.Renaming = ""
	case "download":
		c.downloadModel(id)
	case "delete":
		c.models.Deleting = id
	case "confirm":
		c.deleteModel(id)
	case "keep":
		c.models.Deleting = ""
	}
}

// typedName takes the name typed for the model being renamed.
func (c *Root) typedName(name string) { c.models.NewName = name }
