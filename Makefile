# gra — common tasks. `make help` lists them.
SHELL := /bin/bash
SWIFT ?= swift
PYTHON ?= python3

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk -F':.*?## ' '{printf "  %-16s %s\n", $$1, $$2}'

.PHONY: build
build: ## Build everything (debug)
	$(SWIFT) build

# Integration tests each start a local API server, kubelet and operator; on a 2-core machine
# running all of them at once starves them of CPU, so at most TEST_WIDTH run together.
# Swift Testing captures a backtrace at every thrown Swift error; JSONValue's Decodable
# conformance throws while it finds a value's type, and profiling put 41% of a test process's
# CPU there. The error a test fails with is still reported, without its backtrace.
TEST_WIDTH ?= 6
TEST_ENV ?= SWT_EXPERIMENTAL_MAXIMUM_PARALLELIZATION_WIDTH=$(TEST_WIDTH) SWT_SWIFT_ERROR_BACKTRACING_ENABLED=0

.PHONY: test
test: ## Run every test: Swift unit and integration tests, then the Python tests
	$(SWIFT) build --build-tests
	$(TEST_ENV) $(SWIFT) test --skip-build
	@if [ -d tests ]; then $(PYTHON) -m pytest -q tests; fi

.PHONY: generate
generate: ## Regenerate manifests/crds, the chart's copy and docs/api.md from the Swift types
	$(SWIFT) run gra-operator crds --output-dir manifests/crds
	rm -f charts/gra-operator/crds/*.yaml && cp manifests/crds/*.yaml charts/gra-operator/crds/
	$(SWIFT) run gra-operator api-docs --output docs/api.md

.PHONY: fmt
fmt: ## Format the Swift sources with swift format
	$(SWIFT) format --in-place --recursive Sources Tests Package.swift

.PHONY: lint
lint: ## Check formatting
	$(SWIFT) format lint --recursive Sources Tests Package.swift

.PHONY: local
local: ## Start the local API server and kubelet (no cluster needed)
	$(SWIFT) run gra-operator local

.PHONY: run
run: ## Run the operator against the current kubeconfig's cluster
	$(SWIFT) run gra-operator run --log-format logfmt

.PHONY: dev
dev: ## Dev loop on minikube: skaffold builds both images in minikube and deploys the chart
	skaffold dev -p minikube

.PHONY: clean
clean: ## Remove build output and local-mode state
	rm -rf .build .local

# Image targets (build-image, run-local, test-image, logs, stop, push-image, push-multiarch, …)
# with Docker or Podman detected: see docs/images.md.
include images/images.mk
