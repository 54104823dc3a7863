# cohost: a static binary on a minimal image, run as an unprivileged user.
#
#   docker build -t cohost .
#   docker run --rm -p 7800:7800/tcp -p 7801:7801/udp -v cohost-data:/var/lib/cohost \
#     -e COHOST_ADVERTISE_IP=203.0.113.10 cohost
#
# See docs/deploy.md for the ports, TLS and the checklist before going public.

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/cohost ./cmd/cohost \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cohost /usr/local/bin/cohost
COPY --from=build --chown=65532:65532 /out/data /var/lib/cohost
USER 65532:65532
ENV COHOST_LISTEN=0.0.0.0:7800 \
    COHOST_MEDIA_PORT=7801 \
    COHOST_DATA_DIR=/var/lib/cohost
VOLUME ["/var/lib/cohost"]
EXPOSE 7800/tcp 7801/udp 3478/udp 3478/tcp
ENTRYPOINT ["/usr/local/bin/cohost", "serve"]
