# WebOS developer tasks. The logic lives in scripts/; `make help` lists targets.
#
#   make run                 the demo server, zero setup (embedded services)
#   make test                gofmt, vet, security checks, all tests with -race against real servers
#   make test PKGS=./store/...   the same for some packages
#   make walkthrough         the ecosystem walkthrough's screenshots and video
#   eval $$(make -s services-env); go test ./store/...   by hand, after `make services-up`

SHELL := /bin/bash
GO    ?= go

PKGS       ?= ./...
TESTFLAGS  ?= -race -count=1 -timeout 30m -p 2
BENCHFLAGS ?= -run '^$$' -bench . -benchmem
export PKGS TESTFLAGS

.DEFAULT_GOAL := help
.PHONY: help run test test-short bench load walkthrough lint security hooks services-up services-down services-status services-env clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  %-16s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: ## run the demo server (no services needed)
	$(GO) run ./examples/cmd/webos-demo

test: ## gofmt, go vet, govulncheck, staticcheck, gosec, then unit + integration tests with -race (starts and stops the servers)
	@bash scripts/test.sh

test-short: ## unit tests only, no servers
	$(GO) test -short $(PKGS)

bench: ## benchmarks against real servers
	@bash scripts/with-services.sh $(GO) test $(BENCHFLAGS) $(PKGS)

load: ## load suite (wrk): the demo vs PocketBase v0.36.8 and bare net/http, report in artifacts/load/ (LOAD_DURATION=3s LOAD_ROUNDS=1 for a quick check)
	@bash scripts/with-services.sh bash scripts/load.sh

walkthrough: ## the ecosystem walkthrough in headless Chromium: a screenshot per step and a video, in artifacts/browser/walkthrough/ (needs ffmpeg)
	@bash scripts/walkthrough.sh

lint: ## gofmt check, go vet and the security checks (make security)
	@bash scripts/lint.sh

security: ## govulncheck (offline database), staticcheck, gosec high severity; tools installed once into the shared tools folder
	@bash scripts/security.sh

hooks: ## install the git pre-commit hook: gofmt, go vet and staticcheck on the staged packages (scripts/pre-commit)
	@bash scripts/hooks.sh

services-up: ## start the test servers on 127.0.0.1 and leave them running
	@bash scripts/services.sh up

services-down: ## stop the test servers started from this folder
	@bash scripts/services.sh down

services-status: ## show which test servers answer
	@bash scripts/services.sh status

services-env: ## print export lines for the test servers (eval them in a shell)
	@bash scripts/services.sh env

clean: ## stop the test servers, delete their state, test artifacts and binaries
	@bash scripts/services.sh clean
	rm -rf artifacts bin coverage.out coverage.html cover.out
	@rmdir .cache 2>/dev/null || true
	find . -path ./.git -prune -o -type d -path '*/testdata/artifacts' -prune -exec rm -rf {} +
