#!/usr/bin/env bash
# scripts/bench_taxii_http.sh BUILD_DIR: the TAXII-over-HTTP benchmark of a real node
# (`detente serve`), driven by wrk with the Lua scripts in bench/taxii_http/. Prints:
#   1. ingest: objects/s of POSTing TAXII_BENCH_OBJECTS (default 1,000,000) new indicators,
#      TAXII_BENCH_PER_POST (1000) per envelope, over 2 connections, into a SQLite node;
#   2. start-up: time from exec of `detente serve` to the first /healthz 200, with the objects
#      stored (and the first TAXII page after it);
#   3. GET: `wrk -t2 -c16 -d${GET_SECONDS}s --latency` of the first page of 100 objects
#      (objects/?limit=100, Basic auth, TAXII Accept): req/s and latency percentiles;
#   4. soak: SOAK_SECONDS (1800) of mixed GET (8 connections) + POST (1 connection, 100
#      objects every 100 ms) with the server's RSS sampled every 10 s (first/last/max);
#   5. ingest again on PostgreSQL 15 (a private cluster in the temp dir, default settings, so
#      fsync on): TAXII_BENCH_PG_OBJECTS (default TAXII_BENCH_OBJECTS) objects.
# SKIP_PG=1 skips 5, SOAK_SECONDS=0 skips 4. Figures and how to read them:
# docs/performance/server.md.
set -euo pipefail

build=$(cd "${1:?usage: scripts/bench_taxii_http.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$build/detente
lua=$root/bench/taxii_http
objects=${TAXII_BENCH_OBJECTS:-1000000}
per_post=${TAXII_BENCH_PER_POST:-1000}
pg_objects=${TAXII_BENCH_PG_OBJECTS:-$objects}
get_seconds=${GET_SECONDS:-30}
soak_seconds=${SOAK_SECONDS:-1800}
pg_bindir=${DETENTE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
password='bench password 1'
auth=$(printf 'bench:%s' "$password" | base64 -w0)

[ -x "$bin" ] || { echo "no $bin: build the detente target first" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is not installed" >&2; exit 2; }
command -v curl >/dev/null || { echo "curl is not installed" >&2; exit 2; }

tmp=$(mktemp -d /tmp/bench_taxii_http.XXXXXX)
chmod 755 "$tmp"  # the postgres user must reach its cluster directory
serve_pid=""
pg_data=""

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
stop_serve() {
  if [ -n "$serve_pid" ]; then
    kill -TERM "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    serve_pid=""
  fi
}
stop_pg() {
  if [ -n "$pg_data" ]; then
    as_pg "$pg_bindir/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null 2>&1 || true
    pg_data=""
  fi
}
cleanup() {
  stop_serve
  [ -n "${KEEP_PG_LOG:-}" ] && cp "$pg/server.log" "$KEEP_PG_LOG"
  stop_pg
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
now_ns() { date +%s%N; }
ms_since() { echo $(( ($(now_ns) - $1) / 1000000 )); }
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$serve_pid/status"; }
# CPU time (user + system) the server process has used, in ms: per-request CPU is a figure the
# other load on a shared machine does not distort the way wall-clock rates are distorted.
clk_tck=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$clk_tck" '{print int(($14 + $15) * 1000 / t)}' "/proc/$serve_pid/stat"; }

# make_node DIR [DATABASE_URL]: init, collection, user with read+write. Sets $coll.
make_node() {
  local dir=$1 db=${2:-}
  "$bin" init --party bench --dir "$dir" 2>/dev/null
  if [ -n "$db" ]; then
    sed -i "s|^database = .*|database = \"$db\"|" "$dir/config.toml"
  fi
  coll=$("$bin" collection add --title bench --json --dir "$dir" | sed 's/.*"id":"\([^"]*\)".*/\1/')
  printf '%s\n' "$password" | "$bin" user add bench --password-stdin --dir "$dir" 2>/dev/null
  "$bin" user grant bench "$coll" --read --write --dir "$dir"
}

# start_serve DIR PORT [--db URL]: starts serve (stderr, with the access log, appended to
# $tmp/serve.err) and waits for /healthz 200. Sets $serve_pid and $startup_ms.
start_serve() {
  local dir=$1 port=$2
  shift 2
  local t0
  t0=$(now_ns)
  "$bin" serve --dir "$dir" --listen "127.0.0.1:$port" "$@" 2>>"$tmp/serve.err" &
  serve_pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; do
    kill -0 "$serve_pid" 2>/dev/null || { echo "serve died:" >&2; tail -5 "$tmp/serve.err" >&2; exit 1; }
  done
  startup_ms=$(ms_since "$t0")
}

# ingest PORT N LABEL: POSTs N objects with post.lua over 2 connections; prints objects/s.
ingest() {
  local port=$1 n=$2 label=$3
  local posts=$(( n / per_post ))
  local per_thread=$(( (posts + 1) / 2 ))
  local done_dir=$tmp/done.$label
  mkdir -p "$done_dir"
  local t0 t1 c0
  c0=$(cpu_ms)
  t0=$(now_ns)
  TAXII_PATH="/api1/collections/$coll/objects/" TAXII_AUTH=$auth OBJECTS_PER_POST=$per_post \
    POSTS_PER_THREAD=$per_thread ID_RUN=$RANDOM DONE_DIR=$done_dir \
    wrk -t2 -c2 -d7200s --timeout 60s -s "$lua/post.lua" "http://127.0.0.1:$port" \
    >"$tmp/wrk_post.$label.out" 2>&1 &
  local wrk_pid=$!
  until [ -f "$done_dir/post_0" ] && [ -f "$done_dir/post_1" ]; do
    kill -0 "$wrk_pid" 2>/dev/null || { cat "$tmp/wrk_post.$label.out" >&2; exit 1; }
    sleep 0.05
  done
  t1=$(now_ns)
  kill -INT "$wrk_pid"
  wait "$wrk_pid" || true
  local failed
  failed=$(cat "$done_dir"/post_* | awk '{s += $2} END {print s}')
  local stored=$(( per_thread * 2 * per_post ))
  local secs
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  echo "ingest[$label]: $stored objects in $((per_thread * 2)) POSTs of $per_post in ${secs} s" \
       "= $(awk -v n="$stored" -v s="$secs" 'BEGIN {printf "%.0f", n / s}') objects/s" \
       "(failed POSTs: $failed; server RSS $(rss_kib) KiB;" \
       "server CPU $(awk -v c="$(( $(cpu_ms) - c0 ))" -v n="$stored" 'BEGIN {printf "%.1f", c * 1000 / n}') us/object)"
  grep POST_RESULT "$tmp/wrk_post.$label.out" || true
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
     "$(free -g | awk '/Mem:/{print $2}') GiB"
echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)  commit: $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo none)"
echo "load before: $(uptime | sed 's/.*load average/load average/')"
echo "objects: $objects ($per_post per POST); temp dir $tmp"

# ---- SQLite: ingest, restart, GET, soak -------------------------------------------------------
node=$tmp/node
make_node "$node"
port=$(free_port)
start_serve "$node" "$port"
echo "start-up (empty node): $startup_ms ms to /healthz 200"
ingest "$port" "$objects" sqlite
echo "database: $(du -sh "$node" | cut -f1) on disk"
stop_serve

port=$(free_port)
start_serve "$node" "$port"
echo "start-up ($objects objects stored): $startup_ms ms to /healthz 200"
t0=$(now_ns)
curl -fs -o /dev/null -u "bench:$password" -H 'Accept: application/taxii+json;version=2.1' \
  "http://127.0.0.1:$port/api1/collections/$coll/objects/?limit=100"
echo "first TAXII page after start-up: $(ms_since "$t0") ms (includes one Argon2id check)"

echo "load before GET: $(uptime | sed 's/.*load average/load average/')"
c0=$(cpu_ms)
TAXII_PATH="/api1/collections/$coll/objects/" TAXII_AUTH=$auth \
  wrk -t2 -c16 -d"${get_seconds}s" --latency -s "$lua/get_page.lua" "http://127.0.0.1:$port" \
  | tee "$tmp/wrk_get.out"
get_requests=$(sed -n 's/.*GET_RESULT requests=\([0-9]*\).*/\1/p' "$tmp/wrk_get.out")
echo "server RSS after GET: $(rss_kib) KiB; server CPU" \
     "$(awk -v c="$(( $(cpu_ms) - c0 ))" -v n="$get_requests" 'BEGIN {printf "%.1f", c * 1000 / n}') us/request"

if [ "$soak_seconds" -gt 0 ]; then
  echo "soak: $soak_seconds s of GET (8 connections) + POST (100 objects / 100 ms)"
  TAXII_PATH="/api1/collections/$coll/objects/" TAXII_AUTH=$auth \
    wrk -t1 -c8 -d"${soak_seconds}s" -s "$lua/get_page.lua" "http://127.0.0.1:$port" \
    >"$tmp/soak_get.out" 2>&1 &
  soak_get=$!
  TAXII_PATH="/api1/collections/$coll/objects/" TAXII_AUTH=$auth OBJECTS_PER_POST=100 \
    DELAY_MS=100 ID_RUN=$RANDOM \
    wrk -t1 -c1 -d"${soak_seconds}s" -s "$lua/post.lua" "http://127.0.0.1:$port" \
    >"$tmp/soak_post.out" 2>&1 &
  soak_post=$!
  first=$(rss_kib)
  max=$first
  last=$first
  samples="$first"
  elapsed=0
  while [ "$elapsed" -lt "$soak_seconds" ]; do
    sleep 10
    elapsed=$((elapsed + 10))
    last=$(rss_kib)
    samples="$samples $last"
    [ "$last" -gt "$max" ] && max=$last
  done
  wait "$soak_get" "$soak_post" || true
  echo "soak RSS KiB: first $first, last $last, max $max"
  echo "soak RSS samples (every 10 s): $samples"
  grep GET_RESULT "$tmp/soak_get.out" | sed 's/^/soak /' || true
  grep POST_RESULT "$tmp/soak_post.out" | sed 's/^/soak /' || true
fi
stop_serve
echo "server log: $(grep -c '\[error\]' "$tmp/serve.err" || true) error lines," \
     "$(grep -c '\[warning\]' "$tmp/serve.err" || true) warnings"
grep -m5 '\[error\]' "$tmp/serve.err" || true
rm -rf "$node"

# ---- PostgreSQL: ingest --------------------------------------------------------------------
if [ "${SKIP_PG:-0}" != 1 ]; then
  pg=$tmp/pg
  mkdir -p "$pg/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$pg"
  as_pg "$pg_bindir/initdb" -D "$pg/data" -U postgres -A trust -E UTF8 --locale=C \
    >"$pg/initdb.log" 2>&1
  pg_port=$(free_port)
  as_pg "$pg_bindir/pg_ctl" -D "$pg/data" -l "$pg/server.log" -w \
    -o "-p $pg_port -k $pg/sock -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB ${PG_OPTS:-}" \
    start >/dev/null
  pg_data=$pg/data
  url="postgresql://postgres@127.0.0.1:$pg_port/postgres"
  make_node "$tmp/pgnode" "$url"
  port=$(free_port)
  start_serve "$tmp/pgnode" "$port" --db "$url"
  echo "PostgreSQL 15 (fsync on, shared_buffers 256MB) start-up (empty node): $startup_ms ms"
  ingest "$port" "$pg_objects" postgresql
  stop_serve
  port=$(free_port)
  start_serve "$tmp/pgnode" "$port" --db "$url"
  echo "start-up on PostgreSQL ($pg_objects objects stored): $startup_ms ms to /healthz 200"
  TAXII_PATH="/api1/collections/$coll/objects/" TAXII_AUTH=$auth \
    wrk -t2 -c16 -d10s --latency -s "$lua/get_page.lua" "http://127.0.0.1:$port" \
    | grep GET_RESULT | sed 's/^/postgresql /'
  stop_serve
  [ -n "${KEEP_PG_LOG:-}" ] && cp "$pg/server.log" "$KEEP_PG_LOG"
  stop_pg
fi
echo "load after: $(uptime | sed 's/.*load average/load average/')"
