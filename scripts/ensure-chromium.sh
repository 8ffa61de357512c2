#!/usr/bin/env bash
# Browser tests drive Debian's Chromium through playwright-core (which never downloads a browser
# of its own). Install it when it is missing; CI runs as root on a Debian machine.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "Chromium is missing: install it with 'sudo apt-get install -y chromium' to run the browser tests." >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends chromium >/dev/null || {
  apt-get update >/dev/null
  apt-get install -y --no-install-recommends chromium >/dev/null
}
/usr/bin/chromium --version
