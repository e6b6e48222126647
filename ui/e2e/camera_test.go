package e2e

import (
	"strings"
	"testing"
	"time"
)

// TestCamera turns on Chromium's fake camera: the page shows its picture
// and what the model takes it for, live, and Take photo adds the picture
// as a photo classified like any other; Stop camera turns it off.
func TestCamera(t *testing.T) {
	p := openPage(t)
	p.click("Use camera")
	p.waitFor(`document.querySelector("video")?.videoWidth > 0`, "the camera's picture")
	p.waitFor(`document.querySelectorAll("#camera-classes .prediction").length === 3`, "the picture's classes")
	if got := p.text("#camera-error"); got != "" {
		t.Errorf("camera error: %q", got)
	}
	screenshot(p, "camera.png")
	p.click("Take photo")
	deadline := time.Now().Add(30 * time.Second)
	for p.eval(`String([...document.querySelectorAll("#results .result")].some(li => li.querySelector(".name").textContent.startsWith("camera ") && li.dataset.status === "done"))`) != "true" {
		if time.Now().After(deadline) {
			t.Fatalf("no photo taken and classified: camera error %q, cards %+v", p.text("#camera-error"), p.results())
		}
		time.Sleep(100 * time.Millisecond)
	}
	rs := p.results()
	if len(rs) != 1 || !strings.HasSuffix(rs[0].Name, ".jpg") || len(rs[0].Predictions) != 3 {
		t.Errorf("results %+v, want the camera's photo with three classes", rs)
	}
	p.click("Stop camera")
	p.waitFor(`document.querySelector("video") === null`, "the camera off")
	if got := p.eval(`String(navigator.mediaDevices !== undefined)`); got != "true" {
		t.Error("no mediaDevices")
	}
}
