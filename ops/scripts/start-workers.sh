#!/usr/bin/env bash
# Start N local worker processes for one stage, without containers: each is a `sluice worker` in the
# background with its own worker id (stable across restarts, so it gets its lanes back warm), its own
# block-cache directory and its own metrics port. They join the stage's consumer group and share its lanes.
#
#   ops/scripts/start-workers.sh STAGE LAYERS N [more `sluice worker` flags...]
#   ops/scripts/start-workers.sh 0 0-2 2 --bootstrap-servers localhost:9092
#   ops/scripts/start-workers.sh 1 3-4 2 --bootstrap-servers localhost:9092
#   ops/scripts/stop-workers.sh            # SIGTERM: each drains (finishes its steps, commits, leaves the group)
#
# Environment: SLUICE_MODEL (default: the repo's models/stories260K), SLUICE_RUN_DIR (logs, pids and caches;
# default ./data/local-workers), SLUICE_METRICS_PORT_BASE (default 9400: worker i of stage K serves
# /metrics on BASE + 100*K + i), SLUICE (the command to run; default the repo's ./sluice launcher), and
# every SLUICE_* setting `sluice worker` reads (e.g. SLUICE_BOOTSTRAP_SERVERS).
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
stage="$1"; layers="$2"; count="$3"; shift 3
case "$stage$count" in *[!0-9]*) echo "STAGE and N must be numbers" >&2; exit 2;; esac

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
model="${SLUICE_MODEL:-$repo/models/stories260K}"
run_dir="${SLUICE_RUN_DIR:-$PWD/data/local-workers}"
port_base="${SLUICE_METRICS_PORT_BASE:-9400}"
read -r -a sluice <<< "${SLUICE:-$repo/sluice}"
mkdir -p "$run_dir/logs" "$run_dir/pids" "$run_dir/cache"

if [ -z "${SLUICE:-}" ] && [ "${SLUICE_SKIP_BUILD:-}" != "1" ]; then
  "${sluice[@]}" --version >/dev/null   # build once, before N processes start
  export SLUICE_SKIP_BUILD=1
fi

host="$(hostname | tr -c 'A-Za-z0-9._\n-' '-')"
for i in $(seq 0 $((count - 1))); do
  id="$host-stage$stage-w$i"
  pid_file="$run_dir/pids/$id.pid"
  if [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null; then
    echo "worker $id already runs (pid $(cat "$pid_file"))"
    continue
  fi
  port=$((port_base + 100 * stage + i))
  nohup "${sluice[@]}" worker --stage "$stage" --layers "$layers" --model "$model" --worker-id "$id" \
    --data-dir "$run_dir/cache/$id" --metrics-port "$port" "$@" > "$run_dir/logs/$id.log" 2>&1 &
  echo $! > "$pid_file"
  echo "started worker $id (pid $!, metrics on :$port, log $run_dir/logs/$id.log)"
done
