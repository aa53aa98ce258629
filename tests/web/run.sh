#!/usr/bin/env bash
# The dashboard's end-to-end test (docs/dashboard.md "Tests"): two real nodes (alpha, beta)
# joined in an accord, each serving the built dashboard on a fast clock, and headless
# Chromium (tests/web/e2e.mjs) logging in, visiting every page wide and 375 px narrow,
# filing a request on alpha, acknowledging and answering it on beta, closing it on alpha, and
# watching a critical request go overdue.
# Usage: tests/web/run.sh BUILD_DIR [SHOTS_DIR]      (real nodes)
#        tests/web/run.sh --mock [SHOTS_DIR]         (web/mock/server.mjs, front-end only)
# Exit: 0 passed, 1 failed, 77 skipped (no /usr/bin/chromium, or web/ not built: said loudly).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:?usage: tests/web/run.sh BUILD_DIR|--mock [SHOTS_DIR]}
shots=${2:-}
chromium=${CHROMIUM:-/usr/bin/chromium}

skip() {
  echo "########################################################################" >&2
  echo "## web e2e test SKIPPED: $*" >&2
  echo "########################################################################" >&2
  exit 77
}
[ -x "$chromium" ] || skip "$chromium is missing (apt-get install chromium, or: make setup-web)"
[ -f "$root/web/dist/index.html" ] || skip "web/dist is not built (make web)"
[ -d "$root/web/node_modules/playwright-core" ] || skip "web/node_modules is missing (make web)"

work=$(mktemp -d "${TMPDIR:-/tmp}/detente-web-e2e.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${keep:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

if [ "$build" = "--mock" ]; then
  shots=${shots:-${TMPDIR:-/tmp}/detente-web-screenshots}
  node "$root/web/mock/server.mjs" --port 0 --speed 60 --dist "$root/web/dist" >"$work/mock.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    url=$(grep -o 'http://[0-9.:]*' "$work/mock.log" | head -n1 || true)
    [ -n "$url" ] && break
    sleep 0.1
  done
  MOCK=1 ALPHA_URL=$url BETA_URL= SHOTS=$shots OVERDUE_WAIT_S=30 node "$root/tests/web/e2e.mjs"
  exit $?
fi

det="$build/detente"
[ -x "$det" ] || det="$root/$build/detente"
[ -x "$det" ] || { echo "no detente binary in $build" >&2; exit 1; }
shots=${shots:-$(cd "$(dirname "$det")" && pwd)/web-screenshots}

# The fast clock: every node and CLI call of this test runs at 120x from a fixed epoch, so a
# critical request's one-hour acknowledge deadline passes in 30 s.
speed=120
epoch=$(date -u +%Y-%m-%dT%H:%M:%SZ)
parties=(alpha beta)
args=()
for p in "${parties[@]}"; do
  "$det" init --party "$p" --dir "$work/$p" >/dev/null 2>&1
  printf '\n[clock]\nspeed = %s\nepoch = "%s"\n' "$speed" "$epoch" >>"$work/$p/config.toml"
  key=$("$det" key --dir "$work/$p" --json | sed 's/.*"key":"\([^"]*\)".*/\1/')
  args+=(--party "$p=$key")
done
"$det" accord create --name "Dashboard e2e accord" "${args[@]}" \
  --commitment "C1=Acknowledge critical requests within one hour" \
  --commitment "C2=Do not share AMBER information onward" --out "$work/accord.json" >/dev/null
for p in "${parties[@]}"; do "$det" accord sign "$work/accord.json" --dir "$work/$p" >/dev/null; done
for p in "${parties[@]}"; do
  "$det" accord join "$work/accord.json" --dir "$work/$p" >/dev/null
  "$det" user add officer --dir "$work/$p" --password officer-pass >/dev/null
  "$det" user add auditor --dir "$work/$p" --password auditor-pass >/dev/null
  "$det" user grant officer accord --read --write --dir "$work/$p" >/dev/null ||
    echo "note: 'detente user grant officer accord --read --write' failed on $p" >&2
done
declare -A url
for p in "${parties[@]}"; do
  "$det" serve --dir "$work/$p" --listen 127.0.0.1:0 --sync-interval-ms 200 \
    --web "$root/web/dist" 2>"$work/$p.log" &
  pids+=($!)
done
for p in "${parties[@]}"; do
  u=
  for _ in $(seq 150); do
    u=$(grep -o 'listening on http://[0-9.:]*' "$work/$p.log" | head -n1 | sed 's/listening on //' || true)
    [ -n "$u" ] && break
    sleep 0.1
  done
  [ -n "$u" ] || { echo "serve $p did not start:"; cat "$work/$p.log"; exit 1; }
  url[$p]=$u
done
for p in "${parties[@]}"; do
  for q in "${parties[@]}"; do
    [ "$p" = "$q" ] || "$det" peer url "$q" "${url[$q]}" --dir "$work/$p" >/dev/null
  done
done
# Something on the Shares page: alpha shares the APT1 indicators with beta, beta matches them
# against its Zeek sample and sends the sightings back.
"$det" share "$root/demo/data/stix/apt1.json" --to beta --tlp green --dir "$work/alpha" >/dev/null
for _ in $(seq 100); do
  "$det" shares --json --dir "$work/beta" 2>/dev/null | grep -q '"tlp"' && break
  sleep 0.2
done
"$det" match --indicators "$root/demo/data/stix/apt1.json" --events "$root/demo/data/zeek/sample.log" \
  --send-sightings --dir "$work/beta" --out "$work/sightings.ndjson" >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' "${url[alpha]}/api/v1/me")
[ "$code" = 401 ] || { echo "alpha's /api/v1/me answered $code, not 401: is the JSON API mounted?"; exit 1; }

rc=0
ALPHA_URL=${url[alpha]} BETA_URL=${url[beta]} ACTOR=officer ACTOR_PASSWORD=officer-pass \
  READER=auditor READER_PASSWORD=auditor-pass SHOTS=$shots OVERDUE_WAIT_S=90 \
  node "$root/tests/web/e2e.mjs" || rc=$?
if [ "$rc" != 0 ]; then
  for p in "${parties[@]}"; do echo "--- $p's log (tail)"; tail -n 30 "$work/$p.log"; done
fi
exit $rc
