package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
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

// TestCameraDenied refuses the camera as a person would at the browser's
// prompt (Chromium's fake prompt answering "deny", in a browser of its
// own): the page says so in words and what it holds stays usable.
func TestCameraDenied(t *testing.T) {
	if unusable != "" {
		t.Skip(skipMarker + " " + unusable)
	}
	b, stop, err := startBrowser(filepath.Join(tmpDir, "denied-profile"), chromedp.Flag("use-fake-ui-for-media-stream", "deny"))
	if err != nil {
		t.Fatal("starting a Chromium that denies the camera:", err)
	}
	t.Cleanup(stop)
	p := openPageIn(t, b, "/", 2*time.Minute)
	checkClassified(t, p.pick("sea-10016.jpg"), []string{"sea-10016.jpg"})
	p.click("Use camera")
	p.waitFor(`document.querySelector("#camera-error")?.textContent.length > 0`, "the camera's error")
	if got := p.text("#camera-error"); !strings.Contains(got, "not allowed") || !strings.Contains(got, "site settings") {
		t.Errorf("camera error %q, want it to say the camera was not allowed and where to allow it", got)
	}
	if got := p.eval(`String(document.querySelector("video") === null)`); got != "true" {
		t.Error("a video is shown for a camera that was refused")
	}
	screenshot(p, "camera-denied.png")
	if rs := p.results(); len(rs) != 1 || rs[0].Name != "sea-10016.jpg" || len(rs[0].Predictions) != 3 {
		t.Errorf("results after the refusal %+v, want the photo classified before it", rs)
	}
	checkClassified(t, p.pick("forest-10007.jpg"), []string{"forest-10007.jpg"})
	p.checkAxe("the camera refused") // last: it skips without axe-core
}
