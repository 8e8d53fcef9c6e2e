#!/usr/bin/env bash
# Makes a stand-in for the golang:1.26-bookworm image where no image
# registry is reachable (as on Lucid's CI machines): Debian bookworm from
# Debian's own packages (debootstrap), with ca-certificates, tzdata and git
# as the official image has them, and the Go toolchain of this machine.
#
#   deploy/go-base-image.sh [TAG]     (default lucid-go-base:local)
#
# Needs root, debootstrap, a running Docker daemon and Go 1.26 on PATH.
set -euo pipefail
tag=${1:-lucid-go-base:local}
goroot=$(go env GOROOT)
case $(go env GOVERSION) in go1.26*) ;; *) echo "need Go 1.26, have $(go env GOVERSION)" >&2; exit 1 ;; esac

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
debootstrap --variant=minbase --include=ca-certificates,tzdata,git \
  bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
  { tail -20 "$work/debootstrap.log" >&2; exit 1; }
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb
# This machine's trust store: a TLS-inspecting proxy in front of the
# module mirror is then trusted inside the build as it is outside.
cp /etc/ssl/certs/ca-certificates.crt "$work/rootfs/etc/ssl/certs/ca-certificates.crt"
mkdir -p "$work/rootfs/usr/local"
cp -a "$goroot" "$work/rootfs/usr/local/go"
tar -C "$work/rootfs" -c . | docker import \
  --change 'ENV PATH=/usr/local/go/bin:/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV GOPATH=/go' \
  --change 'WORKDIR /go' \
  - "$tag" >/dev/null
echo "$tag"
