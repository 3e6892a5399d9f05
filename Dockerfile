# syntax=docker/dockerfile:1
#
# Tally in one static binary on a distroless image.
#   docker build -t tally .
#   docker run -p 8080:8080 tally demo        # fresh demo database, throwaway
#   docker run -p 8080:8080 -e TALLY_DATABASE_URL=postgres://… tally   # serve

FROM golang:1.26 AS build
WORKDIR /src
# Modules first, so that editing the code does not download them again.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
    -o /out/tally ./cmd/tally \
 && mkdir -p /out/data

# distroless/static: CA certificates, tzdata, /tmp and a nonroot user; no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tally /usr/local/bin/tally
# A writable home for the default embedded SQLite database.
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
ENV TALLY_ADDR=0.0.0.0:8080 \
    TALLY_DATABASE_URL=sqlite:///data/tally.db
VOLUME ["/data"]
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["tally"]
CMD ["serve"]
