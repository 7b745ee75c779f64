#!/usr/bin/env bash
# Builds the test cluster's images with buildah and exports them for containerd (scripts/k8s/cluster), with no
# Docker engine and no image registry:
#   chatroom.local/node:24        a Debian bookworm base made with debootstrap from the machine's Debian mirror,
#                                 plus the Node 24 of scripts/ensure-node.sh and npm from the npm registry: stands in
#                                 for node:24-bookworm-slim, which no reachable registry serves
#   chatroom.local/chatroom:dev   the repository's Dockerfile (target runtime) built FROM that base
#   chatroom.local/pause:1        the pods' sandbox image: scripts/k8s/kube/pause on an empty image
# Layers are cached in .tools/k8s/containers (buildah --layers): a rebuild after a source edit only redoes the COPY
# layers. The exported tarballs go to .tools/k8s/images, rewritten only when an image changed. The build reaches the
# npm registry and the Debian mirror through the machine's CA bundle (a TLS-inspecting proxy may sit in between),
# mounted for the build's RUN steps only: nothing of it ends up in an image.
# Usage: bash scripts/k8s/images.sh   (root; install-tools.sh --cluster first: buildah, debootstrap, the pause binary)
set -euo pipefail

NPM_VERSION=11.19.1
DEBIAN_SUITE=bookworm

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$root/.tools/k8s"
images="$tools/images"
work="$tools/image-build"
# The run root (locks, mount state) is per checkout too: two checkouts may build at the same time.
runroot="/run/chatroom-buildah-$(echo "$tools" | sha256sum | cut -c1-12)"
buildah=(buildah --root "$tools/containers/storage" --runroot "$runroot" --storage-driver overlay)

say() { echo "images: $*" >&2; }
fail() {
  echo "images: ERROR: $*" >&2
  exit 1
}

command -v buildah >/dev/null || fail "buildah is missing: run bash scripts/k8s/install-tools.sh --cluster"
command -v debootstrap >/dev/null || fail "debootstrap is missing: run bash scripts/k8s/install-tools.sh --cluster"
[ -x "$tools/bin/pause" ] || fail "$tools/bin/pause is missing: run bash scripts/k8s/install-tools.sh --cluster"
# shellcheck source=scripts/ensure-node.sh
source "$root/scripts/ensure-node.sh"
mkdir -p "$images" "$work"

image_id() { "${buildah[@]}" images --noheading --no-trunc --format '{{.ID}}' "$1" 2>/dev/null | head -n1; }

# The Debian mirror the machine's apt uses for the suite (the build never names a host of its own).
debian_mirror() {
  apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
    awk -v suite="$DEBIAN_SUITE" '$2 == suite && $1 !~ /security/ { print $1; exit }'
}

build_node_base() {
  local node_bin want
  node_bin="$(command -v node)"
  want="debootstrap $DEBIAN_SUITE minbase ca-certificates | node $(node --version) | npm $NPM_VERSION"
  if [ -n "$(image_id chatroom.local/node:24)" ] && [ "$(cat "$work/node-base.stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local mirror started
  started=$(date +%s)
  mirror="$(debian_mirror)"
  [ -n "$mirror" ] || fail "no Debian mirror for $DEBIAN_SUITE in the machine's apt sources (apt-get update first)"
  say "debootstrap $DEBIAN_SUITE from $mirror (a few minutes the first time)"
  rm -rf "$work/rootfs"
  debootstrap --variant=minbase --include=ca-certificates "$DEBIAN_SUITE" "$work/rootfs" "$mirror" \
    >"$work/debootstrap.log" 2>&1 || {
    tail -n 30 "$work/debootstrap.log" >&2
    fail "debootstrap failed (log: $work/debootstrap.log)"
  }
  # The official image's layout: node in /usr/local/bin, npm in /usr/local/lib/node_modules.
  install -D -m 0755 "$(readlink -f "$node_bin")" "$work/rootfs/usr/local/bin/node"
  npm install --global --silent --no-audit --no-fund --prefix "$work/rootfs/usr/local" "npm@$NPM_VERSION" ||
    fail "npm install npm@$NPM_VERSION failed"
  rm -rf "$work/rootfs/var/cache/apt/archives"/*.deb "$work/rootfs/var/lib/apt/lists"/*
  local container
  container="$("${buildah[@]}" from scratch)"
  # Through the container's mount with tar: owners, modes and special files of the root filesystem are kept.
  tar -C "$work/rootfs" -cf - . | tar -C "$("${buildah[@]}" mount "$container")" -xpf -
  "${buildah[@]}" umount "$container" >/dev/null
  "${buildah[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd node "$container"
  "${buildah[@]}" commit --quiet --rm "$container" chatroom.local/node:24 >/dev/null
  rm -rf "$work/rootfs"
  echo "$want" >"$work/node-base.stamp"
  say "chatroom.local/node:24 ready in $(($(date +%s) - started)) s"
}

build_chatroom() {
  local started npmrc
  started=$(date +%s)
  npmrc="$work/npmrc"
  printf 'cafile=/etc/ssl/certs/ca-certificates.crt\nregistry=%s\nfund=false\naudit=false\nupdate-notifier=false\n' \
    "$(npm config get registry)" >"$npmrc"
  say "building chatroom.local/chatroom:dev from the Dockerfile (buildah; cached layers are reused)"
  "${buildah[@]}" bud --layers --network host --pull=never --target runtime \
    --build-arg NODE_IMAGE=chatroom.local/node:24 \
    --volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro \
    --volume "$npmrc:/root/.npmrc:ro" \
    --tag chatroom.local/chatroom:dev "$root" >"$work/chatroom-build.log" 2>&1 || {
    tail -n 40 "$work/chatroom-build.log" >&2
    fail "buildah bud failed (log: $work/chatroom-build.log)"
  }
  say "chatroom.local/chatroom:dev built in $(($(date +%s) - started)) s"
}

build_pause() {
  local want
  want="$(sha256sum "$tools/bin/pause" | cut -c1-16)"
  if [ -n "$(image_id chatroom.local/pause:1)" ] && [ "$(cat "$work/pause.stamp" 2>/dev/null)" = "$want" ]; then
    return 0
  fi
  local container
  container="$("${buildah[@]}" from scratch)"
  "${buildah[@]}" copy --quiet "$container" "$tools/bin/pause" /pause >/dev/null
  "${buildah[@]}" config --entrypoint '["/pause"]' --user 65535:65535 "$container"
  "${buildah[@]}" commit --quiet --rm "$container" chatroom.local/pause:1 >/dev/null
  echo "$want" >"$work/pause.stamp"
}

# Writes images/<name>.tar (docker-archive, what `ctr images import` reads) when the image changed.
export_image() {
  local name=$1 ref=$2 id
  id="$(image_id "$ref")"
  [ -n "$id" ] || fail "$ref was not built"
  if [ -f "$images/$name.tar" ] && [ "$(cat "$images/$name.id" 2>/dev/null)" = "$id" ]; then
    return 0
  fi
  rm -f "$images/$name.tar" "$images/$name.id"
  "${buildah[@]}" push --quiet "$ref" "docker-archive:$images/$name.tar:$ref" >/dev/null ||
    fail "buildah push $ref failed"
  echo "$id" >"$images/$name.id"
  say "exported $ref to $images/$name.tar ($(du -h "$images/$name.tar" | cut -f1))"
}

build_node_base
build_pause
build_chatroom
export_image pause chatroom.local/pause:1
export_image chatroom chatroom.local/chatroom:dev
# Leave no mount behind in the checkout: buildah keeps working containers' layers and its overlay folder mounted.
"${buildah[@]}" umount --all >/dev/null 2>&1 || true
# (awk rather than grep: no match is not a failure under pipefail.)
awk -v dir=" $tools/containers/storage/" 'index($0, dir) { print $5 }' /proc/self/mountinfo | sort -r |
  while read -r point; do
    umount "$point" 2>/dev/null || umount -l "$point" || true
  done
