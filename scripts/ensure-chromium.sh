# Sourced by test.sh: the browser test drives Debian's Chromium at /usr/bin/chromium. Installs it when missing and
# possible (root with apt-get); otherwise fails loudly — the browser test is never skipped.
# shellcheck shell=bash
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "chatroom: installing Debian's chromium for the browser test" >&2
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 || {
      echo "chatroom: could not install chromium" >&2
      return 1 2>/dev/null || exit 1
    }
  else
    echo "chatroom: the browser test needs Chromium at /usr/bin/chromium (Debian: apt-get install chromium)" >&2
    return 1 2>/dev/null || exit 1
  fi
fi
