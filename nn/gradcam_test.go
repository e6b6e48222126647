package nn

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/intelscenes/resnet-browser/nn/data"
)

// TestGradCAMMatchesPyTorch computes Grad-CAM with the built-in model on
// the inputs of testdata/torch/gradcam.safetensors and finds PyTorch's
// maps (autograd through the network in evaluation mode), before and
// after upsampling.
func TestGradCAMMatchesPyTorch(t *testing.T) {
	fx := loadFixture(t, "gradcam.safetensors")
	b, err := os.ReadFile(filepath.Join("..", "assets", "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := ReadModel(bytes.NewReader(b), int64(len(b)), "built-in")
	if err != nil {
		t.Fatal(err)
	}
	x, pairs, cams, up := fx.get("x"), fx.labels("classes"), fx.get("cams"), fx.get("up")
	n, side := x.Shape[0], cams.Shape[2] // the last stage's maps
	const outH, outW = 45, 30
	for j := range 2 { // the top class, then the third
		classes := make([]int, n)
		for i := range classes {
			classes[i] = pairs[2*i+j]
		}
		maps, h, w := m.Net.GradCAM(x, classes)
		if h != side || w != side {
			t.Fatalf("maps of %d×%d, want %d×%d", h, w, side, side)
		}
		var want, wantUp, gotUp []float32
		nonzero := 0
		for i := range n {
			a := side * side
			want = append(want, cams.Data[(2*i+j)*a:(2*i+j+1)*a]...)
			wantUp = append(wantUp, up.Data[(2*i+j)*outH*outW:(2*i+j+1)*outH*outW]...)
			gotUp = append(gotUp, data.Upsample(maps[i*a:(i+1)*a], side, side, outH, outW)...)
		}
		for _, v := range maps {
			if v > 0 {
				nonzero++
			}
		}
		if nonzero < len(maps)/8 {
			t.Errorf("class %d of each image: only %d of %d values above zero: the maps show too little to test", j, nonzero, len(maps))
		}
		expectClose(t, "cams", maps, want, 1e-5, 1e-4)
		expectClose(t, "upsampled", gotUp, wantUp, 1e-5, 1e-4)
		t.Logf("class %d of each image: largest difference from PyTorch %.2g before upsampling, %.2g after", j, maxDiff(maps, want), maxDiff(gotUp, wantUp))
	}
}

// maxDiff is the largest |a[i] - b[i]|.
func maxDiff(a, b []float32) float64 {
	d := 0.0
	for i := range min(len(a), len(b)) {
		d = max(d, math.Abs(float64(a[i])-float64(b[i])))
	}
	return d
}
