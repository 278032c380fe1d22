# Container image targets of gra, included by the top-level Makefile (`include images/images.mk`).
# Docker is used when it is installed, else Podman; CONTAINER_ENGINE=podman forces one.
# `make build-image`, `make run-local`, `make test-image`, ... ; `make help` lists them.

IMAGES_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
GRA_ROOT := $(patsubst %/,%,$(dir $(IMAGES_DIR)))
ifeq ($(GRA_ROOT),)
GRA_ROOT := .
endif

CONTAINER_ENGINE ?= $(notdir $(firstword $(shell command -v docker 2>/dev/null) $(shell command -v podman 2>/dev/null)))
REGISTRY ?= ghcr.io/gra-dev
VERSION ?= $(shell git -C $(GRA_ROOT) describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git -C $(GRA_ROOT) rev-parse HEAD 2>/dev/null || echo unknown)
CREATED ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
SOURCE ?= $(shell git -C $(GRA_ROOT) config --get remote.origin.url 2>/dev/null)
RUNNER_IMAGE ?= $(REGISTRY)/gra-runner:$(VERSION)
OPERATOR_IMAGE ?= $(REGISTRY)/gra-operator:$(VERSION)
PLATFORMS ?= linux/amd64,linux/arm64
# GradientTracer: a tag or commit of GT_REPO; empty builds the runner without it.
GT_REPO ?= https://github.com/sk-ai-net/gradienttracer.git
GT_REF ?=
# e.g. https://download.pytorch.org/whl/cpu for a CPU-only torch (much smaller image)
TORCH_INDEX_URL ?=
# Set to a digest-pinned base for release builds, e.g. python:3.11-slim-bookworm@sha256:...
PYTHON_IMAGE ?=
SWIFT_IMAGE ?=
RUNTIME_IMAGE ?=
# run-local: container name, published ssh port, workspace volume and the key let in.
RUNNER_CONTAINER ?= gra-runner-local
SSH_PORT ?= 2222
WORKSPACE_VOLUME ?= gra-workspace
AUTHORIZED_KEYS_FILE ?= $(firstword $(wildcard $(HOME)/.ssh/id_ed25519.pub $(HOME)/.ssh/id_ecdsa.pub $(HOME)/.ssh/id_rsa.pub))
HADOLINT ?= hadolint
SHELLCHECK ?= shellcheck
PYTHON ?= python3

RUNNER_SCRIPTS := $(addprefix $(IMAGES_DIR)/runner/,gra-runner healthcheck gra-sessions install-gradienttracer)
COMMON_BUILD_ARGS = --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) \
	--build-arg CREATED=$(CREATED) --build-arg SOURCE="$(SOURCE)" \
	--label dev.gra.created-by=gra
RUNNER_BUILD_ARGS = $(COMMON_BUILD_ARGS) --build-arg GT_REPO=$(GT_REPO) --build-arg GT_REF="$(GT_REF)" \
	$(if $(PYTHON_IMAGE),--build-arg PYTHON_IMAGE=$(PYTHON_IMAGE)) \
	$(if $(TORCH_INDEX_URL),--build-arg TORCH_INDEX_URL=$(TORCH_INDEX_URL))
OPERATOR_BUILD_ARGS = $(COMMON_BUILD_ARGS) \
	$(if $(SWIFT_IMAGE),--build-arg SWIFT_IMAGE=$(SWIFT_IMAGE)) \
	$(if $(RUNTIME_IMAGE),--build-arg RUNTIME_IMAGE=$(RUNTIME_IMAGE))
# Podman writes OCI images by default, which drop HEALTHCHECK; the docker format keeps it.
ENGINE_BUILD_FLAGS = $(if $(filter podman,$(CONTAINER_ENGINE)),--format docker)

define require-engine
	@if [ -z "$(CONTAINER_ENGINE)" ]; then \
	  echo "error: neither docker nor podman is installed; install one or set CONTAINER_ENGINE" >&2; exit 1; fi
endef

# Used alone (make -f images/images.mk), the default target lists these targets.
ifeq ($(.DEFAULT_GOAL),)
.DEFAULT_GOAL := images-help
endif

.PHONY: images-help
images-help:
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(IMAGES_DIR)/images.mk | sort \
	  | awk -F':.*?## ' '{printf "  %-22s %s\n", $$1, $$2}'

.PHONY: e2e emulate-runner-image build-image build-runner-image build-operator-image run-local test-image logs stop \
	clean-images push-image push-multiarch lint-images test-images

build-image: build-runner-image build-operator-image ## Build the runner and operator images (GT_REF=<ref> adds GradientTracer)

build-runner-image: ## Build the runner image (RUNNER_IMAGE)
	$(require-engine)
	DOCKER_BUILDKIT=1 $(CONTAINER_ENGINE) build $(ENGINE_BUILD_FLAGS) $(RUNNER_BUILD_ARGS) \
	  -t $(RUNNER_IMAGE) -f $(IMAGES_DIR)/runner/Dockerfile $(IMAGES_DIR)/runner

build-operator-image: ## Build the operator image (OPERATOR_IMAGE)
	$(require-engine)
	DOCKER_BUILDKIT=1 $(CONTAINER_ENGINE) build $(ENGINE_BUILD_FLAGS) $(OPERATOR_BUILD_ARGS) \
	  -t $(OPERATOR_IMAGE) -f $(GRA_ROOT)/Dockerfile $(GRA_ROOT)

run-local: ## Run the runner image detached: ssh -p SSH_PORT runner@localhost, workspace in a volume
	$(require-engine)
	@if [ -z "$(AUTHORIZED_KEYS_FILE)" ]; then echo "note: no ~/.ssh/*.pub found; sshd stays off (set AUTHORIZED_KEYS_FILE)"; fi
	$(CONTAINER_ENGINE) run -d --name $(RUNNER_CONTAINER) -p $(SSH_PORT):2222 \
	  -v $(WORKSPACE_VOLUME):/workspace \
	  $(if $(AUTHORIZED_KEYS_FILE),-e GRA_AUTHORIZED_KEYS="$$(cat $(AUTHORIZED_KEYS_FILE))") \
	  $(RUNNER_IMAGE)
	@echo "started $(RUNNER_CONTAINER); try: ssh -p $(SSH_PORT) runner@localhost python3 -V"

test-image: ## Smoke-test the built runner image: health check, imports, gra-run, sshd config
	$(require-engine)
	$(CONTAINER_ENGINE) run --rm --entrypoint healthcheck $(RUNNER_IMAGE)
	$(CONTAINER_ENGINE) run --rm $(RUNNER_IMAGE) python -c "import pandas, s3fs; print('pandas', pandas.__version__, 's3fs', s3fs.__version__)"
	$(CONTAINER_ENGINE) run --rm -e GRA_TERMINATION_LOG=/tmp/termination-log $(RUNNER_IMAGE) \
	  gra-run --artifact-dir /tmp/out --command python -- -c "print(6*7)"
	$(CONTAINER_ENGINE) run --rm --entrypoint bash $(RUNNER_IMAGE) -c \
	  'ssh-keygen -q -t ed25519 -N "" -f /tmp/k && GRA_SSH=on GRA_AUTHORIZED_KEYS="$$(cat /tmp/k.pub)" gra-runner sh -c "sleep 2 && healthcheck --ssh"'
	@test "$$($(CONTAINER_ENGINE) image inspect -f '{{ .Config.User }}' $(RUNNER_IMAGE))" = "1000:1000" && echo "runs as 1000:1000"
	@$(CONTAINER_ENGINE) image inspect -f '{{ index .Config.Labels "dev.gra.created-by" }}' $(RUNNER_IMAGE) | grep -qx gra && echo "labelled dev.gra.created-by=gra"

logs: ## Follow the log of the run-local container
	$(require-engine)
	$(CONTAINER_ENGINE) logs -f $(RUNNER_CONTAINER)

stop: ## Stop and remove the run-local container (the workspace volume stays)
	$(require-engine)
	-$(CONTAINER_ENGINE) rm -f $(RUNNER_CONTAINER)

clean-images: ## Remove the run-local container and the built images (the workspace volume stays)
	@if [ -n "$(CONTAINER_ENGINE)" ]; then \
	  $(CONTAINER_ENGINE) rm -f $(RUNNER_CONTAINER) >/dev/null 2>&1; \
	  $(CONTAINER_ENGINE) rmi $(RUNNER_IMAGE) $(OPERATOR_IMAGE) >/dev/null 2>&1; \
	  echo "cleaned up $(RUNNER_CONTAINER) and the $(VERSION) images; the volume $(WORKSPACE_VOLUME) stays ($(CONTAINER_ENGINE) volume rm $(WORKSPACE_VOLUME))"; \
	fi; true

# `make clean` (top-level) also cleans the images.
clean: clean-images

push-image: ## Push both images to REGISTRY
	$(require-engine)
	$(CONTAINER_ENGINE) push $(RUNNER_IMAGE)
	$(CONTAINER_ENGINE) push $(OPERATOR_IMAGE)

push-multiarch: ## Build and push both images for PLATFORMS (docker buildx, or podman manifests)
	$(require-engine)
ifeq ($(CONTAINER_ENGINE),podman)
	podman manifest rm $(RUNNER_IMAGE) 2>/dev/null || true
	podman build --format docker --platform $(PLATFORMS) --manifest $(RUNNER_IMAGE) $(RUNNER_BUILD_ARGS) \
	  -f $(IMAGES_DIR)/runner/Dockerfile $(IMAGES_DIR)/runner
	podman manifest push --all $(RUNNER_IMAGE) docker://$(RUNNER_IMAGE)
	podman manifest rm $(OPERATOR_IMAGE) 2>/dev/null || true
	podman build --format docker --platform $(PLATFORMS) --manifest $(OPERATOR_IMAGE) $(OPERATOR_BUILD_ARGS) \
	  -f $(GRA_ROOT)/Dockerfile $(GRA_ROOT)
	podman manifest push --all $(OPERATOR_IMAGE) docker://$(OPERATOR_IMAGE)
else
	docker buildx build --platform $(PLATFORMS) --push $(RUNNER_BUILD_ARGS) -t $(RUNNER_IMAGE) \
	  -f $(IMAGES_DIR)/runner/Dockerfile $(IMAGES_DIR)/runner
	docker buildx build --platform $(PLATFORMS) --push $(OPERATOR_BUILD_ARGS) -t $(OPERATOR_IMAGE) \
	  -f $(GRA_ROOT)/Dockerfile $(GRA_ROOT)
endif

lint-images: ## Lint both Dockerfiles (hadolint) and the runner's shell scripts (shellcheck)
	$(HADOLINT) $(GRA_ROOT)/Dockerfile $(IMAGES_DIR)/runner/Dockerfile
	$(SHELLCHECK) $(RUNNER_SCRIPTS)

test-images: ## Test the runner's entrypoint, sshd config, health check and gra-run here (no engine needed)
	$(PYTHON) -m pytest -q $(GRA_ROOT)/tests/images

e2e: ## End-to-end checks against the current kubeconfig's cluster (skipped without one)
	$(GRA_ROOT)/hack/e2e.sh

emulate-runner-image: ## Without an engine (root, debootstrap): build the runner image's root from its Dockerfile and smoke-test it
	$(GRA_ROOT)/hack/emulate-runner-image.sh
