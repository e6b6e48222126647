// Package e2e tests the built page end to end: it starts the real server
// (../../server) on a free port and drives headless Chromium through it
// with chromedp, from loading the page to classifying dropped images,
// refusing bad files, loading a model file and surviving a failed worker.
//
// The tests need the assets that ./build.sh builds and a Chromium
// (CHROMIUM, or chromium on PATH). Without them they skip and say why; with
// CI=true they fail instead. With SCREENSHOT set (./build.sh test sets
// it), they save a screenshot of the page with predictions to
// assets/screenshot.png, which the README shows.
package e2e
