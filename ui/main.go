package main

import (
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/domrender"
	"github.com/vugu/vugu/js"
)

// mountPoint is the element of index.html the app renders into.
const mountPoint = "#app"

func main() {
	renderer, err := domrender.New(mountPoint)
	if err != nil {
		panic(err)
	}
	defer renderer.Release()
	buildEnv, err := vugu.NewBuildEnv(renderer.EventEnv())
	if err != nil {
		panic(err)
	}
	root := newRoot(renderer.EventEnv())
	give := func(files []js.Value) { root.page.change(func() { root.give(files) }) }
	listenForPaste(give)
	listenForDrops(give)
	for ok := true; ok; ok = renderer.EventWait() {
		if err := renderer.Render(buildEnv.RunBuild(root)); err != nil {
			panic(err)
		}
	}
}
