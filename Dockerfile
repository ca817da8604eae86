# The prober image: the single executable (dist/prober, Node 24 embedded) on a minimal glibc base that
# has libstdc++ and nothing else — no shell, no package manager — running as a non-root user.
#
#   npm ci && npm run build          # makes dist/prober
#   docker build -t ghcr.io/prober-dev/prober:0.1.0 .
#
# The tag must match `prober --version`: `prober run` starts agents with --image
# ghcr.io/prober-dev/prober:<its own version> unless told otherwise.
FROM gcr.io/distroless/cc-debian12:nonroot

LABEL org.opencontainers.image.title="prober" \
      org.opencontainers.image.description="Proves what Kubernetes network policies and service-mesh authorization really allow" \
      org.opencontainers.image.licenses="Apache-2.0"

# On PATH, so agents can be started as `prober agent` (what `prober run` puts in the container's command).
COPY dist/prober /usr/local/bin/prober

# Numeric, so the kubelet can enforce runAsNonRoot (distroless "nonroot" is 65532).
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/prober"]
CMD ["--help"]
