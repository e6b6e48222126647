// Package data reads labelled image datasets and turns images into the
// network's input.
//
// Conventions:
//
//   - An image is stored as Size x Size RGB uint8, row-major with the
//     channels interleaved: pixel (y, x), channel c of a single image is
//     at (y*Size+x)*3 + c. A Set stores its images back to back.
//   - The network's input is float32 NCHW: image n, channel c, row y,
//     column x at ((n*3+c)*Size+y)*Size + x, each value normalized by a
//     Normalization.
//   - Preprocessing reproduces the reference PyTorch notebook: images are
//     decoded as Pillow decodes them (JPEG chroma upsampled and converted
//     to RGB as libjpeg-turbo does), converted to RGB (alpha dropped,
//     gray replicated), and stretched to Size x Size with Pillow's
//     antialiased bilinear resampling, reimplemented here bit for bit.
//   - Randomness is explicit: functions that shuffle or augment take a
//     *rand.Rand and draw from nothing else.
//   - Everything read from a zip or an image file is untrusted: problems
//     are returned as errors (or recorded as skipped files), never
//     panics. Panics are reserved for misuse by the caller, such as a
//     destination slice of the wrong length, and are documented.
//
// The package uses only the standard library and runs unchanged under
// GOOS=js GOARCH=wasm.
package data
