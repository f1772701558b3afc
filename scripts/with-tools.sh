#!/usr/bin/env bash
# Runs a command with the Terraform engine chosen by scripts/engine.ts: CDKTF_AIC_TERRAFORM, else a
# terraform or tofu >= 1.5 on PATH, else the offline build of install-terraform.sh (the only case
# that needs Go). Used by `npm start`, `npm test` and `npm run bench`; the engine is announced once
# on stderr and exported as CDKTF_AIC_TERRAFORM (an absolute path) for the command.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exports="$(node "$here/../node_modules/tsx/dist/cli.mjs" "$here/engine.ts" --shell)"
eval "$exports"
exec "$@"
