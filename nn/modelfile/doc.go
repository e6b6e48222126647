// Package modelfile reads and writes model files as lists of named tensors.
//
// Two formats are supported:
//
//   - safetensors, read and written: an 8-byte little-endian header
//     length, a JSON header mapping each tensor name to its dtype, shape
//     and data offsets (plus an optional "__metadata__" map of strings),
//     then the tensors' little-endian bytes, back to back.
//   - PyTorch's torch.save zip archives, read only: <dir>/data.pkl (a
//     pickle of the state dict) and <dir>/data/<key> (one raw storage per
//     key), as written by PyTorch 1.6 and later; and torch.save's legacy
//     format of earlier versions: pickles of a magic number, the format
//     version, system info, the state dict and its storage keys, then
//     the raw storages back to back.
//
// Conventions:
//
//   - A Tensor holds its values as float32 whatever the stored dtype, in
//     row-major order; DType records whether they were stored as a float
//     ("F32") or an integer ("I64") kind, so integer buffers such as
//     BatchNorm's num_batches_tracked are written back as integers.
//   - Readers take an io.ReaderAt and its size, never a path, so that the
//     same code reads a file natively and a Blob in the browser.
//   - Every malformed, hostile or unsupported input gives an error wrapping
//     ErrFormat, ErrUnsupported or ErrTooLarge, with a message naming the
//     problem; readers never panic on input. Allocations are bounded by the
//     input's size (a few times its bytes) and by the hard limits below.
//
// Limits: a safetensors header is at most 100 MiB; a file holds at most
// 131,072 tensors of at most 32 dimensions; a pickle is at most 64 MiB
// (a legacy file's pickles together too), its strings at most 1 MiB, and
// unpickling it may allocate an estimated 128 MiB (about 25,000 tensors
// of a typical state dict); the values a PyTorch file yields are at most
// twice its size in elements.
package modelfile
