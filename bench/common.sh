# Shared by the bench scripts: build, a private benchmark database with the sample, and helpers
# to start crimemapd. Source it; it sets $repo, $bin and CRIMEMAP_DATABASE_URL.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$repo/build/release"
export CRIMEMAP_DB_PORT="${CRIMEMAP_BENCH_DB_PORT:-54389}"
export CRIMEMAP_DB_DIR="${CRIMEMAP_BENCH_DB_DIR:-/tmp/crimemap-bench-pg}"

bench_build() {
  (cd "$repo" && scripts/setup >/dev/null && cmake --preset release >/dev/null &&
   cmake --build --preset release -j "$(nproc)" --target crimemap crimemapd >/dev/null)
}

# A private database holding the sample (seeded once, reused by later runs).
bench_sample_db() {
  "$repo/scripts/db" start >/dev/null
  export CRIMEMAP_DATABASE_URL="$("$repo/scripts/db" url)"
  "$bin/tools/crimemap" migrate >/dev/null
  if [ "$("$bin/tools/crimemap" status --crimes)" = "0" ]; then "$bin/tools/crimemap" seed "$repo/data/sample" >/dev/null; fi
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# start_server PORT [crimemapd flags...]: starts crimemapd in the background, waits for /ready.
start_server() {
  local port="$1"; shift
  "$bin/server/crimemapd" --host 127.0.0.1 --port "$port" "$@" >"/tmp/crimemapd-bench-$port.log" 2>&1 &
  echo $! >"/tmp/crimemapd-bench-$port.pid"
  for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "crimemapd on $port did not become ready; log:" >&2; tail -20 "/tmp/crimemapd-bench-$port.log" >&2; return 1
}
stop_server() { local pid; pid="$(cat "/tmp/crimemapd-bench-$1.pid" 2>/dev/null || true)"; [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; }
