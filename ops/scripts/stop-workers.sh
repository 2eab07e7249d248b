#!/usr/bin/env bash
# Stop the local workers that start-workers.sh started (all, or one stage's): SIGTERM, so each drains —
# finishes the steps in hand, commits and leaves its group — then waits for them to exit.
#
#   ops/scripts/stop-workers.sh [STAGE]
set -euo pipefail
run_dir="${SLUICE_RUN_DIR:-$PWD/data/local-workers}"
pattern="*-stage${1:-*}-w*.pid"
shopt -s nullglob
pids=()
for pid_file in "$run_dir"/pids/$pattern; do
  pid="$(cat "$pid_file")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    pids+=("$pid")
    echo "stopping $(basename "$pid_file" .pid) (pid $pid)"
  fi
  rm -f "$pid_file"
done
for pid in "${pids[@]}"; do
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then echo "pid $pid still runs after 60 s" >&2; fi
done
