# Sourced by the project's scripts: puts Node 24 first on PATH when the machine's node is older than 22.
# The npm registry's `node` package installs it into the git-ignored .tools/node folder.
# shellcheck shell=bash
_chatroom_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_chatroom_node_bin="$_chatroom_root/.tools/node/node_modules/.bin"
_chatroom_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ -x "$_chatroom_node_bin/node" ]; then
  export PATH="$_chatroom_node_bin:$PATH"
fi
if [ "$(_chatroom_node_major)" -lt 22 ]; then
  echo "chatroom: node $(node --version 2>/dev/null || echo none) is older than 22; installing Node 24 into .tools/node" >&2
  npm install --silent --no-audit --no-fund --prefix "$_chatroom_root/.tools/node" node@24 >&2 || {
    echo "chatroom: could not install Node 24 from the npm registry" >&2
    return 1 2>/dev/null || exit 1
  }
  export PATH="$_chatroom_node_bin:$PATH"
  if [ "$(_chatroom_node_major)" -lt 22 ]; then
    echo "chatroom: Node 24 was installed but node on PATH is still $(node --version)" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
# kafkajs triggers a harmless TimeoutNegativeWarning on Node 24 (a negative throttle delay).
export NODE_OPTIONS="${NODE_OPTIONS:-} --disable-warning=ExperimentalWarning --disable-warning=TimeoutNegativeWarning"
