package nn

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/intelscenes/resnet-browser/nn/modelfile"
)

// StateDict returns the network's parameters and buffers as named
// tensors, sharing their data.
func (r *ResNet) StateDict() []modelfile.Tensor {
	out := make([]modelfile.Tensor, len(r.params))
	for i, p := range r.params {
		dtype := "F32"
		if p.Integer {
			dtype = "I64"
		}
		out[i] = modelfile.Tensor{Name: p.Name, Shape: p.Value.Shape, DType: dtype, Data: p.Value.Data}
	}
	return out
}

// LoadState copies named tensors into the network, like PyTorch's strict
// load_state_dict: every parameter and buffer must be present with its
// shape, and no unknown name may appear. Nothing is changed on error.
func (r *ResNet) LoadState(ts []modelfile.Tensor) error {
	byName := make(map[string]*modelfile.Tensor, len(ts))
	for i := range ts {
		byName[ts[i].Name] = &ts[i]
	}
	var missing []string
	for _, p := range r.params {
		t, ok := byName[p.Name]
		if !ok {
			missing = append(missing, p.Name)
			continue
		}
		if len(t.Data) != p.Value.Len() || (len(t.Shape) > 0 || len(p.Value.Shape) > 0) && !slices.Equal(t.Shape, p.Value.Shape) {
			return fmt.Errorf("%w: tensor %s has shape %v, the network needs %v", ErrModel, p.Name, t.Shape, p.Value.Shape)
		}
		for _, v := range t.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("%w: tensor %s holds %v", ErrModel, p.Name, v)
			}
		}
		delete(byName, p.Name)
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: missing tensors %s", ErrModel, strings.Join(missing, ", "))
	}
	if len(byName) > 0 {
		var extra []string
		for name := range byName {
			extra = append(extra, name)
		}
		slices.Sort(extra)
		return fmt.Errorf("%w: unexpected tensors %s", ErrModel, strings.Join(extra, ", "))
	}
	for _, t := range ts {
		for _, p := range r.params {
			if p.Name == t.Name {
				copy(p.Value.Data, t.Data)
			}
		}
	}
	return nil
}

// inferConfig reads the architecture from a state dict's names and shapes:
// the stem's width, the blocks per stage, the shortcut's kernel and the
// classifier's outputs. The input size is not in a state dict; it is the
// reference's 32 until metadata says otherwise.
func inferConfig(ts []modelfile.Tensor) (Config, error) {
	shape := map[string][]int{}
	for _, t := range ts {
		shape[t.Name] = t.Shape
	}
	stem, ok := shape["conv.weight"]
	if !ok || len(stem) != 4 || stem[1] != 3 {
		return Config{}, fmt.Errorf("%w: no stem convolution conv.weight of shape [width, 3, 3, 3]", ErrModel)
	}
	fc, ok := shape["fc.weight"]
	if !ok || len(fc) != 2 {
		return Config{}, fmt.Errorf("%w: no classifier fc.weight of shape [classes, features]", ErrModel)
	}
	cfg := Config{InputSize: 32, Width: stem[0], Shortcut: "conv3x3", Classes: fc[0]}
	for s := 1; ; s++ {
		blocks := 0
		for _, ok := shape[fmt.Sprintf("layer%d.%d.conv1.weight", s, blocks)]; ok; _, ok = shape[fmt.Sprintf("layer%d.%d.conv1.weight", s, blocks)] {
			blocks++
		}
		if blocks == 0 {
			break
		}
		cfg.Stages = append(cfg.Stages, blocks)
	}
	if d, ok := shape["layer2.0.downsample.0.weight"]; ok && len(d) == 4 && d[2] == 1 {
		cfg.Shortcut = "conv1x1"
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrModel, err)
	}
	return cfg, nil
}
