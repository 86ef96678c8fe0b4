# Cecyber's build. `make run` and `make test` set up whatever is missing first
# (see tools/setup.sh), so a fresh Debian 12 / Ubuntu machine needs nothing else.

SHELL := /bin/bash
.DEFAULT_GOAL := build

BIN      := $(CURDIR)/.bin
WAILS    := $(BIN)/wails
NFPM     := $(BIN)/nfpm
ACTIONLINT := $(BIN)/actionlint
ICONPACK := $(BIN)/iconpack
TAGS     := webkit2_41
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT   := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
# The commit's date, not the clock's, so that building a commit twice gives the same binary.
BUILD_DATE := $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y-%m-%dT%H:%M:%SZ 2>/dev/null || echo unknown)
LDFLAGS  := -X main.version=$(VERSION) -X main.commit=$(COMMIT) -X main.buildDate=$(BUILD_DATE)
# Tracked Go files and new ones not yet added (but not ignored ones).
GOFILES  := $(shell git ls-files --cached --others --exclude-standard '*.go' 2>/dev/null)
# Everything vite build reads: frontend/dist is rebuilt when any of it changes. Wails rewrites
# frontend/wailsjs/runtime (the same files for its pinned version) on every build; counting it
# would rebuild frontend/dist on every second make.
FRONTEND_SRC := $(shell find frontend/src frontend/wailsjs -type f -not -path 'frontend/wailsjs/runtime/*' 2>/dev/null) \
	$(wildcard frontend/index.html frontend/vite.config.* frontend/svelte.config.* \
	frontend/tsconfig*.json frontend/package.json frontend/package-lock.json)
# The end-to-end suites, found by name; the real window has its own target.
E2E_TESTS := $(filter-out frontend/e2e/window.e2e.mjs,$(sort $(wildcard frontend/e2e/*.e2e.mjs)))

.PHONY: run build dev check test lint setup setup-check setup-test bindings frontend \
	lint-go lint-bindings lint-frontend lint-workflows \
	test-go test-frontend test-e2e test-window test-windows test-windows-go test-windows-installer \
	bench-pvesim bench-console bench-metrics bench-memory screenshots clean icons build-windows package-linux test-package

# DEMO_PVE: the Proxmox VE release the demo cluster of make run and make dev plays (9.1 or 8.4).
DEMO_PVE ?= 9.1

## run: set up, build, and open the app on its built-in demo cluster (DEMO_PVE=8.4 for a PVE 8.4 one)
run: build
	@if [ -z "$$DISPLAY" ] && [ -z "$$WAYLAND_DISPLAY" ]; then \
		echo "make run: no display (DISPLAY is empty). Run it in a desktop session, or under Xvfb: tools/with-xvfb.sh make run" >&2; exit 1; fi
	./build/bin/cecyber --demo --demo-pve=$(DEMO_PVE)

# What wails prints that nobody reads: its binding generator's debug lines.
WAILS_QUIET := { grep --line-buffered -v '^KnownStructs:' || true; }

## build: the production binary, build/bin/cecyber
# Each step runs once: make has installed the packages (npm ci) and built
# frontend/dist, so wails skips its own install and build (-s); the bindings
# are committed (make bindings regenerates them, make lint checks them).
build: setup
	@echo "==> [4/4] build/bin/cecyber (wails build: Go with the frontend embedded)"
	@set -o pipefail; $(WAILS) build -s -skipbindings -tags $(TAGS) -m -trimpath -ldflags "$(LDFLAGS)" 2>&1 | $(WAILS_QUIET)
	@ls -l build/bin/cecyber

## dev: live-reloading development build (Vite + Wails) on the demo cluster, in its own config
## folder (Cecyber-dev) and keychain service (cecyber-dev): it never opens the installed app's clusters
# -loglevel Warning: Wails' own debug and trace lines (every bound call's result, console URLs
# with their one-time token among them) stay out of the terminal.
dev: setup
	@set -o pipefail; $(WAILS) dev -tags $(TAGS) -m -loglevel Warning -appargs "--demo --demo-pve=$(DEMO_PVE)" 2>&1 | $(WAILS_QUIET)

## check: the loop to run before every commit (a few minutes): lint, go test -race with a real
## Secret Service, the frontend unit tests. No root, no packaging, no browser, no window.
# The lints and the two test suites run side by side (most of go test's time is
# tests waiting, not the CPU); each one's output is printed when it ends.
check: setup-check
	@$(MAKE) --no-print-directory -j4 --output-sync=target lint test-go test-frontend

## test: everything, as CI and a release run it: make check, end-to-end in Chromium, the real
## window under Xvfb, the packages (as root), and the Windows tests and installer under Wine
test: setup-test check test-e2e test-window test-package test-windows

## lint: gofmt, go vet, frontend/wailsjs up to date with app/, svelte-check and the i18n lint,
## actionlint on the workflows. Rewrites nothing.
lint: lint-go lint-bindings lint-frontend lint-workflows

lint-go:
	@unformatted=$$(gofmt -l $(GOFILES)); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted" >&2; exit 1; fi
	go vet ./...

# Generates the bindings into a temporary folder and compares (make bindings rewrites them).
lint-bindings:
	tools/check-bindings.sh $(TAGS)

lint-frontend: frontend/node_modules/.installed
	cd frontend && npm run check

setup: frontend/node_modules/.installed $(WAILS) frontend/dist/index.html
	@tools/setup.sh build

# What make check needs: the build group and a Secret Service and ShellCheck;
# nothing is built that check does not run.
setup-check: frontend/node_modules/.installed $(ACTIONLINT)
	@tools/setup.sh check

setup-test:
	@tools/setup.sh test
	@$(MAKE) --no-print-directory setup

$(WAILS): tools/go.mod tools/go.sum
	@echo "==> [2/4] the Wails CLI into .bin (once; about 40 s the first time)"
	cd tools && GOBIN=$(BIN) go install github.com/wailsapp/wails/v2/cmd/wails
	@touch $@

$(NFPM): tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) go install github.com/goreleaser/nfpm/v2/cmd/nfpm
	@touch $@

$(ACTIONLINT): tools/go.mod tools/go.sum
	cd tools && GOBIN=$(BIN) go install github.com/rhysd/actionlint/cmd/actionlint
	@touch $@

$(ICONPACK): tools/go.mod tools/iconpack/main.go
	cd tools && GOBIN=$(BIN) go install ./iconpack
	@touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	@tools/setup.sh build
	@echo "==> [1/4] frontend packages (npm ci, once per package-lock.json)"
	cd frontend && npm ci --no-audit --no-fund
	@touch $@

## bindings: regenerate frontend/wailsjs from app/
bindings: $(WAILS)
	@set -o pipefail; $(WAILS) generate module -tags $(TAGS) 2>&1 >/dev/null | $(WAILS_QUIET)

## frontend: build frontend/dist (the assets main.go embeds), again whenever a source changes
frontend: frontend/dist/index.html

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SRC)
	@echo "==> [3/4] frontend/dist (vite build)"
	cd frontend && npm run build
	@touch $@

# Tests that need the OS keychain get a real Secret Service: a private D-Bus
# session with an unlocked gnome-keyring, gone when the tests end.
KEYRING := app/secrets/testdata/with-keyring.sh

# No test reads frontend/dist (main.go embeds the committed placeholder when it is empty).
test-go:
	$(KEYRING) go test -race -count=1 ./...

test-frontend: frontend/node_modules/.installed
	cd frontend && npm test

# The dev-tagged binary serves the real UI and live Go bindings to a browser.
build/bin/cecyber-dev: frontend/dist/index.html $(GOFILES)
	go build -tags dev,$(TAGS) -ldflags "$(LDFLAGS)" -o $@ .

build/bin/pvesim: $(GOFILES)
	go build -o $@ ./proxmox/pvesim/cmd/pvesim

## test-e2e: every frontend/e2e/*.e2e.mjs but the window's, in headless Chromium against the dev build
test-e2e: build/bin/cecyber-dev build/bin/pvesim
	cd frontend && ../$(KEYRING) node --test $(E2E_TESTS:frontend/%=%)

## screenshots: refresh the committed screenshots in build/screenshots/ (every screen, both sizes,
## languages and themes; make test-e2e writes the same set to build/out/screenshots/)
screenshots: build/bin/cecyber-dev build/bin/pvesim
	cd frontend && CECYBER_SCREENSHOTS=build/screenshots ../$(KEYRING) node --test e2e/screens.e2e.mjs

test-window: build
	cd frontend && node --test e2e/window.e2e.mjs

## lint-workflows: check .github/workflows with actionlint (and shellcheck on their scripts when it is installed)
lint-workflows: $(ACTIONLINT)
	$(ACTIONLINT) -no-color

## test-windows: every Go package's tests as Windows binaries under Wine, then the NSIS installer
## installed silently under Wine and its cecyber.exe --version (see tools/test-windows.sh)
test-windows: test-windows-go test-windows-installer

test-windows-go:
	@tools/setup.sh windows
	tools/test-windows.sh

test-windows-installer: build-windows
	@tools/setup.sh windows
	tools/test-windows-installer.sh '$(VERSION)' $(INSTALLER)

# Packaging. Package versions come from git: a tag v1.2.3 on HEAD gives 1.2.3
# (v1.2.3-rc1 gives 1.2.3~rc1), any other commit wails.json's productVersion
# followed by ~git<commit time>.<commit>, which sorts before that release and
# after the commits before it, for apt and dnf alike.
APP_VERSION := $(shell sed -n 's/.*"productVersion": *"\([^"]*\)".*/\1/p' wails.json)
RELEASE_TAG := $(shell git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null)
COMMIT_TIME := $(shell TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S 2>/dev/null)
# Every file in the packages gets the commit's time (nfpm reads SOURCE_DATE_EPOCH).
COMMIT_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
PKG_VERSION := $(if $(RELEASE_TAG),$(subst -,~,$(RELEASE_TAG:v%=%)),$(APP_VERSION)~git$(COMMIT_TIME).$(COMMIT))
PKG_ARCH    := $(shell go env GOARCH)
DEB_ARCH    := $(shell dpkg --print-architecture 2>/dev/null || go env GOARCH)
DEB         := build/bin/cecyber_$(PKG_VERSION)-1_$(DEB_ARCH).deb
INSTALLER   := build/bin/cecyber-amd64-installer.exe

## icons: render build/appicon.svg (appicon-small.svg up to 32 px) into every platform's icon (committed)
icons: $(ICONPACK)
	@tools/setup.sh icons
	tools/icons.sh $(ICONPACK)

## build-windows: cross-build the Windows installer, build/bin/cecyber-amd64-installer.exe (NSIS);
## signed when CECYBER_SIGN_PFX (and CECYBER_SIGN_PASSWORD, CECYBER_SIGN_TIMESTAMP_URL) are set
build-windows: setup
	@tools/setup.sh package
	rm -f $(INSTALLER) build/bin/cecyber.exe
	@set -o pipefail; CGO_ENABLED=0 $(WAILS) build -s -skipbindings -platform windows/amd64 -nsis -m -trimpath -ldflags "$(LDFLAGS)" 2>&1 | $(WAILS_QUIET)
	@if [ -n "$$CECYBER_SIGN_PFX" ]; then \
		set -e; export CECYBER_SIGN_PFX="$$(realpath "$$CECYBER_SIGN_PFX")"; \
		tools/sign-windows.sh build/bin/cecyber.exe; \
		echo "build-windows: packing the signed cecyber.exe again, signing the installer and its uninstaller"; \
		cd build/windows/installer && makensis -V2 -DARG_WAILS_AMD64_BINARY=$(CURDIR)/build/bin/cecyber.exe \
			-DCECYBER_SIGN=$(CURDIR)/tools/sign-windows.sh project.nsi; \
	else \
		echo "build-windows: $(INSTALLER) is UNSIGNED (SmartScreen will warn); set CECYBER_SIGN_PFX and CECYBER_SIGN_PASSWORD to sign it"; \
	fi
	@file $(INSTALLER) | grep -q 'PE32.*MS Windows' || { echo "build-windows: $(INSTALLER) is not a Windows executable" >&2; exit 1; }
	@ls -l $(INSTALLER)

## package-linux: build/bin/cecyber_VERSION-1_ARCH.deb and cecyber-VERSION-1.ARCH.rpm of the production binary (nfpm)
package-linux: build $(NFPM)
	rm -f build/bin/cecyber_*.deb build/bin/cecyber-*.rpm
	for p in deb rpm; do \
		CECYBER_VERSION='$(PKG_VERSION)' CECYBER_ARCH=$(PKG_ARCH) SOURCE_DATE_EPOCH=$(COMMIT_EPOCH) \
			$(NFPM) package --config build/linux/nfpm.yaml --packager $$p --target build/bin/ || exit 1; done
	@ls -l build/bin/cecyber_*.deb build/bin/cecyber-*.rpm

## test-package: build both packages and the Windows installer, install the .deb (root) and run what it installed
test-package: package-linux build-windows
	@if [ "$$(id -u)" -ne 0 ]; then \
		echo "make test-package installs $(DEB) system-wide, which needs root: run it as 'sudo make test-package'" >&2; exit 1; fi
	@tools/setup.sh package
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends --reinstall ./$(DEB) >/dev/null
	tools/test-package.sh '$(VERSION)' '$(COMMIT)' '$(BUILD_DATE)' '$(PKG_VERSION)' $(INSTALLER)
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq cecyber >/dev/null

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

## bench-memory: PSS of Cecyber (main + WebKit processes) after 60 s idle on the demo inventory
## against the empty Wails svelte-ts template built the same way, in the same run, as name=value
## with the ratio (goal <= 1.2); builds the template in a temporary folder (about 3 min)
bench-memory: build
	@tools/setup.sh test
	tools/bench-memory.sh build/bin/cecyber

clean:
	rm -rf build/bin frontend/dist/assets frontend/dist/index.html .bin build/windows/installer/tmp
