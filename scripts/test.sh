#!/usr/bin/env bash
# The one command that runs all tests on a fresh machine: installs what is missing, then
# type-checks, lints and runs every test (unit and integration on real Redis/Dovecot/SMTP).
set -euo pipefail
cd "$(dirname "$0")/.."
RC_BOOTSTRAP_CHROMIUM=1 bash scripts/bootstrap.sh
pnpm typecheck
pnpm lint
pnpm format:check
pnpm test
