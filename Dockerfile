# Multi-stage build: a static zapgate binary on a distroless base.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/zapgate ./cmd/zapgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/zapgate /zapgate
ENV ZAPGATE_HTTP_ADDR=:8080 ZAPGATE_STORAGE=file:///data/media
VOLUME /data
EXPOSE 8080
# Liveness: GET /healthz; readiness: GET /readyz (Postgres and RabbitMQ answer).
ENTRYPOINT ["/zapgate"]
CMD ["serve"]
