#!/usr/bin/env bash
# The one command that brings the whole system up locally and runs a real round trip:
# local Redis, Dovecot and SMTP are started for you, then the four services, then a request,
# an email, a click, and the engine's webhook, each stage printed with its time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
exec pnpm --silent demo "$@"
