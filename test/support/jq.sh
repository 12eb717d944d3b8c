#!/usr/bin/env bash
# Ensures jq (Debian's package) is present: the Velero restore drill's script reads kubectl's JSON with it, as
# it does in its image, and its test runs it for real.
set -euo pipefail
if command -v jq >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "jq is not installed and this is not root: apt-get install jq" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends jq >/dev/null
