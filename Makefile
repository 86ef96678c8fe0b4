# Cecyber's build. `make run` and `make test` set up whatever is missing first
# (see tools/setup.sh), so a fresh Debian 12 / Ubuntu machine needs nothing else.

SHELL := /bin/bash
.DEFAULT_GOAL := build

BIN      := $(CURDIR)/.bin
WAILS    := $(BIN)/wails
TAGS     := webkit2_41
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)
GOFILES  := $(shell git ls-files '*.go' 2>/dev/null)

.PHONY: run build dev test lint setup setup-test bindings frontend \
	test-go test-frontend test-e2e test-window bench-pvesim bench-console bench-metrics clean

## run: set up, build, and open the app on its built-in demo cluster
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "make run: no display (DISPLAY is empty). Run it in a desktop session, or under Xvfb: xvfb-run make run" >&2; exit 1; fi
	./build/bin/cecyber --demo

## build: the production binary, build/bin/cecyber
build: setup
	$(WAILS) build -tags $(TAGS) -m -trimpath -ldflags "$(LDFLAGS)"
	@ls -l build/bin/cecyber

## dev: live-reloading development build (Vite + Wails) on the demo cluster
dev: setup
	$(WAILS) dev -tags $(TAGS) -m -appargs "--demo"

## test: set up, then every test: Go, frontend unit tests and checks, end-to-end in Chromium, the real window under Xvfb
test: setup-test lint test-go test-frontend test-e2e test-window

## lint: formatting, vet, generated bindings up to date, svelte-check
lint: setup bindings
	@unformatted=$$(gofmt -l $(GOFILES)); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted" >&2; exit 1; fi
	go vet ./...
	@if [ -n "$$(git -c core.fileMode=false status --porcelain -- frontend/wailsjs 2>/dev/null)" ]; then \
		echo "frontend/wailsjs is out of date with app/: commit the regenerated bindings" >&2; \
		git -c core.fileMode=false status --short -- frontend/wailsjs >&2; exit 1; fi
	cd frontend && npm run check

setup: frontend/node_modules/.installed $(WAILS) frontend/dist/index.html
	@tools/setup.sh build

setup-test:
	@tools/setup.sh test
	@$(MAKE) --no-print-directory setup

$(WAILS): tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) go install github.com/wailsapp/wails/v2/cmd/wails
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	@tools/setup.sh build
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

## bindings: regenerate frontend/wailsjs from app/
bindings: $(WAILS)
	$(WAILS) generate module -tags $(TAGS) >/dev/null

## frontend: build frontend/dist (the assets main.go embeds)
frontend frontend/dist/index.html: frontend/node_modules/.installed
	cd frontend && npm run build

# Tests that need the OS keychain get a real Secret Service: a private D-Bus
# session with an unlocked gnome-keyring, gone when the tests end.
KEYRING := app/secrets/testdata/with-keyring.sh

test-go: frontend/dist/index.html
	$(KEYRING) go test -count=1 ./...

test-frontend: frontend/node_modules/.installed
	cd frontend && npm test

# The dev-tagged binary serves the real UI and live Go bindings to a browser.
build/bin/cecyber-dev: frontend/dist/index.html $(GOFILES)
	go build -tags dev,$(TAGS) -ldflags "$(LDFLAGS)" -o $@ .

build/bin/pvesim: $(GOFILES)
	go build -o $@ ./proxmox/pvesim/cmd/pvesim

test-e2e: build/bin/cecyber-dev build/bin/pvesim
	cd frontend && ../$(KEYRING) node --test e2e/inventory.e2e.mjs e2e/empty.e2e.mjs e2e/clusters.e2e.mjs e2e/console.e2e.mjs

test-window: build
	cd frontend && node --test e2e/window.e2e.mjs

## bench-pvesim: /cluster/resources of a 10,000-guest simulated cluster
bench-pvesim:
	go test -run '^$$' -bench ClusterResources -benchmem ./proxmox/pvesim/

## bench-console: the console proxy against a direct connection and Debian's websockify
## (throughput, key-event round trip, bytes lost when Proxmox closes), as name=value lines
bench-console:
	@tools/setup.sh bench
	go run ./console/internal/consolebench

## bench-metrics: one 10,000-guest poll end to end against the naive one-INSERT-per-row store,
## history and sparkline queries, and the bytes a guest's year of history takes (about 3 min)
bench-metrics:
	go run ./metrics/internal/metricsbench

clean:
	rm -rf build/bin frontend/dist/assets .bin
