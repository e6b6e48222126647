package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/nn"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// Model is what the page keeps of a model beside its file.
type Model struct {
	ID string `json:"id"`
	// Name is the name the list shows, which a person may change.
	Name string `json:"name"`
	// ModelInfo describes the model as the classifier read it; its
	// Source says where it came from, in a person's words.
	protocol.ModelInfo
	Created  time.Time `json:"created"`
	Accuracy float64   `json:"accuracy"` // of its last report; -1 for none
	Bytes    int       `json:"bytes"`    // of its file
	// History is the run's epochs, when it was trained here, and Report
	// the last report of the model; nil for none.
	History []nn.Epoch           `json:"history,omitempty"`
	Report  *protocol.Evaluation `json:"report,omitempty"`
}

// Run is what the data set worker keeps of a run beside its last
// checkpoint.
type Run struct {
	ID          string    `json:"id"`
	Recipe      nn.Recipe `json:"recipe"`
	Workers     int       `json:"workers"`
	Kernel      string    `json:"kernel"`
	Dataset     string    `json:"dataset"` // the data set's digest
	DatasetName string    `json:"datasetName"`
	Step        int       `json:"step"`  // steps done
	Steps       int       `json:"steps"` // of the whole run
	Epoch       int       `json:"epoch"` // epochs finished
	Saved       time.Time `json:"saved"`
	KeepBest    bool      `json:"keepBest"`
	// Progress is what the page shows of the run so far, for its charts
	// after a reload.
	Progress RunProgress `json:"progress"`
}

// RunProgress is a run's figures so far: its plan, steps and epochs.
type RunProgress struct {
	Plan   *protocol.TrainPlan  `json:"plan"`
	Steps  []protocol.TrainStep `json:"steps"`
	Epochs []nn.Epoch           `json:"epochs"`
}

// PutModel keeps m and its file, in one transaction, and reads the file
// back: a model whose file does not read back as written is removed and
// never listed.
func (d *DB) PutModel(m Model, file []byte) error {
	m.Bytes = len(file)
	if err := d.putWithFile(models, modelFiles, m.ID, m, file); err != nil {
		return err
	}
	back, err := d.ModelFile(m.ID)
	if err == nil && !bytes.Equal(back, file) {
		err = errors.New("the browser's storage gave back another file than was written")
	}
	if err != nil {
		d.DeleteModel(m.ID)
		return err
	}
	return nil
}

// SetModel replaces m's metadata (a new name, a new report); its file
// stays.
func (d *DB) SetModel(m Model) error {
	meta, _ := json.Marshal(m)
	return d.run(true, []string{models}, func(x *tx) error {
		x.store(models).Call("put", js.ValueOf(map[string]any{"id": m.ID, "meta": string(meta)}))
		return nil
	})
}

// Models returns the models kept whose files are there, newest first.
func (d *DB) Models() ([]Model, error) {
	out, err := listWithFiles[Model](d, models, modelFiles, func(m Model) string { return m.ID })
	sort.Slice(out, func(i, j int) bool { return out[i].Created.After(out[j].Created) })
	return out, err
}

// ModelFile returns the file of the model id.
func (d *DB) ModelFile(id string) ([]byte, error) { return d.file(modelFiles, id, "file of model") }

// DeleteModel removes the model id and its file.
func (d *DB) DeleteModel(id string) error {
	return d.run(true, []string{models, modelFiles}, func(x *tx) error {
		x.store(models).Call("delete", id)
		x.store(modelFiles).Call("delete", id)
		return nil
	})
}

// PutCheckpoint keeps run r and its checkpoint, in one transaction.
func (d *DB) PutCheckpoint(r Run, ckpt []byte) error {
	return d.putWithFile(runs, checkpoints, r.ID, r, ckpt)
}

// Runs returns the runs kept with their checkpoints, newest first.
func (d *DB) Runs() ([]Run, error) {
	out, err := listWithFiles[Run](d, runs, checkpoints, func(r Run) string { return r.ID })
	sort.Slice(out, func(i, j int) bool { return out[i].Saved.After(out[j].Saved) })
	return out, err
}

// putWithFile keeps meta (as JSON) in store metas and file in store
// files, both under id, in one transaction.
func (d *DB) putWithFile(metas, files, id string, meta any, file []byte) error {
	b, _ := json.Marshal(meta)
	jsFile := bytesOf(file)
	return d.run(true, []string{metas, files}, func(x *tx) error {
		x.store(files).Call("put", js.ValueOf(map[string]any{"id": id, "file": jsFile}))
		x.store(metas).Call("put", js.ValueOf(map[string]any{"id": id, "meta": string(b)}))
		return nil
	})
}

// listWithFiles returns the records of store metas whose files are in
// store files, id giving a record's key.
func listWithFiles[T any](d *DB, metas, files string, id func(T) string) ([]T, error) {
	recs, err := d.all(metas)
	if err != nil {
		return nil, err
	}
	have, err := d.keys(files)
	if err != nil {
		return nil, err
	}
	var out []T
	for _, r := range recs {
		var v T
		if json.Unmarshal([]byte(r.Get("meta").String()), &v) == nil && have[id(v)] {
			out = append(out, v)
		}
	}
	return out, nil
}

// Run returns the run kept under id.
func (d *DB) Run(id string) (Run, error) {
	r, err := d.get(runs, id)
	if err != nil {
		return Run{}, err
	}
	if !r.Truthy() {
		return Run{}, fmt.Errorf("the browser's storage has no run %s", id)
	}
	var run Run
	if err := json.Unmarshal([]byte(r.Get("meta").String()), &run); err != nil {
		return Run{}, fmt.Errorf("the run kept is damaged: %w", err)
	}
	return run, nil
}

// Checkpoint returns the last checkpoint of run id.
func (d *DB) Checkpoint(id string) ([]byte, error) {
	return d.file(checkpoints, id, "checkpoint of run")
}

// file returns the file kept under id in store files, which holds what
// says in words.
func (d *DB) file(files, id, what string) ([]byte, error) {
	r, err := d.get(files, id)
	if err != nil {
		return nil, err
	}
	if !r.Truthy() {
		return nil, fmt.Errorf("the browser's storage has no %s %s", what, id)
	}
	return goBytes(r.Get("file")), nil
}

// DeleteRun removes run id and its checkpoint, and the data sets that no
// run kept needs any more.
func (d *DB) DeleteRun(id string) error {
	if err := d.run(true, []string{runs, checkpoints}, func(x *tx) error {
		x.store(runs).Call("delete", id)
		x.store(checkpoints).Call("delete", id)
		return nil
	}); err != nil {
		return err
	}
	return d.dropUnneededDatasets()
}

// dropUnneededDatasets removes the data sets no run kept needs.
func (d *DB) dropUnneededDatasets() error {
	rs, err := d.Runs()
	if err != nil {
		return err
	}
	need := map[string]bool{}
	for _, r := range rs {
		need[r.Dataset] = true
	}
	have, err := d.keys(datasets)
	if err != nil {
		return err
	}
	return d.run(true, []string{datasets}, func(x *tx) error {
		for k := range have {
			if !need[k] {
				x.store(datasets).Call("delete", k)
			}
		}
		return nil
	})
}

// HasDataset reports whether the data set of digest is kept.
func (d *DB) HasDataset(digest string) bool {
	k, err := d.keys(datasets)
	return err == nil && k[digest]
}

// PutDataset keeps a data set by its digest: its header and the pixels
// of its training and test images (test may be nil).
func (d *DB) PutDataset(digest string, header, train, test []byte) error {
	rec := map[string]any{"id": digest, "header": bytesOf(header), "train": bytesOf(train)}
	if test != nil {
		rec["test"] = bytesOf(test)
	}
	return d.run(true, []string{datasets}, func(x *tx) error {
		x.store(datasets).Call("put", js.ValueOf(rec))
		return nil
	})
}

// Dataset reads the data set of digest: make gets its header and returns
// the slices its training and test pixels go to, of their sizes.
func (d *DB) Dataset(digest string, make func(header []byte) (train, test []byte, err error)) error {
	r, err := d.get(datasets, digest)
	if err != nil {
		return err
	}
	if !r.Truthy() {
		return errors.New("the data set of this run is no longer in the browser's storage: load its zip again")
	}
	train, test, err := make(goBytes(r.Get("header")))
	if err != nil {
		return err
	}
	for _, p := range []struct {
		dst []byte
		src js.Value
	}{{train, r.Get("train")}, {test, r.Get("test")}} {
		n := 0
		if p.src.Truthy() {
			n = p.src.Get("length").Int()
		}
		if n != len(p.dst) {
			return fmt.Errorf("the data set kept in the browser is damaged: %d bytes of pixels where its header says %d", n, len(p.dst))
		}
		if n > 0 {
			js.CopyBytesToGo(p.dst, p.src)
		}
	}
	return nil
}

// Setting returns the value of setting key, "" if unset.
func (d *DB) Setting(key string) (string, error) {
	r, err := d.get(settings, key)
	if err != nil || !r.Truthy() {
		return "", err
	}
	return r.Get("value").String(), nil
}

// SetSetting sets setting key to value.
func (d *DB) SetSetting(key, value string) error {
	return d.run(true, []string{settings}, func(x *tx) error {
		x.store(settings).Call("put", js.ValueOf(map[string]any{"id": key, "value": value}))
		return nil
	})
}
