# The prober image, for linux/amd64 and linux/arm64: the release's single executable (Node 24 embedded) on a
# minimal glibc base with libstdc++ and nothing else — no shell, no package manager — as a non-root user.
#
#   npm ci && npm run release -- --platforms linux-x64,linux-arm64     # makes dist/release/*.tar.gz
#   docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/prober-dev/prober:0.1.0 .
#
# The tag must match `prober --version`, and the repository the one the binary was built with
# (PROBER_IMAGE_REPO, default ghcr.io/prober-dev/prober): `prober run` starts agents with
# --image <that repository>:<its own version> unless told otherwise.
# test/release/dockerfile.test.ts checks these rules, since no container engine runs on the build machines.

# Set by BuildKit for each platform built: amd64 or arm64.
ARG TARGETARCH
# The release's version: the archives are named after it.
ARG VERSION=0.1.0

# One stage per architecture, named after TARGETARCH, that only unpacks that architecture's archive (ADD
# unpacks a local .tar.gz); the image below copies from the one BuildKit picks. No RUN: no shell needed.
FROM scratch AS release-amd64
ARG VERSION
ADD dist/release/prober-${VERSION}-linux-x64.tar.gz /release/

FROM scratch AS release-arm64
ARG VERSION
ADD dist/release/prober-${VERSION}-linux-arm64.tar.gz /release/

FROM release-${TARGETARCH} AS release

# distroless "cc" (glibc, libstdc++, CA certificates, /etc/passwd with nonroot), pinned by the digest of
# its multi-arch index, so every rebuild starts from the same bytes; update the digest deliberately.
FROM gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f

ARG VERSION
LABEL org.opencontainers.image.title="prober" \
      org.opencontainers.image.description="Proves what Kubernetes network policies and service-mesh authorization really allow" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"

# On PATH, so agents can be started as `prober agent` (what `prober run` puts in the container's command).
COPY --from=release /release/prober /usr/local/bin/prober
# The licence and the notices of everything inside the binary (Node and the bundled npm packages).
COPY --from=release /release/LICENSE /release/THIRD-PARTY-NOTICES.txt /usr/share/doc/prober/

# Numeric, so the kubelet can enforce runAsNonRoot (distroless "nonroot" is 65532).
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/prober"]
CMD ["--help"]
