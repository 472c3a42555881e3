#!/bin/sh
# Set-up for the server benchmark: Debian's wrk load generator, installed only when missing.
# Needs root or sudo (apt-get). Everything else the benchmarks need is in .venv.
set -eu
if command -v wrk >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq wrk
