#!/usr/bin/env bash
# Ensures shellcheck (Debian's package) is present: the failover tests lint the shell drkit generates
# (break-glass, the failover stack's ARC switch) with it.
set -euo pipefail
if command -v shellcheck >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "shellcheck is not installed and this is not root: apt-get install shellcheck" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends shellcheck >/dev/null
