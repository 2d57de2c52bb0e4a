#!/bin/bash
# Stand-in entrypoint (see Dockerfile). nats-server 2.9 rejects `sync_interval` (2.10+),
# which deploy/nats.conf sets for real deployments: run a copy of the config without it,
# and say so, rather than fail.
set -euo pipefail
args=()
while [[ $# -gt 0 ]]; do
  if [[ "$1" == -c || "$1" == --config ]] && [[ $# -gt 1 ]]; then
    # The whole directory: the config includes files beside it (nats-auth.conf).
    mkdir -p /tmp/nats-conf
    cp -rL "$(dirname "$2")"/. /tmp/nats-conf/
    copy="/tmp/nats-conf/$(basename "$2")"
    grep -v 'sync_interval' "$2" >"$copy"
    if ! cmp -s "$2" "$copy"; then
      echo "stand-in nats-server $(nats-server --version): dropped sync_interval (needs 2.10+) from $2"
    fi
    args+=("$1" "$copy")
    shift 2
  else
    args+=("$1")
    shift
  fi
done
[[ "${args[0]:-}" == nats-server ]] || args=(nats-server "${args[@]}")
exec "${args[@]}"
