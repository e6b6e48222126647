package nn

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"strconv"

	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/nn/modelfile"
)

// ErrModel means a model file does not describe a network this package
// can build, or its tensors do not fit the network it describes.
var ErrModel = errors.New("nn: unusable model")

// SceneClasses are the class names of the reference data set, in label
// order. A PyTorch file carries no class names; a six-class one gets these.
var SceneClasses = []string{"buildings", "forest", "glacier", "mountain", "sea", "street"}

// Meta is what a model file says besides its tensors.
type Meta struct {
	// Classes names each output, in label order.
	Classes []string `json:"classes"`
	// InputSize is the side of the square images the model takes.
	InputSize int `json:"input_size"`
	// Norm is the normalization applied to pixels before the network.
	Norm data.Normalization `json:"normalization"`
	// Arch is the architecture's short name, such as "resnet14".
	Arch string `json:"arch"`
	// Source says where the model came from: a file name, "built-in", or
	// a description of the training run.
	Source string `json:"source"`
	// Recipe is the training recipe as JSON, when the model was trained
	// here.
	Recipe json.RawMessage `json:"recipe,omitempty"`
	// History holds per-epoch training figures, when known.
	History []Epoch `json:"history,omitempty"`
}

// Epoch is one epoch's figures of a training run.
type Epoch struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	ValLoss   float64 `json:"val_loss"`
	ValAcc    float64 `json:"val_acc"`
	LR        float64 `json:"lr"`
	Seconds   float64 `json:"seconds"`
}

// Model is a network with what it takes to use it on images.
type Model struct {
	Net  *ResNet
	Meta Meta

	x     Tensor    // scratch input batch for Predict
	probs []float32 // scratch for Predict
}

// NewModel returns a freshly initialized model of cfg for the given
// classes, normalized with the reference's normalization.
func NewModel(cfg Config, classes []string, rng *rand.Rand) (*Model, error) {
	if len(classes) != cfg.Classes {
		return nil, fmt.Errorf("%w: %d class names for %d classes", ErrModel, len(classes), cfg.Classes)
	}
	net, err := NewResNet(cfg, rng)
	if err != nil {
		return nil, err
	}
	return &Model{Net: net, Meta: Meta{
		Classes: append([]string(nil), classes...), InputSize: cfg.InputSize,
		Norm: data.Reference, Arch: cfg.Name(),
	}}, nil
}

// NumParams returns the number of trainable values.
func (m *Model) NumParams() int { return m.Net.NumParams() }

// ReadModel reads a model from a safetensors file (with or without this
// project's metadata) or a PyTorch state dict saved by torch.save. source
// names the file in messages and becomes Meta.Source.
func ReadModel(r io.ReaderAt, size int64, source string) (*Model, error) {
	head := make([]byte, 16)
	n, _ := r.ReadAt(head, 0)
	var (
		tensors []modelfile.Tensor
		meta    map[string]string
		err     error
	)
	switch modelfile.Sniff(head[:n]) {
	case "safetensors":
		tensors, meta, err = modelfile.ReadSafetensors(r, size)
	case "pytorch":
		tensors, err = modelfile.ReadPyTorch(r, size)
	default:
		err = fmt.Errorf("%w: neither safetensors nor a PyTorch file", ErrModel)
	}
	if err != nil {
		return nil, &data.FileError{Name: source, Err: err}
	}
	m, err := modelFromTensors(tensors, meta)
	if err != nil {
		return nil, &data.FileError{Name: source, Err: err}
	}
	if m.Meta.Source == "" {
		m.Meta.Source = source
	}
	return m, nil
}

func modelFromTensors(tensors []modelfile.Tensor, meta map[string]string) (*Model, error) {
	cfg, err := inferConfig(tensors)
	if err != nil {
		return nil, err
	}
	md := Meta{InputSize: cfg.InputSize, Norm: data.Reference, Classes: slices.Clone(SceneClasses)}
	if cfg.Classes != len(SceneClasses) {
		md.Classes = make([]string, cfg.Classes)
		for i := range md.Classes {
			md.Classes[i] = "class " + strconv.Itoa(i)
		}
	}
	if err := md.parse(meta); err != nil {
		return nil, err
	}
	if len(md.Classes) != cfg.Classes {
		return nil, fmt.Errorf("%w: %d class names for %d outputs", ErrModel, len(md.Classes), cfg.Classes)
	}
	cfg.InputSize = md.InputSize
	m, err := NewModel(cfg, md.Classes, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrModel, err)
	}
	if err := m.Net.LoadState(tensors); err != nil {
		return nil, err
	}
	md.Arch = cfg.Name()
	m.Meta = md
	return m, nil
}

// WriteTo writes the model as safetensors with its metadata. The tensors
// carry the PyTorch state-dict names, so torch's load_state_dict takes
// them unchanged.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	cw := &countingWriter{w: w}
	err := modelfile.WriteSafetensors(cw, m.Net.StateDict(), m.Meta.format(m.Net.Config))
	return cw.n, err
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// Metadata keys of this project's safetensors files. Every value is a
// string, as safetensors requires; structured values are JSON.
const (
	metaFormat  = "format"     // "pt", as PyTorch's own safetensors files say
	metaConfig  = "config"     // Config as JSON
	metaClasses = "classes"    // JSON array of names
	metaInput   = "input_size" // decimal
	metaNorm    = "normalization"
	metaSource  = "source"
	metaRecipe  = "recipe"  // JSON
	metaHistory = "history" // JSON array of Epoch
)

func (md *Meta) format(cfg Config) map[string]string {
	js := func(v any) string {
		b, _ := json.Marshal(v) // values are plain structs and slices
		return string(b)
	}
	out := map[string]string{
		metaFormat: "pt", metaConfig: js(cfg), metaClasses: js(md.Classes),
		metaInput: strconv.Itoa(md.InputSize), metaNorm: js(md.Norm), metaSource: md.Source,
	}
	if len(md.Recipe) > 0 {
		out[metaRecipe] = string(md.Recipe)
	}
	if len(md.History) > 0 {
		out[metaHistory] = js(md.History)
	}
	return out
}

// parse fills md from a file's metadata, leaving fields the file does not
// mention alone.
func (md *Meta) parse(meta map[string]string) error {
	bad := func(key string, err error) error {
		return fmt.Errorf("%w: metadata %q: %v", ErrModel, key, err)
	}
	if v, ok := meta[metaClasses]; ok {
		var classes []string
		if err := json.Unmarshal([]byte(v), &classes); err != nil {
			return bad(metaClasses, err)
		}
		md.Classes = classes
	}
	if v, ok := meta[metaInput]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1024 {
			return bad(metaInput, fmt.Errorf("%q is not a size from 1 to 1024", v))
		}
		md.InputSize = n
	}
	if v, ok := meta[metaNorm]; ok {
		var norm data.Normalization
		if err := json.Unmarshal([]byte(v), &norm); err != nil {
			return bad(metaNorm, err)
		}
		if err := norm.Validate(); err != nil {
			return bad(metaNorm, err)
		}
		md.Norm = norm
	}
	md.Source = meta[metaSource]
	if v, ok := meta[metaRecipe]; ok && json.Valid([]byte(v)) {
		md.Recipe = json.RawMessage(v)
	}
	if v, ok := meta[metaHistory]; ok {
		if err := json.Unmarshal([]byte(v), &md.History); err != nil {
			return bad(metaHistory, err)
		}
	}
	return nil
}
