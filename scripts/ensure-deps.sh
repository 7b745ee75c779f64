# Sourced after ensure-node.sh: installs npm dependencies with the node that will run them, when the lock
# file changed since the last install (or node_modules is missing).
# shellcheck shell=bash
_chatroom_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_chatroom_stamp="$_chatroom_root/node_modules/.chatroom-install-stamp"
_chatroom_want="$(node --version) $(sha256sum "$_chatroom_root/package-lock.json" | cut -c1-16)"
if [ ! -f "$_chatroom_stamp" ] || [ "$(cat "$_chatroom_stamp")" != "$_chatroom_want" ]; then
  echo "chatroom: installing npm dependencies with node $(node --version)" >&2
  (cd "$_chatroom_root" && npm ci --no-audit --no-fund >&2) || {
    echo "chatroom: npm ci failed" >&2
    return 1 2>/dev/null || exit 1
  }
  echo "$_chatroom_want" > "$_chatroom_stamp"
fi
