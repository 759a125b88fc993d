#!/bin/sh
# The image's entry point: the service is chosen by the command (`docker run IMAGE poller`), or by
# SERVICE when no command is given (Kubernetes and compose set it); `rc …` runs the command line.
set -e
app="${RC_APP_DIR:-/app}"
case "${1:-}" in
  sender | poller | verifier | task-updater | all-in-one)
    service="$1"
    shift
    exec node --enable-source-maps "$app/dist/$service/main.js" "$@"
    ;;
  rc)
    shift
    exec node --enable-source-maps "$app/dist/rc/main.js" "$@"
    ;;
  "")
    exec node --enable-source-maps "$app/dist/${SERVICE:-all-in-one}/main.js"
    ;;
  *)
    exec "$@"
    ;;
esac
