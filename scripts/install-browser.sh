#!/bin/sh
# Installs the browser the real-browser test drives (Debian's chromium; Playwright's
# own browser download cannot work offline). Idempotent: does nothing when
# /usr/bin/chromium exists. Needs root (or sudo) and apt-get.
set -eu
if [ -x /usr/bin/chromium ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-browser: no apt-get here; install chromium so that /usr/bin/chromium exists" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null
test -x /usr/bin/chromium
