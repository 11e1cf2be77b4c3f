#!/bin/sh
# Installs wrk, the native HTTP load generator the benchmarks drive intake with (a
# Python client saturates near 700 requests/s here and would measure itself, not the
# API). Debian's package. Idempotent: does nothing when wrk is on the PATH. Needs root
# (or sudo) and apt-get.
set -eu
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-wrk: no apt-get here; install wrk (https://github.com/wg/wrk) so it is on the PATH" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq wrk >/dev/null
command -v wrk >/dev/null
