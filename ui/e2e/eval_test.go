package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestEvalIsTheBrowsers checks that, once the app has started, the page's
// window.eval is the browser's own again: boot.js swallows only Vugu's
// call installing its renderer script. Tools such as Playwright evaluate
// through it; code they run over the DevTools protocol is exempt from the
// page's Content-Security-Policy, so their eval works.
func TestEvalIsTheBrowsers(t *testing.T) {
	p := openPage(t)
	tests := []struct{ expr, want string }{
		{`String(window.eval)`, "function eval() { [native code] }"},
		{`(() => {
			try {
				return String(window.eval("1+1"));
			} catch (e) {
				return e.name + ": " + e.message;
			}
		})()`, "2"},
		{`typeof window.vuguRender`, "function"},
	}
	for _, tt := range tests {
		got, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](tt.expr))
		if err != nil {
			t.Fatalf("evaluating %s: %v", tt.expr, err)
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.expr, got, tt.want)
		}
	}
	// The app still renders: the model card shows the built-in model.
	if got := p.text("#model-file"); got != "built-in" {
		t.Errorf("model file: got %q, want built-in", got)
	}
}
