package modelfile

import (
	"fmt"
	"strings"

	"github.com/nlpodyssey/gopickle/types"
)

// dictItem is one key/value pair of an unpickled dict.
type dictItem struct{ key, value interface{} }

// stateDictKeys are the checkpoint entries that hold a state dict, in the
// order they are looked for.
var stateDictKeys = [...]string{"state_dict", "model_state_dict", "model"}

// findStateDict finds the state dict in an unpickled torch.save root: the
// root itself if it is a dict of tensors, else the dict under one of
// stateDictKeys, else the root's only entry that is a dict of tensors.
func findStateDict(root interface{}) ([]namedTensor, error) {
	top, ok := dictItems(root)
	if !ok {
		return nil, fmt.Errorf("%w: pickle holds %s, want a state dict", ErrUnsupported, describe(root))
	}
	for _, key := range stateDictKeys {
		for _, it := range top {
			if k, _ := it.key.(string); k == key {
				if items, ok := dictItems(it.value); ok {
					return stateDictTensors(items)
				}
			}
		}
	}
	if allTensors(top) {
		return stateDictTensors(top)
	}
	var found []dictItem
	for _, it := range top {
		if items, ok := dictItems(it.value); ok && len(items) > 0 && allTensors(items) {
			found = append(found, it)
		}
	}
	if len(found) == 1 {
		items, _ := dictItems(found[0].value)
		return stateDictTensors(items)
	}
	return nil, fmt.Errorf("%w: no state dict among the pickled dict's keys %s", ErrUnsupported, keyList(top))
}

// dictItems returns the items of an OrderedDict or dict in order, and
// whether v is one.
func dictItems(v interface{}) ([]dictItem, bool) {
	switch d := v.(type) {
	case *types.OrderedDict:
		items := make([]dictItem, 0, d.Len())
		for e := d.List.Front(); e != nil; e = e.Next() {
			if entry, ok := e.Value.(*types.OrderedDictEntry); ok {
				items = append(items, dictItem{entry.Key, entry.Value})
			}
		}
		return items, true
	case *types.Dict:
		items := make([]dictItem, len(*d))
		for i, entry := range *d {
			items[i] = dictItem{entry.Key, entry.Value}
		}
		return items, true
	}
	return nil, false
}

// allTensors reports whether every value of items is a tensor.
func allTensors(items []dictItem) bool {
	for _, it := range items {
		if _, ok := it.value.(*tensorRef); !ok {
			return false
		}
	}
	return true
}

// stateDictTensors checks that items map distinct string names to
// tensors.
func stateDictTensors(items []dictItem) ([]namedTensor, error) {
	out := make([]namedTensor, len(items))
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		name, ok := it.key.(string)
		if !ok {
			return nil, fmt.Errorf("%w: state dict key %s, want a string", ErrFormat, describe(it.key))
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: state dict has %q twice", ErrFormat, name)
		}
		seen[name] = true
		t, ok := it.value.(*tensorRef)
		if !ok {
			return nil, fmt.Errorf("%w: state dict entry %q holds %s, not a tensor", ErrUnsupported, name, describe(it.value))
		}
		out[i] = namedTensor{name: name, ref: t}
	}
	return out, nil
}

// keyList lists the first keys of items for an error message.
func keyList(items []dictItem) string {
	const most = 8
	keys := make([]string, 0, most)
	for _, it := range items[:min(len(items), most)] {
		keys = append(keys, describe(it.key))
	}
	if len(items) > most {
		keys = append(keys, "...")
	}
	return "[" + strings.Join(keys, " ") + "]"
}
