#!/usr/bin/env bash
# Installs what the tests and the demo need when it is absent: redis-server and Dovecot
# (Debian packages; root runs apt-get, others get told what to run), promtool and
# docker-compose for the deploy/ checks, pnpm, node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v dovecot >/dev/null 2>&1 || missing+=(dovecot-imapd)
[ -x /usr/lib/dovecot/lmtp ] || missing+=(dovecot-lmtpd)
# only their binaries are used (promtool test rules, docker-compose config): no Docker engine
tools=()
command -v promtool >/dev/null 2>&1 || tools+=(prometheus)
command -v docker-compose >/dev/null 2>&1 || tools+=(docker-compose)
if [ "${RC_BOOTSTRAP_CHROMIUM:-0}" = 1 ] && ! command -v chromium >/dev/null 2>&1; then missing+=(chromium); fi
# a Japanese face, or the Japanese request email's screenshots show empty boxes for every glyph
if [ "${RC_BOOTSTRAP_CHROMIUM:-0}" = 1 ] && [ ! -d /usr/share/fonts/opentype/ipafont-gothic ]; then missing+=(fonts-ipafont-gothic); fi
if [ $((${#missing[@]} + ${#tools[@]})) -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "bootstrap: installing ${missing[*]} ${tools[*]}"
    apt-get update -qq
    # Debian's maintainer scripts would start system-wide services; our tests start their own.
    if [ ${#missing[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    # without recommends: docker-compose would bring a Docker engine the tests never run
    if [ ${#tools[@]} -gt 0 ]; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${tools[@]}" >/dev/null
    fi
  elif [ ${#missing[@]} -gt 0 ]; then
    echo "bootstrap: missing ${missing[*]} ${tools[*]}; run: sudo apt-get install -y ${missing[*]} ${tools[*]}" >&2
    exit 1
  else
    # the deploy tests skip their binary checks without them, saying so
    echo "bootstrap: without ${tools[*]} some deploy/ checks are skipped; run: sudo apt-get install -y --no-install-recommends ${tools[*]}" >&2
  fi
fi

# corepack's pnpm shim fails on machines whose npm registry lacks signed metadata; npm's works.
if ! COREPACK_ENABLE_DOWNLOAD_PROMPT=0 pnpm --version >/dev/null 2>&1; then
  echo "bootstrap: installing pnpm"
  corepack disable pnpm >/dev/null 2>&1 || true
  npm install -g pnpm@9.15.9 >/dev/null 2>&1
  hash -r
fi

pnpm install --frozen-lockfile --reporter=silent
