#!/usr/bin/env bash
# Ensures the AWS CLI from Debian's package (/usr/bin/aws, v2) is present: the backup and drill tests run the
# scripts drkit puts in its CronJobs, which upload and fetch with it, against a loopback S3 stand-in. Another
# `aws` earlier on PATH (a pip install of v1) is not the one the tests use.
set -euo pipefail
if [ -x /usr/bin/aws ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "the AWS CLI is not installed at /usr/bin/aws and this is not root: apt-get install awscli" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends awscli >/dev/null
