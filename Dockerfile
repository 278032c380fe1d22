# syntax=docker/dockerfile:1
# The gra operator image: gra-operator and kubectl-gra, built in release mode with the Swift
# standard library (and Foundation) linked statically, on a distroless runtime with no shell,
# running as the non-root user 65532.
#
#   docker build -t gra-operator:dev .
#
# Both bases are pinned by tag; release builds should add the digests
# (--build-arg SWIFT_IMAGE=swift:6.3-bookworm@sha256:... RUNTIME_IMAGE=...@sha256:...).
# The builder and the runtime are both Debian 12, so the few shared libraries copied from the
# builder match the runtime's C library.
ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

FROM ${SWIFT_IMAGE} AS builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /src
# Resolve (and cache) the dependencies before the sources change.
COPY Package.swift Package.resolve[d] ./
RUN swift package resolve
COPY Sources ./Sources
RUN --mount=type=cache,target=/src/.build,id=gra-swift-build \
    swift build -c release --static-swift-stdlib --product gra-operator \
 && swift build -c release --static-swift-stdlib --product kubectl-gra \
 && bin=$(swift build -c release --show-bin-path) \
 && install -d /out/bin /out/lib \
 && install -m 0755 "${bin}/gra-operator" "${bin}/kubectl-gra" /out/bin/ \
 && for f in /out/bin/*; do echo "== ${f}"; ldd "${f}"; done \
 && ldd /out/bin/* | awk '$2 == "=>" && $3 ~ /^\// {print $3}' | sort -u \
    | { grep -vE '/(libc|libm|libdl|librt|libpthread|libgcc_s|libstdc\+\+|ld-linux[^/]*)\.so' || true; } \
    | xargs -r -I{} cp -L {} /out/lib/ \
 && ls -l /out/lib

FROM ${RUNTIME_IMAGE} AS runtime
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=""
LABEL org.opencontainers.image.title="gra-operator" \
      org.opencontainers.image.description="gra: a Kubernetes operator for Python runners and tracer jobs" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      dev.gra.created-by="gra"
# Shared libraries the binaries need beyond what the cc base ships (none today, typically).
COPY --from=builder /out/lib/ /usr/local/lib/gra/
COPY --from=builder /out/bin/gra-operator /out/bin/kubectl-gra /usr/local/bin/
ENV LD_LIBRARY_PATH=/usr/local/lib/gra
USER 65532:65532
# As manifests/operator/deployment.yaml: 8080 metrics, 8081 /healthz and /readyz, 8443 the exec
# bridge.
EXPOSE 8080 8081 8443
ENTRYPOINT ["/usr/local/bin/gra-operator"]
