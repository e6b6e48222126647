package main

import (
	"testing"
	"time"

	"github.com/intelscenes/resnet-browser/wasm/protocol"
	"github.com/intelscenes/resnet-browser/wasm/store"
)

// TestModelsButtons follows the Models list's buttons that change only
// the list as shown: rename and its cancel, delete and its answer "keep
// it".
func TestModelsButtons(t *testing.T) {
	m := Models{List: []store.Model{{ID: "a", Name: "mine"}, {ID: "b", Name: "other"}}, store: &storage{}}
	m.Do(ModelEvent{Action: RenameModel, ID: "a"})
	if m.Renaming != "a" || m.NewName != "mine" {
		t.Errorf("rename: renaming %q with %q", m.Renaming, m.NewName)
	}
	m.Typed("my scenes")
	m.Do(ModelEvent{Action: CancelRename, ID: "a"})
	if m.Renaming != "" || m.List[0].Name != "mine" {
		t.Errorf("cancel: renaming %q, name %q", m.Renaming, m.List[0].Name)
	}
	m.Do(ModelEvent{Action: DeleteModel, ID: "b"})
	if m.Deleting != "b" {
		t.Errorf("delete asks first: deleting %q", m.Deleting)
	}
	m.Do(ModelEvent{Action: KeepModel, ID: "b"})
	if m.Deleting != "" || len(m.List) != 2 {
		t.Errorf("keep it: deleting %q, %d models", m.Deleting, len(m.List))
	}
	var used string
	m.use = func(id string) { used = id }
	m.Err = "an old error"
	m.Do(ModelEvent{Action: UseModel, ID: "b"})
	if used != "b" || m.Err != "" {
		t.Errorf("use: used %q, error %q", used, m.Err)
	}
}

func TestModelsRows(t *testing.T) {
	created := time.Date(2026, 12, 2, 15, 4, 0, 0, time.Local)
	m := Models{List: []store.Model{
		{ID: "a", Name: "mine", Created: created, Accuracy: 0.8785, Bytes: 800 << 10, ModelInfo: protocol.ModelInfo{Classes: make([]string, 6)},
			Report: &protocol.Evaluation{Split: "validation"}},
		{ID: "b", Name: "loaded", Created: created, Accuracy: -1, Bytes: 2 << 20, ModelInfo: protocol.ModelInfo{Classes: make([]string, 6)}},
	}}
	rows := m.Rows()
	if len(rows) != 3 || rows[0].ID != builtinID || m.Facts(rows[0]) != "always here" {
		t.Fatalf("rows %+v", rows)
	}
	for _, tc := range []struct{ got, want string }{
		{m.Facts(rows[1]), "2 Dec 2026 15:04 · 6 classes · 87.85% accuracy (validation) · 800 KB"},
		{m.Facts(rows[2]), "2 Dec 2026 15:04 · 6 classes · 2.0 MB"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestSafetensorsName(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"trained-quick-seed1.safetensors", "trained-quick-seed1.safetensors"},
		{"seed-resnet14.pth", "seed-resnet14.safetensors"},
		{"my scenes", "my scenes.safetensors"},
		{`a/b:c*?"<>|`, "a-b-c------.safetensors"},
	} {
		if got := safetensorsName(tc.name); got != tc.want {
			t.Errorf("safetensorsName(%q): got %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestStorageLine(t *testing.T) {
	for _, tc := range []struct {
		persisted, asked bool
		want             string
	}{
		{true, true, "This page uses 43 MB of the browser's storage, which allows it 10 GB. The browser keeps it for good."},
		{false, true, "This page uses 43 MB of the browser's storage, which allows it 10 GB. The browser may clear it when space runs low: it did not grant persistent storage."},
		{false, false, "This page uses 43 MB of the browser's storage, which allows it 10 GB."},
	} {
		if got := storageLine(43<<20, 10<<30, tc.persisted, tc.asked); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// TestModelsFreeName: a model kept under a name the list has already
// gets the first free number after it.
func TestModelsFreeName(t *testing.T) {
	m := Models{List: []store.Model{{ID: "a", Name: "trained-quick-seed1"}, {ID: "b", Name: "trained-quick-seed1 (2)"}, {ID: "c", Name: "mine"}}}
	for name, want := range map[string]string{
		"trained-quick-seed1": "trained-quick-seed1 (3)",
		"mine":                "mine (2)",
		"trained-quick-seed2": "trained-quick-seed2",
	} {
		if got := m.freeName(name); got != want {
			t.Errorf("freeName(%q) = %q, want %q", name, got, want)
		}
	}
}
