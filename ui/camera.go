package main

import (
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/vugu/vugu/js"

	"github.com/intelscenes/resnet-browser/wasm/link"
	"github.com/intelscenes/resnet-browser/wasm/promise"
	"github.com/intelscenes/resnet-browser/wasm/protocol"
)

// cameraEvery is how often the camera's picture is classified, at most:
// a frame goes to the classifier only once the one before came back.
const cameraEvery = 400 * time.Millisecond

// Camera is the device's camera, once the person turned it on: its live
// picture, classified a few times a second by the classifier, and
// "Take photo", which adds the picture as a photo to classify.
type Camera struct {
	On       bool
	Starting bool
	Live     []protocol.Prediction // the classes of the last frame classified
	Err      string

	page       *page
	classifier *link.Worker
	take       func(files []js.Value) // adds photos (Images.Classify)
	stream     js.Value               // the MediaStream while On
	session    int                    // counts the times it was turned on
}

// Start asks the browser for the camera and, once it is granted, shows
// its picture and classifies it.
func (c *Camera) Start() {
	if c.On || c.Starting {
		return
	}
	c.Starting, c.Err = true, ""
	go func() {
		md := js.Global().Get("navigator").Get("mediaDevices")
		var stream js.Value
		err := errors.New("this browser gives pages no camera (it needs a secure page: https, or localhost)")
		if md.Truthy() && md.Get("getUserMedia").Truthy() {
			constraints := map[string]any{"audio": false, "video": map[string]any{"facingMode": "environment", "width": map[string]any{"ideal": 640}}}
			stream, err = promise.Await(md.Call("getUserMedia", constraints))
		}
		c.page.change(func() {
			c.Starting = false
			if err != nil {
				c.Err = cameraError(err)
				return
			}
			c.On, c.stream, c.Live = true, stream, nil
			c.session++
			go c.classifyLive(c.session)
		})
	}()
}

// cameraError says in a person's words why the camera could not start.
func cameraError(err error) string {
	var re *promise.RejectError
	name := ""
	if errors.As(err, &re) && re.Value.Type() == js.TypeObject {
		name = re.Value.Get("name").String()
	}
	switch name {
	case "NotAllowedError", "SecurityError":
		return "The camera was not allowed: allow it for this page in the browser's site settings, then press Use camera again."
	case "NotFoundError", "OverconstrainedError":
		return "No camera was found on this device."
	case "NotReadableError", "AbortError":
		return "The camera is in use by another program, or could not be read."
	}
	return "The camera could not start: " + err.Error() + "."
}

// Stop turns the camera off.
func (c *Camera) Stop() {
	if !c.On {
		return
	}
	tracks := c.stream.Call("getTracks")
	for i := range tracks.Length() {
		tracks.Index(i).Call("stop")
	}
	c.On, c.stream, c.Live = false, js.Undefined(), nil
}

// showIn shows the camera's picture in v, the <video> as a render left
// it, unless it shows it already. Its play() is let go: the browser
// rejects it when the video loads again before playing, and the new
// load plays.
func (c *Camera) showIn(v js.Value) {
	if !c.On || v.Get("srcObject").Equal(c.stream) {
		return
	}
	v.Set("srcObject", c.stream)
	v.Call("play").Call("catch", letGo())
}

// letGo returns a function that takes a promise's rejection and does
// nothing with it, made once.
var letGo = sync.OnceValue(func() js.Func { return js.FuncOf(func(js.Value, []js.Value) any { return nil }) })

// classifyLive sends a frame of the picture to the classifier every
// cameraEvery, each once the one before came back, until the camera is
// turned off or on again (session).
func (c *Camera) classifyLive(session int) {
	for {
		time.Sleep(cameraEvery)
		on := false
		c.page.read(func() { on = c.On && c.session == session })
		if !on {
			return
		}
		blob, err := frameOf(cameraVideo())
		if err != nil {
			continue // not playing yet
		}
		done := make(chan struct{})
		ask(c.page, c.classifier, protocol.Classify, protocol.ClassifyRequest{Name: "the camera's picture", TopK: topK}, blob, imagesRender,
			link.Handlers[protocol.Classified, protocol.None]{Done: func(res protocol.Classified, _ js.Value, err *protocol.Error) {
				close(done)
				if c.On && c.session == session && err == nil {
					c.Live = res.Top
				}
			}})
		<-done
	}
}

// cameraVideo is the <video> that shows the camera's picture, as the
// page has it now.
func cameraVideo() js.Value {
	return js.Global().Get("document").Call("getElementById", "camera-video")
}

// Take adds the camera's picture as a photo to classify.
func (c *Camera) Take() {
	video := cameraVideo()
	go func() {
		blob, err := frameOf(video)
		c.page.change(func() {
			if err != nil {
				c.Err = "No picture yet: " + err.Error() + "."
				return
			}
			name := "camera " + time.Now().Format("15-04-05.000") + ".jpg"
			opts := js.Global().Get("Object").New()
			opts.Set("type", "image/jpeg")
			file := js.Global().Get("File").New(js.Global().Get("Array").Call("of", blob), name, opts)
			c.take([]js.Value{file})
		})
	}()
}

// frameOf returns the picture video shows as a JPEG Blob.
func frameOf(video js.Value) (js.Value, error) {
	if !video.Truthy() || video.Get("videoWidth").Int() == 0 {
		return js.Undefined(), errors.New("the camera shows nothing yet")
	}
	w, h := video.Get("videoWidth").Int(), video.Get("videoHeight").Int()
	canvas := js.Global().Get("OffscreenCanvas").New(w, h)
	canvas.Call("getContext", "2d").Call("drawImage", video, 0, 0)
	opts := js.Global().Get("Object").New()
	opts.Set("type", "image/jpeg")
	opts.Set("quality", 0.92)
	blob, err := promise.Await(canvas.Call("convertToBlob", opts))
	if err != nil {
		return js.Undefined(), fmt.Errorf("reading the camera's picture: %w", err)
	}
	return blob, nil
}
