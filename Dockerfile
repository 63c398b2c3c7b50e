# Multi-stage build of a static pinggu binary (pure Go: FerretDB's SQLite is
# modernc.org/sqlite, so no cgo is needed).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/pinggu ./cmd/pinggu

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/pinggu /usr/local/bin/pinggu
# Only used when PINGGU_MONGO_URI is empty (embedded FerretDB).
ENV PINGGU_DATA_DIR=/data
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/pinggu"]
CMD ["serve"]
