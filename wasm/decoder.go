package main

import (
	"github.com/intelscenes/resnet-browser/nn/data"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// decoder is a decoding worker: started by the data set worker for one
// run of a zip's images, it opens the zip itself, decodes its run and
// sends the pixels a piece at a time, so that it never holds more than
// a piece not sent.
type decoder struct{}

// handlers returns the decoder's: a run to decode.
func (decoder) handlers() handlers {
	hs := handlers{}
	handle(hs, protocol.Decode, decode)
	return hs
}

// decode answers a DecodeRequest: the pixels go out in its notices.
func decode(r *request, q protocol.DecodeRequest) (protocol.None, []byte, error) {
	r.file = q.Name
	z, err := data.OpenZip(r.body, r.body.Size())
	if err != nil {
		return protocol.None{}, nil, badInput(err)
	}
	err = decodeRun(q, z, z.FileOrder(), func(p piece) error {
		k := len(p.pix) / (q.Size * q.Size * 3)
		r.tell(protocol.Decode.Notice(r.ID(), protocol.Decoded{Failed: p.failed,
			Progress: protocol.Progress{Stage: "decoding images", Done: p.at + k, Total: q.Hi - q.Lo}}), p.pix)
		return nil
	}, r.cancelled)
	return protocol.None{}, nil, err
}
