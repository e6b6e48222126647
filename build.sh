#!/usr/bin/env bash
# build.sh builds the page, serves it, or tests everything.
#
#   ./build.sh          build: Vugu code, ui.wasm, worker.wasm, the worker's
#                       SIMD kernel (gemm-simd*.wasm), wasm_exec.js,
#                       vugu-render.js and gzip copies, all under assets/
#   ./build.sh serve    build, then serve the page (ADDR, default
#                       127.0.0.1:8080; the server prints its address)
#   ./build.sh test     install Node, Chromium and PyTorch if missing (as root, with
#                       apt-get), build, then go vet (native and js/wasm),
#                       the native tests, the engine's tests under js/wasm
#                       in Node, and the browser tests in headless Chromium
#   ./build.sh bench    build, then time training and inference in a worker
#                       in headless Chromium, with the SIMD kernel and with
#                       Go's, and the page reading ../shared's training zip
#                       (when it is there), and print images/s; then an
#                       epoch natively against PyTorch (bench_epoch)
#
# Each step prints a header; a failing step ends the run with
# "FAILED: <step>".
set -euo pipefail

cd "$(dirname "$0")"

# step NAME COMMAND... runs one step, timed, and stops everything if it fails.
step() {
	local name=$1 start=$SECONDS
	shift
	printf '\n==> %s\n' "$name"
	if ! "$@"; then
		printf '\nFAILED: %s\n' "$name" >&2
		exit 1
	fi
	printf -- '--- %s: ok (%ds)\n' "$name" $((SECONDS - start))
}

# update FROM TO copies FROM over TO unless they are equal already, so an
# unchanged output keeps its time (and its .gz, and browsers' caches).
update() {
	cmp -s "$1" "$2" || cp "$1" "$2"
}

wasm_build() { # wasm_build OUT PACKAGE
	mkdir -p .cache/wasm
	local tmp=".cache/wasm/$(basename "$1")"
	GOOS=js GOARCH=wasm go build -trimpath -o "$tmp" "$2" && update "$tmp" "$1"
}

copy_wasm_exec() {
	update "$(go env GOROOT)/lib/wasm/wasm_exec.js" assets/wasm_exec.js
}

# compress writes NAME.gz beside each built file, for the server to send
# to browsers that accept gzip. Only built files: a stale .gz of a source
# file would shadow its edits.
compress() {
	local f
	for f in assets/ui.wasm assets/worker.wasm assets/wasm_exec.js assets/vugu-render.js; do
		[ "$f.gz" -nt "$f" ] || gzip -9 -n -k -f "$f" || return 1
	done
}

build() {
	step "generate (vugugen, vugu-render.js)" go generate ./ui
	step "build assets/ui.wasm" wasm_build assets/ui.wasm ./ui
	step "build assets/worker.wasm" wasm_build assets/worker.wasm ./wasm
	step "build assets/gemm-simd*.wasm (the worker's SIMD kernel)" go run ./wasm/simd/gen -o assets
	step "copy wasm_exec.js" copy_wasm_exec
	step "compress" compress
}

wasm_test() { # the engine and the worker under GOOS=js GOARCH=wasm, run by Node
	PATH="$(go env GOROOT)/lib/wasm:$PATH" GOOS=js GOARCH=wasm go test ./nn/... ./wasm/...
}

native_test() { # every package but the browser tests, which get their own step
	local pkgs
	pkgs=$(go list ./... | grep -v '/ui/e2e$') || return 1
	go test $pkgs
}

# axe_core installs the pinned axe-core of ui/e2e/axe (package-lock.json)
# for the browser tests' accessibility checks, unless it is there; without
# npm or the registry the checks say why they skip (fail, with CI=true).
axe_core() {
	[ -f ui/e2e/axe/node_modules/axe-core/axe.min.js ] && return 0
	if ! command -v npm >/dev/null 2>&1; then
		echo "no npm: the accessibility checks will skip (on Debian: apt-get install npm)" >&2
		return 0
	fi
	(cd ui/e2e/axe && npm ci --no-audit --no-fund) || echo "installing axe-core failed: the accessibility checks will skip" >&2
	return 0
}

# browser_test runs the browser tests, and repeats at the end of the run
# why they skipped, if they did (no Chromium, outside CI).
browser_test() {
	local log=.cache/browser-test.log status=0
	mkdir -p .cache
	SCREENSHOT="${SCREENSHOT-0}" go test -count=1 -timeout 40m -v ./ui/e2e 2>&1 | tee "$log" || status=$?
	skipped=$(grep -m1 -o 'SKIPPING the browser tests:.*[^* ]' "$log" || true)
	return "$status"
}

# test_tools makes sure the tests' programs that are not Go modules are
# here: Node (the engine's tests under js/wasm), Chromium (the browser
# tests) and PyTorch with Pillow (the tests of cmd/ddp, the PyTorch
# trainer). Missing ones are installed with apt-get when this runs as
# root on Debian or Ubuntu; otherwise it says how to get them. Without
# Node the tests cannot run; without Chromium the browser tests skip,
# loudly, unless CI=true; without PyTorch cmd/ddp's tests skip, saying
# so here.
test_tools() {
	local missing=()
	command -v node >/dev/null 2>&1 || missing+=(nodejs)
	command -v npm >/dev/null 2>&1 || missing+=(npm)
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
		command -v google-chrome >/dev/null 2>&1 || [ -n "${CHROMIUM-}" ] || missing+=(chromium)
	if ! /usr/bin/python3 -c 'import torch, PIL' >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing python3-torch with apt-get, for the tests of cmd/ddp"
		{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-torch; } ||
			echo "installing python3-torch failed: the tests of cmd/ddp (the PyTorch trainer) will skip" >&2
	fi
	/usr/bin/python3 -c 'import torch, PIL' >/dev/null 2>&1 ||
		echo "no PyTorch at /usr/bin/python3: the tests of cmd/ddp (the PyTorch trainer) skip (on Debian: apt-get install python3-torch)" >&2
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "installing ${missing[*]} with apt-get"
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" && return 0
		echo "installing ${missing[*]} failed" >&2
	fi
	echo "missing: ${missing[*]}. On Debian or Ubuntu: sudo apt-get install ${missing[*]}" >&2
	command -v node >/dev/null 2>&1 || return 1 # the js/wasm tests need it
	return 0 # without Chromium, the browser tests say why they skip
}

# bench_epoch times an epoch of the reference recipe (with its
# validation) natively and in PyTorch on the same machine, the same
# threads and the same split of ../shared's training zip, in turn, three
# times each, and prints each one's seconds (min, median, max) and the
# ratio of the medians. Without the zip or PyTorch (/usr/bin/python3:
# apt-get install python3-torch) it says what is missing and passes.
bench_epoch() {
	local zip=../shared/data/intel-scenes-train.zip py=/usr/bin/python3 split=.cache/refsplit1 i
	if [ ! -f "$zip" ]; then
		echo "skipped: no $zip beside the repository"
		return 0
	fi
	if ! "$py" -c 'import torch' 2>/dev/null; then
		echo "skipped: no PyTorch at $py (on Debian: apt-get install python3-torch)"
		return 0
	fi
	mkdir -p .cache/bin
	go build -o .cache/bin/resnet ./cmd/resnet || return 1
	[ -f "$split/split.json" ] || go run ./nn/testdata/torch/export -data "$zip" -seed 1 -o "$split" || return 1
	local ours=() theirs=() avx2=() s torch
	torch=$("$py" -c 'import torch; print(torch.__version__)')
	# Where the CPU has AVX-512, nn multiplies with it; GODEBUG turns it
	# off, and both are timed, to tell what AVX-512 gives there.
	local wide=""
	grep -qw avx512f /proc/cpuinfo 2>/dev/null && wide=1
	for i in 1 2 3; do
		s=$(.cache/bin/resnet train -data "$zip" -recipe reference -epochs 1 -workers 2 -seed 1 -o .cache/bench-epoch.safetensors 2>/dev/null |
			awk '$1 == "1" { print $NF }') || return 1
		echo "run $i: resnet train, 2 workers: ${s:?no epoch line} s"
		ours+=("$s")
		if [ -n "$wide" ]; then
			s=$(GODEBUG=cpu.avx512f=off .cache/bin/resnet train -data "$zip" -recipe reference -epochs 1 -workers 2 -seed 1 -o .cache/bench-epoch.safetensors 2>/dev/null |
				awk '$1 == "1" { print $NF }') || return 1
			echo "run $i: resnet train, 2 workers, AVX-512 off: ${s:?no epoch line} s"
			avx2+=("$s")
		fi
		s=$("$py" nn/testdata/torch/train_reference.py --data "$split" --seed 1 --threads 2 --epochs 1 | awk '$1 == "1" { print $NF }') || return 1
		echo "run $i: PyTorch $torch, 2 threads: ${s:?no epoch line} s"
		theirs+=("$s")
	done
	printf '%s\n' "${ours[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "epoch-native seconds min=%s median=%s max=%s\n", v[1], v[2], v[3] }'
	[ -n "$wide" ] && printf '%s\n' "${avx2[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "epoch-native-avx2 seconds min=%s median=%s max=%s\n", v[1], v[2], v[3] }'
	printf '%s\n' "${theirs[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "epoch-pytorch seconds min=%s median=%s max=%s\n", v[1], v[2], v[3] }'
	{ printf '%s\n' "${ours[@]}" | sort -n | sed -n 2p; printf '%s\n' "${theirs[@]}" | sort -n | sed -n 2p; } |
		awk 'NR == 1 { a = $1 } NR == 2 { printf "native is %.2fx PyTorch (the medians; above 1 is faster)\n", $1 / a }'
}

case "${1:-build}" in
build)
	build
	;;
serve)
	build
	mkdir -p .cache/bin
	step "build server" go build -o .cache/bin/server ./server
	exec .cache/bin/server -addr "${ADDR:-127.0.0.1:8080}" -root .
	;;
test)
	step "test tools (Node, Chromium, PyTorch)" test_tools
	build
	step "go vet (native)" go vet ./...
	step "go vet (js/wasm: ui, wasm)" env GOOS=js GOARCH=wasm go vet ./ui ./wasm/...
	step "go test (native)" native_test
	step "go test (js/wasm in Node: nn, wasm)" wasm_test
	skipped=""
	step "axe-core for the accessibility checks (npm ci)" axe_core
	step "browser tests (headless Chromium)" browser_test
	if [ -n "$skipped" ]; then
		printf '\n*** WARNING: %s ***\n*** the other tests passed ***\n' "$skipped"
	else
		printf '\nall tests passed\n'
	fi
	;;
bench)
	step "test tools (Node, Chromium)" test_tools
	build
	step "benchmark the worker (headless Chromium)" \
		go test -count=1 -run '^$' -bench '^BenchmarkWorker$' -benchtime 1x ./ui/e2e
	step "benchmark ONNX Runtime Web's inference on the same network, the anchor for the worker's (Node)" \
		cmd/ortbench/run.sh
	step "benchmark loading a data set in the page (headless Chromium)" \
		go test -count=1 -run '^$' -bench '^BenchmarkLoadZip$' -benchtime 1x ./ui/e2e
	step "benchmark training through the page against bench-train (headless Chromium)" \
		go test -count=1 -run '^$' -bench '^BenchmarkTrainPage$' -benchtime 1x ./ui/e2e
	step "benchmark classifying 1,000 photos dropped at once (headless Chromium)" \
		go test -count=1 -run '^$' -bench '^BenchmarkClassifyMany$' -benchtime 1x ./ui/e2e
	step "benchmark keeping a run in the browser: its data set and checkpoints (headless Chromium)" \
		go test -count=1 -run '^$' -bench '^BenchmarkKeepRun$' -benchtime 1x ./ui/e2e
	step "benchmark an epoch of the reference recipe natively against PyTorch" bench_epoch
	;;
*)
	echo "usage: $0 [build|serve|test|bench]" >&2
	exit 2
	;;
esac
