// Hugepng writes a zip of class folders whose images are 16-bit RGBA
// PNGs of 6300×6300 pixels, all zeros: about 300 KB each in the zip,
// 317 MB each when decoded. It measures what decoding such a zip costs:
//
//	go run ./nn/data/testdata/hugepng -n 20 -o /tmp/huge.zip
//	go build -o /tmp/resnet ./cmd/resnet
//	/usr/bin/time -v /tmp/resnet evaluate -model assets/model.safetensors -data /tmp/huge.zip
package main

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
)

func main() {
	n := flag.Int("n", 20, "images")
	side := flag.Int("side", 6300, "width and height, in pixels")
	out := flag.String("o", "huge.zip", "the zip to write")
	flag.Parse()
	png := zeroPNG(*side)
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	w := zip.NewWriter(f)
	for i := range *n {
		fw, err := w.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("class%d/%d.png", i%2, i), Method: zip.Store})
		if err == nil {
			_, err = fw.Write(png)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	if err := w.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// zeroPNG returns a side×side 16-bit RGBA PNG of zeros, compressed.
func zeroPNG(side int) []byte {
	chunk := func(b []byte, typ string, data []byte) []byte {
		b = binary.BigEndian.AppendUint32(b, uint32(len(data)))
		start := len(b)
		b = append(append(b, typ...), data...)
		return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[start:]))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(side))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(side))
	ihdr = append(ihdr, 16, 6, 0, 0, 0) // 16-bit RGBA
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+8*side) // filter byte 0, then zeros
	for range side {
		zw.Write(row)
	}
	zw.Close()
	b := []byte("\x89PNG\r\n\x1a\n")
	b = chunk(b, "IHDR", ihdr)
	b = chunk(b, "IDAT", idat.Bytes())
	return chunk(b, "IEND", nil)
}
