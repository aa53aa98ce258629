#!/usr/bin/env bash
# The tour `make demo` runs (README.md "A tour of the demo"): three parties on 127.0.0.1, each
# with its own node on SQLite, sign an accord; alpha shares the indicators of the APT1 threat
# report; beta matches them against a sample of its Zeek logs and the sightings go back to
# alpha; beta files two requests for assistance, one answered on time, one left to go overdue
# and escalate to the hotline (on a fast clock); beta reports a violation and gamma denies it;
# verify passes, a tampered database row is caught; the scorecard is printed.
#
# Usage: scripts/demo.sh [--build-dir DIR | --detente PATH] [--keep-running] [--speed N] [BUILD_DIR]
# Only the shipped data in demo/data is used. Ends by itself (about 15 s) and removes its nodes,
# unless --keep-running: then the nodes stay up and the script prints how to reach and stop
# them. Exit 0 when every step behaved as shown, 1 when one did not, 2 on bad usage.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
data="$root/demo/data"
build=build
det=""
keep=0
# The fast clock: one real second is `speed` seconds on every node (config [clock]). 120: the
# accord's 10-minute acknowledgement deadline for critical requests passes in 5 s. Signed peer
# requests allow 300 s of skew, i.e. 300/speed real seconds of delay: do not go much higher.
speed=120

usage() { sed -n '9,12p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --build-dir) build=${2:?--build-dir needs a directory}; shift 2 ;;
    --detente) det=${2:?--detente needs the path of the detente binary}; shift 2 ;;
    --keep-running) keep=1; shift ;;
    --speed) speed=${2:?--speed needs a number}; shift 2
      case "$speed" in ''|0|*[!0-9]*) echo "demo.sh: --speed needs a whole number (1..100000)" >&2; exit 2 ;; esac ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "demo.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
if [ -z "$det" ]; then
  case "$build" in /*) det="$build/detente" ;; *) det="$root/$build/detente" ;; esac
fi
case "$det" in /*) ;; *) det="$PWD/$det" ;; esac
[ -x "$det" ] || { echo "demo.sh: no detente binary at $det: run 'make build' first, or pass --build-dir DIR" >&2; exit 2; }
[ -f "$data/stix/apt1.json" ] || { echo "demo.sh: demo data missing: $data" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/detente-demo.XXXXXX")
cd "$work"
parties=(alpha beta gamma)
declare -A url pid
started=$SECONDS
ok=0

cleanup() {
  local rc=$?
  if [ "$ok" = 1 ] && [ "$keep" = 1 ]; then return; fi
  for p in "${parties[@]}"; do [ -n "${pid[$p]:-}" ] && kill "${pid[$p]}" 2>/dev/null || true; done
  for p in "${parties[@]}"; do [ -n "${pid[$p]:-}" ] && wait "${pid[$p]}" 2>/dev/null || true; done
  if [ "$rc" != 0 ] || [ "$ok" != 1 ]; then
    for p in "${parties[@]}"; do
      [ -s "$work/$p.log" ] && { echo "--- $p's serve log, last lines but the access log:"; grep -v '^{"time"' "$work/$p.log" | tail -n 12; }
    done
    [ "$rc" != 0 ] || rc=1
    echo "demo.sh: FAILED (exit $rc). The nodes were in $work (removed)." >&2
  fi
  cd / && rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'echo "demo.sh: step failed at line $LINENO: $BASH_COMMAND" >&2' ERR

bold=""; dim=""; reset=""
if [ -t 1 ]; then bold=$(tput bold 2>/dev/null || true); dim=$(tput dim 2>/dev/null || true); reset=$(tput sgr0 2>/dev/null || true); fi
step() { echo; echo "${bold}== [$((SECONDS - started))s] $*${reset}"; }
say() { echo "   $*"; }
# Prints the command as a newcomer would type it (from the work directory; on stderr, so that
# its output can be captured), then runs it.
run() {
  local s="detente" a
  for a in "$@"; do
    a=${a//$root\//}
    case "$a" in *[\ \(\)\;\'\&\|\*]*|"") s+=" \"$a\"" ;; *) s+=" $a" ;; esac
  done
  echo "${dim}\$ $s${reset}" >&2
  "$det" "$@"
}
# Prints the command only (for commands run quietly).
show() { echo "${dim}\$ detente $*${reset}"; }
fail() { echo "demo.sh: $*" >&2; exit 1; }
# has CMD...: whether this build of detente has the command (steps of commands not built yet
# are skipped with a note, so the rest of the tour still runs).
has() { local o; o=$("$det" "$@" --help 2>/dev/null) || return 1; grep -q "^Usage: .*detente $* " <<<"$o"; }
skip() { say "(skipped: 'detente $*' is not in this build)"; skipped+=("$*"); }
skipped=()
# wait_for SECONDS WHAT CMD...: runs CMD every 0.2 s until it succeeds; fails after SECONDS.
wait_for() {
  local limit=$1 what=$2; shift 2
  local end=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$end" ] || fail "timed out after ${limit}s waiting for $what"
    sleep 0.2
  done
}
# out_has PATTERN CMD...: whether detente CMD's output contains PATTERN.
out_has() { local pat=$1 o; shift; o=$("$det" "$@" 2>/dev/null) || return 1; grep -q -- "$pat" <<<"$o"; }
# json_str KEY: the first "KEY":"value" of the JSON on stdin.
json_str() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | sed 's/^"[^"]*":"\(.*\)"$/\1/'; }

echo "${bold}detente: a tour of an accord between three parties${reset}"
say "$("$det" version)"
say "work directory: $work (one node directory per party)"

# ---------------------------------------------------------------------------------------------
step "1. Three parties, three nodes on 127.0.0.1, each with its own SQLite database"
epoch=$(date -u +%Y-%m-%dT%H:%M:%SZ)
for p in "${parties[@]}"; do
  show init --party "$p" --dir "$p"
  "$det" init --party "$p" --dir "$p" >/dev/null 2>&1
  # The fast clock (demos and drills only): every node counts from the same epoch at the same
  # speed, so they agree on deadlines; the peer agent and the workflow ticker run every 200 ms.
  sed -i 's/^sync_interval_ms = .*/sync_interval_ms = 200/' "$p/config.toml"
  [ "$speed" = 1 ] || printf '\n[clock]\nspeed = %s\nepoch = "%s"\n' "$speed" "$epoch" >> "$p/config.toml"
  show user add analyst --password "demo-$p" --dir "$p"
  "$det" user add analyst --password "demo-$p" --dir "$p" >/dev/null 2>&1
  show user grant analyst accord --read --write --dir "$p"
  "$det" user grant analyst accord --read --write --dir "$p" >/dev/null 2>&1 || true
done
say "each directory holds config.toml, signing.key (the party's Ed25519 key) and node.db."
say "fast clock: [clock] speed = $speed, epoch = $epoch in each config.toml:"
say "one real second is $speed seconds on every node, so deadlines of minutes and hours pass in seconds."
say "(the 'analyst' users, with write on the accord, are for the dashboard: see --keep-running)"

# ---------------------------------------------------------------------------------------------
step "2. The accord: written once, signed by every party, joined by every node"
args=()
for p in "${parties[@]}"; do
  key=$("$det" key --dir "$p" --json | json_str key)
  args+=(--party "$p=$key")
done
echo "${dim}\$ detente accord create --name \"Tri-party cyber accord\" --party alpha=KEY_A --party beta=KEY_B --party gamma=KEY_C \\"
echo "    --commitment C1=... --commitment C2=... --commitment C3=... --deadline critical=600/3600 --tlp-default green --out accord.json${reset}"
"$det" accord create --name "Tri-party cyber accord" "${args[@]}" \
  --commitment "C1=Acknowledge and answer requests for assistance within the agreed deadlines" \
  --commitment "C2=Share indicators of compromise seen against any party's networks" \
  --commitment "C3=Do not knowingly let infrastructure under one's jurisdiction attack another party" \
  --deadline "critical=600/3600" --tlp-default green --out accord.json
for p in "${parties[@]}"; do run accord sign accord.json --dir "$p" >/dev/null; done
run accord verify accord.json
for p in "${parties[@]}"; do run accord join accord.json --dir "$p" >/dev/null; done
say "signed by alpha, beta and gamma; its hash is the first entry (genesis) of each party's log."
say "critical requests must be acknowledged within 600 s and answered within 3600 s."

# ---------------------------------------------------------------------------------------------
step "3. Each node serves: TAXII 2.1, the partners' protocol, and a peer agent every 200 ms"
for p in "${parties[@]}"; do
  "$det" serve --dir "$p" --listen 127.0.0.1:0 --sync-interval-ms 200 >"$p.log" 2>&1 &
  pid[$p]=$!
done
for p in "${parties[@]}"; do
  u=""
  for _ in $(seq 150); do
    u=$(grep -o 'listening on http://[0-9.:]*' "$p.log" | head -n 1 | sed 's/listening on //' || true)
    [ -n "$u" ] && break
    kill -0 "${pid[$p]}" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$u" ] || { cat "$p.log"; fail "serve $p did not start"; }
  url[$p]=$u
done
for p in "${parties[@]}"; do
  for q in "${parties[@]}"; do
    [ "$p" = "$q" ] || "$det" peer url "$q" "${url[$q]}" --dir "$p" >/dev/null 2>&1
  done
done
echo "${dim}\$ detente serve --dir alpha --listen 127.0.0.1:0 --sync-interval-ms 200 &   (and beta, gamma)${reset}"
echo "${dim}\$ detente peer url beta ${url[beta]} --dir alpha                   (each partner's endpoint)${reset}"
say "alpha ${url[alpha]}   beta ${url[beta]}   gamma ${url[gamma]}"

# ---------------------------------------------------------------------------------------------
step "4. alpha shares the indicators of the APT1 threat report with beta and gamma"
run stix validate "$data/stix/apt1.json" > stix.ndjson
say "$(wc -l < stix.ndjson) STIX 2.1 objects (intrusion set, threat actors, malware, 12 indicators...), $(grep -c '"valid":false' stix.ndjson || true) invalid"
share_id=""
if has share; then
  out=$(run share "$data/stix/apt1.json" --to beta,gamma --dir alpha --json)
  echo "$out"
  share_id=$(echo "$out" | json_str id)
  [ -n "$share_id" ] || fail "share printed no id"
  wait_for 20 "beta to receive the share" out_has "$share_id" shares --dir beta --json
  wait_for 20 "gamma to receive the share" out_has "$share_id" shares --dir gamma --json
  run shares --dir beta
  if has collection list; then run collection list --dir beta; fi
  say "one signed 'share' message in alpha's log; beta's node put its objects in the TAXII"
  say "collection 'from-alpha' (TLP:GREEN, the accord's default: the objects carry no marking)."
else
  skip share
fi

# ---------------------------------------------------------------------------------------------
step "5. beta matches the indicators against its own Zeek logs; the sightings go back to alpha"
say "demo/data/zeek/beta-site.log: $(wc -l < "$data/zeek/beta-site.log") Zeek JSON lines (conn, dns, http, ssl, files), mostly benign."
say "The indicators are the objects alpha shared (same file, same ids as in beta's from-alpha)."
if has match && [ -n "$share_id" ] && "$det" match --help 2>/dev/null | grep -q -- '--send-sightings'; then
  run match --indicators "$data/stix/apt1.json" --events "$data/zeek/beta-site.log" \
    --send-sightings --dir beta --out sightings.ndjson
  n=$(wc -l < sightings.ndjson)
  [ "$n" -gt 0 ] || fail "no sightings"
  say "$n sightings (STIX 'sighting' objects naming the indicator, the first and last seen)."
  if has sightings; then
    wait_for 20 "alpha to record beta's sightings" out_has beta sightings --dir alpha --json
    run sightings --dir alpha
    say "alpha, the producer of those indicators, now knows beta saw them, and when."
  else
    skip sightings
  fi
elif has match; then
  run match --indicators "$data/stix/apt1.json" --events "$data/zeek/beta-site.log" --out sightings.ndjson --stats
  say "$(wc -l < sightings.ndjson) sightings"
  skip "match --send-sightings"
else
  skip match
fi

# ---------------------------------------------------------------------------------------------
step "6. Requests for assistance: beta asks alpha for help, and gamma to preserve logs"
req_ok=""; req_late=""
if has request file; then
  out=$(run request file --to alpha --category technical-assistance --priority high \
    --title "Analysis of APT1 C2 traffic seen from our network" \
    --description "Hosts 10.20.1.23 and 10.20.1.45 contacted hugesoft.org and arrowservice.net (your APT1 share)." \
    --legal-basis "Accord, commitment C1" --assistance "Your analysis of the implants behind these C2 domains" \
    --evidence indicator--3f3ff9f1-bb4e-4392-89e5-1991179042ba --dir beta --json)
  echo "$out"
  req_ok=$(echo "$out" | json_str id)
  out=$(run request file --to gamma --category preservation --priority critical \
    --title "Preserve logs of 58.247.12.9" \
    --description "APT1 hop point contacted from our network; we will ask for the subscriber next." \
    --legal-basis "Accord, commitment C1" --identifier 58.247.12.9 --retention-days 90 --dir beta --json)
  echo "$out"
  req_late=$(echo "$out" | json_str id)
  [ -n "$req_ok" ] && [ -n "$req_late" ] || fail "request file printed no id"
  say "both are signed messages in beta's log; the due times come from the accord's deadlines."
  wait_for 20 "alpha to receive beta's request" out_has "$req_ok" request list --dir alpha --json
  run request ack "$req_ok" --note "Looking at it" --dir alpha
  run request respond "$req_ok" --outcome completed \
    --details "Both domains are APT1 C2 (WEBC2 family); block 58.246.0.0/15 and look for setup.exe" --dir alpha
  say "alpha answered within minutes (of the fast clock); gamma does nothing: see step 8."
else
  skip request file
  # So that step 9 still has a message to check and tamper with: a plain signed note.
  echo '{"text":"APT1 hop point 58.247.12.9 seen from our network: please preserve your logs."}' > note.json
  run send --to gamma --kind note note.json --dir beta
  wait_for 20 "gamma to receive beta's note" out_has 58.247.12.9 messages --dir gamma --json
fi

# ---------------------------------------------------------------------------------------------
step "7. A violation report and its denial"
say "beta's sightings include 139.227.4.18, in APT1's 139.226.0.0/15: beta reports gamma under C3."
if has violation report; then
  out=$(run violation report --against gamma --commitment C3 \
    --summary "APT1 hop point 139.227.4.18, in gamma's address space, connected to our network after notice" \
    --evidence indicator--8ce03314-dfea-4498-ac9b-136e41ab00e4 --dir beta --json)
  echo "$out"
  vio=$(echo "$out" | json_str id)
  [ -n "$vio" ] || fail "violation report printed no id"
  wait_for 20 "gamma to receive the violation report" out_has "$vio" violation list --dir gamma --json
  run violation respond "$vio" --answer denied \
    --statement "That address is not under our jurisdiction and we saw no such traffic" --dir gamma
  wait_for 20 "beta to receive gamma's answer" out_has denied violation list --dir beta --json
  run violation show "$vio" --dir beta
  say "detente never adjudicates: the report and the denial are kept side by side, signed by each."
else
  skip violation report
fi

# ---------------------------------------------------------------------------------------------
step "8. The request gamma ignores goes overdue; beta's node escalates it to the hotline"
if [ -n "$req_late" ]; then
  say "nobody types anything here: beta's 'detente serve' sends a reminder at 75% of the"
  say "10-minute acknowledgement deadline, then an escalation to every other party once it passes."
  # The deadline is 600 s of the fast clock: 600/speed real seconds after filing, plus delivery.
  wait_for $((600 * 2 / speed + 20)) "the escalation to reach alpha" out_has "$req_late" request list --dir alpha --json
  run request list --dir beta
  run request list --dir alpha
  say "alpha is not party to that request, yet sees the escalation (case, responder, deadline),"
  say "not its content."
  run request show "$req_late" --dir beta
else
  say "(skipped: no request was filed)"
fi

# ---------------------------------------------------------------------------------------------
step "9. verify: every signature, Merkle proof, receipt and checkpoint gamma holds"
run verify --dir gamma
say "verified: detente trusts nothing in its own database; everything is checked against the"
say "signed envelopes, the parties' logs, receipts and cosigned checkpoints."
if command -v sqlite3 >/dev/null; then
  step "   gamma rewrites, behind detente's back, the request it ignored; verify catches it"
  where="body LIKE '%58.247.12.9%'"
  echo "${dim}\$ sqlite3 gamma/node.db \"UPDATE accord_messages SET body = replace(body, '58.247.12.9', '58.247.12.99') WHERE $where\"${reset}"
  sqlite3 -cmd ".timeout 10000" gamma/node.db "UPDATE accord_messages SET body = replace(body, '58.247.12.9', '58.247.12.99') WHERE $where"
  if [ -n "$req_late" ]; then
    say "gamma's copy of beta's preservation request now names another address."
  else
    say "gamma's copy of beta's note now names another address."
  fi
  echo "${dim}\$ detente verify --dir gamma${reset}"
  rc=0
  "$det" verify --dir gamma > verify.out 2>&1 || rc=$?
  head -n 5 verify.out
  [ "$rc" = 1 ] || fail "verify did not catch the tampered row (exit $rc)"
  say "(exit code 1: verify names the row whose stored columns no longer match the signed"
  say "envelope; beta holds the original, signed and logged, and alpha cosigned its log.)"
else
  say "(skipped the tampering: the sqlite3 command is not installed)"
fi

# ---------------------------------------------------------------------------------------------
step "10. The scorecard, as every party can recompute it from the signed messages"
if has scorecard; then
  run scorecard --dir beta
  "$det" scorecard --dir beta --json > scorecard.json
  row() { grep -o "{\"party\":\"$1\"[^}]*}" scorecard.json; }
  for want in acknowledged_on_time responded_on_time; do
    row alpha | grep -q "\"$want\":1" || fail "scorecard: alpha should have $want 1: $(row alpha)"
  done
  for want in overdue_now escalations violation_reports_received violation_reports_answered; do
    row gamma | grep -q "\"$want\":1" || fail "scorecard: gamma should have $want 1: $(row gamma)"
  done
  say "alpha acknowledged and answered on time; gamma has a request overdue, one escalation, and"
  say "one violation report, answered. Times are in seconds of the fast clock. beta computes this"
  say "from the signed messages it holds; any party holding the same messages gets the same rows."
else
  skip scorecard
fi

ok=1
elapsed=$((SECONDS - started))
step "Done in ${elapsed}s. What to look at:"
say "- every step above is a signed envelope in its sender's Merkle log: 'detente messages --dir beta'"
say "  lists them; 'detente status --dir alpha' shows each party's log, cosignatures, undelivered"
say "  messages and alerts; docs/formats/accord.md verifies one by hand."
say "- the share landed in TAXII collections any TAXII 2.1 client can read (from-alpha on beta)."
say "- the overdue request escalated with no one at a keyboard: the hotline section of"
say "  'detente request list --dir alpha', and 'request show' for its reminder and escalation."
say "- verify trusts nothing stored: one changed column was enough (step 9)."
say "- the scorecard is recomputed from messages, not from anybody's claims (docs/formats/workflows.md)."
[ "$keep" = 1 ] || say "Run 'scripts/demo.sh --keep-running' to explore the nodes (dashboard, /api/v1, TAXII) afterwards."
if [ "${#skipped[@]}" -gt 0 ]; then
  say "Not shown, not in this build: ${skipped[*]}"
fi
if [ "$keep" = 1 ]; then
  # Let the analyst read and write every TAXII collection of their node, for exploring.
  for p in "${parties[@]}"; do
    for c in $("$det" collection list --dir "$p" --json | grep -o '"id":"[^"]*"' | sed 's/"id":"\(.*\)"/\1/'); do
      "$det" user grant analyst "$c" --read --write --dir "$p" >/dev/null 2>&1 || true
    done
  done
  {
    echo "#!/bin/sh"
    echo "# Stops the demo's nodes and removes their directory."
    echo "kill ${pid[alpha]} ${pid[beta]} ${pid[gamma]} 2>/dev/null"
    echo "sleep 1; rm -rf '$work'"
  } > "$work/stop.sh"
  chmod +x "$work/stop.sh"
  echo
  echo "${bold}The nodes keep running (--keep-running), their clock still fast:${reset}"
  for p in "${parties[@]}"; do
    say "$p: ${url[$p]}/  (dashboard, /api/v1, TAXII discovery at /taxii2/)  user analyst, password demo-$p"
  done
  say "try: detente request list --dir $work/beta"
  say "     curl -u analyst:demo-beta ${url[beta]}/api/v1/overview"
  say "     curl -u analyst:demo-beta -H 'Accept: application/taxii+json;version=2.1' ${url[beta]}/api1/collections/from-alpha/objects/"
  say "stop them with: $work/stop.sh   (kills pids ${pid[alpha]} ${pid[beta]} ${pid[gamma]}, removes $work)"
fi
