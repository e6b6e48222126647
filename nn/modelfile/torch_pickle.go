package modelfile

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// storageRef is a storage a pickle refers to: numel elements of dt in the
// archive entry data/<key>.
type storageRef struct {
	dt    *dtype
	key   string
	numel int64
}

// tensorRef is a tensor rebuilt by the pickle: a strided view of a
// storage, element (i0, ..., ik) at offset + i0*stride[0] + ... +
// ik*stride[k].
type tensorRef struct {
	storage       *storageRef
	offset        int64
	shape, stride []int64
}

// storageClass is a torch storage class such as torch.FloatStorage.
type storageClass struct{ dt *dtype }

// storageClasses maps torch's storage class names to their dtypes' names.
var storageClasses = map[string]string{
	"FloatStorage":    "F32",
	"DoubleStorage":   "F64",
	"HalfStorage":     "F16",
	"BFloat16Storage": "BF16",
	"LongStorage":     "I64",
	"IntStorage":      "I32",
	"ShortStorage":    "I16",
	"CharStorage":     "I8",
	"ByteStorage":     "U8",
	"BoolStorage":     "BOOL",
}

// opaqueClass is any other class or function a pickle names. Calling or
// instantiating it yields an opaqueObject: nothing is ever executed, and
// checkpoints holding other objects (argparse.Namespace, numpy scalars...)
// next to the state dict still load.
type opaqueClass struct{ name string }

func (c *opaqueClass) Call(args ...any) (any, error) {
	return &opaqueObject{class: c.name}, nil
}

func (c *opaqueClass) PyNew(args ...any) (any, error) {
	return &opaqueObject{class: c.name}, nil
}

// opaqueObject is an instance of an opaqueClass; whatever the pickle sets
// on it is dropped.
type opaqueObject struct{ class string }

func (o *opaqueObject) PySetState(state any) error { return nil }
func (o *opaqueObject) Set(key, value any)         {}
func (o *opaqueObject) Append(v any)               {}

// torchUnpickler holds what unpickling a torch.save pickle builds.
type torchUnpickler struct {
	storages map[string]*storageRef
	tensors  int // tensors rebuilt so far
}

// unpickleTorch unpickles data, which scanPickle has accepted, with torch's
// classes, and returns the root object and the storages its persistent
// ids name, by key. gopickle panics on some malformed input; the panic is
// returned as an error wrapping ErrFormat.
func unpickleTorch(data []byte) (root any, storages map[string]*storageRef, err error) {
	defer func() {
		if p := recover(); p != nil {
			root, storages, err = nil, nil, fmt.Errorf("%w: pickle: %s", ErrFormat, shorten(fmt.Sprint(p)))
		}
	}()
	tu := &torchUnpickler{storages: make(map[string]*storageRef)}
	u := pickle.NewUnpickler(bytes.NewReader(data))
	u.FindClass = tu.findClass
	u.PersistentLoad = tu.persistentLoad
	root, err = u.Load()
	if err != nil {
		if errors.Is(err, ErrFormat) || errors.Is(err, ErrUnsupported) || errors.Is(err, ErrTooLarge) {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("%w: pickle: %s", ErrFormat, shorten(err.Error()))
	}
	return root, tu.storages, nil
}

// shorten cuts s to at most 200 bytes: gopickle's messages may quote
// whole values.
func shorten(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// findClass resolves the globals a torch.save pickle names.
func (tu *torchUnpickler) findClass(module, name string) (any, error) {
	switch module + "." + name {
	case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor":
		return callable(tu.rebuildTensor), nil
	case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
		return callable(rebuildParameter), nil
	case "torch._tensor._rebuild_from_type_v2":
		return callable(rebuildFromType), nil
	}
	if module == "torch" {
		if dt, ok := storageClasses[name]; ok {
			return &storageClass{dt: lookupDType(dt)}, nil
		}
	}
	return &opaqueClass{name: module + "." + name}, nil
}

// callable adapts a function to gopickle's types.Callable.
type callable func(args ...any) (any, error)

func (f callable) Call(args ...any) (any, error) { return f(args...) }

// persistentLoad resolves a persistent id ("storage", class, key,
// location, numel) to a storageRef, the same one for the same key. The
// legacy format adds a sixth element, a view's (key, offset, size) or
// None; only None, a whole storage, is read.
func (tu *torchUnpickler) persistentLoad(pid any) (any, error) {
	t, ok := pid.(*types.Tuple)
	if !ok || t.Len() == 0 {
		return nil, fmt.Errorf("%w: persistent id %s, want a tuple of 5", ErrFormat, describe(pid))
	}
	switch kind, _ := t.Get(0).(string); {
	case kind == "module":
		return nil, fmt.Errorf("%w: a whole model, saved with torch.save(model); save its state_dict() instead", ErrUnsupported)
	case kind != "storage":
		return nil, fmt.Errorf("%w: persistent id of kind %s, want \"storage\"", ErrUnsupported, describe(t.Get(0)))
	case t.Len() < 5:
		return nil, fmt.Errorf("%w: persistent id %s, want a tuple of 5", ErrFormat, describe(pid))
	}
	if t.Len() > 5 && t.Get(5) != nil {
		return nil, fmt.Errorf("%w: storage %s saved as a view of another storage", ErrUnsupported, describe(t.Get(2)))
	}
	class, ok := t.Get(1).(*storageClass)
	key, keyOK := t.Get(2).(string)
	numel, numelOK := t.Get(4).(int)
	switch {
	case !ok:
		return nil, fmt.Errorf("%w: storage of type %s", ErrUnsupported, describe(t.Get(1)))
	case !keyOK || !numelOK || numel < 0:
		return nil, fmt.Errorf("%w: storage id (%s, %s), want a key and a size", ErrFormat, describe(t.Get(2)), describe(t.Get(4)))
	}
	if s, ok := tu.storages[key]; ok {
		if s.dt != class.dt || s.numel != int64(numel) {
			return nil, fmt.Errorf("%w: storage %s declared as both %d %s and %d %s", ErrFormat, key, s.numel, s.dt.name, numel, class.dt.name)
		}
		return s, nil
	}
	if len(tu.storages) == maxTensors {
		return nil, fmt.Errorf("%w: more than %d storages", ErrTooLarge, maxTensors)
	}
	s := &storageRef{dt: class.dt, key: key, numel: int64(numel)}
	tu.storages[key] = s
	return s, nil
}

// rebuildTensor is torch._utils._rebuild_tensor_v2(storage, offset, size,
// stride, requires_grad, backward_hooks[, metadata]).
func (tu *torchUnpickler) rebuildTensor(args ...any) (any, error) {
	if len(args) < 4 {
		return nil, fmt.Errorf("%w: _rebuild_tensor with %d arguments, want at least 4", ErrFormat, len(args))
	}
	s, ok := args[0].(*storageRef)
	if !ok {
		return nil, fmt.Errorf("%w: _rebuild_tensor of %s, want a storage", ErrFormat, describe(args[0]))
	}
	offset, ok := args[1].(int)
	if !ok || offset < 0 {
		return nil, fmt.Errorf("%w: _rebuild_tensor with storage offset %s", ErrFormat, describe(args[1]))
	}
	shape, err := intTuple(args[2], "size")
	if err != nil {
		return nil, err
	}
	stride, err := intTuple(args[3], "stride")
	if err != nil {
		return nil, err
	}
	if tu.tensors == maxTensors {
		return nil, fmt.Errorf("%w: more than %d tensors", ErrTooLarge, maxTensors)
	}
	tu.tensors++
	return &tensorRef{storage: s, offset: int64(offset), shape: shape, stride: stride}, nil
}

// rebuildParameter is torch._utils._rebuild_parameter(data,
// requires_grad, backward_hooks[, state]): the Parameter is its tensor.
func rebuildParameter(args ...any) (any, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("%w: _rebuild_parameter without arguments", ErrFormat)
	}
	t, ok := args[0].(*tensorRef)
	if !ok {
		return nil, fmt.Errorf("%w: _rebuild_parameter of %s, want a tensor", ErrFormat, describe(args[0]))
	}
	return t, nil
}

// rebuildFromType is torch._tensor._rebuild_from_type_v2(func, type, args,
// state), which saves tensor subclasses: the result is func(*args).
func rebuildFromType(args ...any) (any, error) {
	if len(args) < 3 {
		return nil, fmt.Errorf("%w: _rebuild_from_type_v2 with %d arguments, want 4", ErrFormat, len(args))
	}
	f, fOK := args[0].(callable)
	a, aOK := args[2].(*types.Tuple)
	if !fOK || !aOK {
		return nil, fmt.Errorf("%w: _rebuild_from_type_v2 of %s", ErrUnsupported, describe(args[0]))
	}
	return f(*a...)
}

// intTuple converts a tuple of at most maxRank non-negative ints.
func intTuple(v any, what string) ([]int64, error) {
	t, ok := v.(*types.Tuple)
	if !ok || t.Len() > maxRank {
		return nil, fmt.Errorf("%w: _rebuild_tensor %s is %s, want a tuple of at most %d ints", ErrFormat, what, describe(v), maxRank)
	}
	s := make([]int64, t.Len())
	for i := range s {
		d, ok := t.Get(i).(int)
		if !ok || d < 0 {
			return nil, fmt.Errorf("%w: _rebuild_tensor %s has element %s, want a non-negative int", ErrFormat, what, describe(t.Get(i)))
		}
		s[i] = int64(d)
	}
	return s, nil
}

// describe names the type of an unpickled value for error messages,
// without printing the value itself.
func describe(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case *opaqueObject:
		return v.class + " object"
	case *opaqueClass:
		return v.name
	case string:
		return fmt.Sprintf("%q", shorten(v))
	case int:
		return fmt.Sprint(v)
	case *tensorRef:
		return "a tensor"
	case *types.Tuple:
		return fmt.Sprintf("a tuple of %d", v.Len())
	case *types.List:
		return fmt.Sprintf("a list of %d", v.Len())
	case *types.Dict, *types.OrderedDict:
		return "a dict"
	}
	return fmt.Sprintf("%T", v)
}
