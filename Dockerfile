# syntax=docker/dockerfile:1
# zapgate: a static binary (no cgo) on distroless, running as nonroot.
#   docker build --build-arg VERSION=$(git describe --always --dirty) -t zapgate .
#   docker run -e ZAPGATE_ADMIN_TOKEN=... -e ZAPGATE_DATABASE_URL=... -e ZAPGATE_AMQP_URL=... -p 8080:8080 zapgate

FROM golang:1.26-bookworm AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/zapgate ./cmd/zapgate \
 && mkdir -p /out/data/media

# static-debian12 carries ca-certificates (TLS to WhatsApp, S3, webhooks) and
# tzdata; the binary needs nothing else.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/zapgate /zapgate
# Local-disk media lives under /data, writable by the nonroot user (65532).
# With ZAPGATE_STORAGE=s3://BUCKET the volume stays empty.
COPY --from=build --chown=65532:65532 /out/data /data
ENV ZAPGATE_HTTP_ADDR=:8080 ZAPGATE_STORAGE=file:///data/media
VOLUME /data
USER nonroot:nonroot
EXPOSE 8080
# Health: the image has no shell or curl, so there is no HEALTHCHECK here.
# Probe over HTTP from the orchestrator instead:
#   liveness  GET /healthz  (200 while the process serves)
#   readiness GET /readyz   (200 only when Postgres and RabbitMQ answer within 2 s)
ENTRYPOINT ["/zapgate"]
CMD ["serve"]
