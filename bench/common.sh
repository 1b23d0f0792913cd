# Shared by the bench scripts: build, a private benchmark database with the sample, and helpers
# to start crimemapd. Source it; it sets $repo, $bin and CRIMEMAP_DATABASE_URL.
#   BENCH_BUILD_DIR               build used and (re)built by the benches (default build/bench: its
#                                 own folder, so a rebuild of build/release by someone else never
#                                 swaps the binaries under a running bench)
#   CRIMEMAP_BENCH_DB_PORT/_DIR   the private benchmark cluster (default 54349, /tmp/crimemap-bench-pg:
#                                 away from the dev cluster on 54329 and the tests' 54339)
#   CRIMEMAP_BENCH_DATABASE_URL   use this database instead of the private benchmark cluster
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${BENCH_BUILD_DIR:-$repo/build/bench}"
export CRIMEMAP_DB_PORT="${CRIMEMAP_BENCH_DB_PORT:-54349}"
export CRIMEMAP_DB_DIR="${CRIMEMAP_BENCH_DB_DIR:-/tmp/crimemap-bench-pg}"
# A CRIMEMAP_DATABASE_URL from the caller's shell (the dev database) must not leak into the benches.
unset CRIMEMAP_DATABASE_URL

bench_need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is not installed (scripts/setup installs it)" >&2; exit 1; }
  done
}

# Release build of the two binaries in $bin (tests off: they are not needed and double the build).
# scripts/setup is not run here (it may `npm ci` under someone else's feet); bench_need says what is missing.
bench_build() {
  bench_need cmake
  [ -f "$bin/CMakeCache.txt" ] ||
    cmake -S "$repo" -B "$bin" -DCMAKE_BUILD_TYPE=Release -DCRIMEMAP_BUILD_TESTS=OFF >/dev/null
  cmake --build "$bin" -j "$(nproc)" --target crimemap crimemapd >/dev/null
}

# A private database holding the sample (seeded once, reused by later runs).
bench_sample_db() {
  if [ -n "${CRIMEMAP_BENCH_DATABASE_URL:-}" ]; then
    export CRIMEMAP_DATABASE_URL="$CRIMEMAP_BENCH_DATABASE_URL"
  else
    "$repo/scripts/db" start >/dev/null
    export CRIMEMAP_DATABASE_URL="$("$repo/scripts/db" url)"
  fi
  "$bin/tools/crimemap" migrate >/dev/null
  if [ "$("$bin/tools/crimemap" status --crimes)" = "0" ]; then "$bin/tools/crimemap" seed "$repo/data/sample" >/dev/null; fi
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

# server_role_url URL: the same database as the crimemap_server role crimemapd runs as (created by
# `crimemap migrate`; password from CRIMEMAP_SERVER_PASSWORD, none on the trusting private cluster).
server_role_url() {
  local user="crimemap_server${CRIMEMAP_SERVER_PASSWORD:+:$CRIMEMAP_SERVER_PASSWORD}"
  case "$1" in
    *://*@*) sed -E "s#^([a-z]+://)[^@/]*@#\1${user}@#" <<<"$1" ;;
    *://*) sed -E "s#^([a-z]+://)#\1${user}@#" <<<"$1" ;;
    *) echo "$1" ;;
  esac
}

# start_server PORT [crimemapd flags...]: starts crimemapd in the background (rate limits off
# unless the flags set --rate-limit / --tile-rate-limit), waits for /ready (or, when the database
# holds no dataset yet, for /health: /ready stays 503 then). It connects as crimemap_server, as
# deployed: to --database-url when given, else to CRIMEMAP_DATABASE_URL.
start_server() {
  local port="$1"; shift
  local log="/tmp/crimemapd-bench-$port.log"
  local args=() url="${CRIMEMAP_DATABASE_URL:-}"
  while [ $# -gt 0 ]; do
    if [ "$1" = "--database-url" ]; then url="$2"; shift 2; else args+=("$1"); shift; fi
  done
  [ -z "$url" ] || args+=(--database-url "$(server_role_url "$url")")
  # Benches measure the server, not the rate limiter: limits off unless the bench sets them.
  [[ " ${args[*]} " == *" --rate-limit "* ]] || args+=(--rate-limit 0)
  [[ " ${args[*]} " == *" --tile-rate-limit "* ]] || args+=(--tile-rate-limit 0)
  "$bin/server/crimemapd" --host 127.0.0.1 --port "$port" "${args[@]}" >"$log" 2>&1 &
  echo $! >"/tmp/crimemapd-bench-$port.pid"
  for _ in $(seq 1 6000); do  # up to 10 minutes: national-scale snapshots take a while to load
    curl -sf "http://127.0.0.1:$port/ready" >/dev/null 2>&1 && return 0
    if grep -q "no dataset yet" "$log" 2>/dev/null && curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$(cat "/tmp/crimemapd-bench-$port.pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "crimemapd on $port did not become ready; log:" >&2; tail -20 "$log" >&2; return 1
}
# stop_server PORT: SIGTERM, then wait for the exit (crimemapd finishes in-flight requests).
stop_server() {
  local pid; pid="$(cat "/tmp/crimemapd-bench-$1.pid" 2>/dev/null || true)"
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  wait "$pid" 2>/dev/null || true
  rm -f "/tmp/crimemapd-bench-$1.pid"
}

# json_field NAME: a top-level field of the JSON document on stdin (node: always installed).
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s)[process.argv[1]]))' "$1"; }

# Requests/s from wrk's output on stdin.
wrk_rps() { awk '/^Requests\/sec:/ { print $2 }'; }
