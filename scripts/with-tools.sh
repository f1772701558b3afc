#!/usr/bin/env bash
# Runs a command with Terraform (built offline by install-terraform.sh) and the null provider mirror
# wired in. Used by `npm test` and `npm start`, so both work on a fresh machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
env_file="$(bash "$here/install-terraform.sh")"
# shellcheck disable=SC1090
source "$env_file"
exec "$@"
