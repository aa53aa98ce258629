#!/usr/bin/env bash
# The tour `make demo` runs: what detente can do today, on the shipped data in demo/data.
# Usage: scripts/demo.sh [BUILD_DIR]. Exits non-zero if any step does not behave as shown.
set -euo pipefail
build=${1:-build}
root=$(cd "$(dirname "$0")/.." && pwd)
det="$root/$build/detente"
[ -x "$det" ] || det="$build/detente"
data="$root/demo/data"
work=$(mktemp -d "${TMPDIR:-/tmp}/detente-demo.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

bold=""; dim=""; reset=""
if [ -t 1 ]; then bold=$(tput bold 2>/dev/null || true); dim=$(tput dim 2>/dev/null || true); reset=$(tput sgr0 2>/dev/null || true); fi
step() { echo; echo "${bold}== $*${reset}"; }
show() { echo "${dim}\$ detente $*${reset}"; }
has() { "$det" "$@" --help >/dev/null 2>&1; }

"$det" version

if has stix validate; then
  step "1. Validate the official STIX 2.1 examples (one JSON line per object)"
  for f in apt1.json poisonivy.json indicator-for-c2-ip-address.json; do
    show stix validate "demo/data/stix/$f"
    n=$("$det" stix validate "$data/stix/$f" | tee "$work/out.ndjson" | wc -l)
    bad=$(grep -c '"valid":false' "$work/out.ndjson" || true)
    echo "   $f: $n objects, $bad invalid"
    [ "$bad" = 0 ]
  done
  head -n 2 "$work/out.ndjson"
  step "   An object with mistakes: each error names the JSON path"
  cat > "$work/bad.json" <<'JSON'
{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
 "created":"2016-04-06T20:03:48.000Z","modified":"2016-01-01T00:00:00.000Z",
 "pattern":"[ipv4-addr:value = '10.0.0.1']","valid_from":"2016-04-06T20:03:48Z",
 "external_references":[{"source_name":"x","url":42}]}
JSON
  show stix validate bad.json
  if "$det" stix validate "$work/bad.json"; then echo "expected the object to be invalid"; exit 1; else echo "   (exit code $?: invalid)"; fi
fi

if has stix id; then
  step "2. Deterministic ids for observables, and RFC 8785 canonical JSON"
  echo '{"type":"domain-name","spec_version":"2.1","value":"hugesoft.org"}' > "$work/sco.json"
  show stix id sco.json
  "$det" stix id "$work/sco.json"
fi
if has jcs; then
  echo '{"b": [1e21, 0.000001, -0.0], "a": "é\u0000", "c": {"z": true, "y": null}}' > "$work/doc.json"
  show jcs doc.json
  "$det" jcs "$work/doc.json"; echo
fi

if has pattern validate; then
  step "3. STIX patterns: validate, then match shared indicators against local Zeek logs"
  show pattern validate "\"[ipv4-addr:value = '58.246.0.0/15'] FOLLOWEDBY [domain-name:value = 'hugesoft.org'] WITHIN 300 SECONDS\""
  "$det" pattern validate "[ipv4-addr:value = '58.246.0.0/15'] FOLLOWEDBY [domain-name:value = 'hugesoft.org'] WITHIN 300 SECONDS"
  echo "   valid"
  show pattern validate "\"[file:hashes.'SHA-256' = 'abc']\""
  if "$det" pattern validate "[file:hashes.'SHA-256' = 'abc']"; then exit 1; else echo "   (exit code $?: invalid)"; fi
fi
if has match; then
  show match --indicators demo/data/stix/apt1.json --events demo/data/zeek/sample.log --stats
  "$det" match --indicators "$data/stix/apt1.json" --events "$data/zeek/sample.log" --stats \
    --out "$work/sightings.ndjson"
  echo "   $(wc -l < "$work/sightings.ndjson") sightings; the first:"
  head -n 1 "$work/sightings.ndjson"
fi

if has log init; then
  step "4. A signed, verifiable Merkle log"
  log="$work/log"
  show log init log --origin demo.detente.example/log
  "$det" log init "$log" --origin demo.detente.example/log
  printf 'first message\nsecond message\nthird message\nfourth message\nfifth message\n' > "$work/entries.txt"
  show log append log entries.txt
  "$det" log append "$log" "$work/entries.txt" | tr '\n' ' '; echo
  show log checkpoint log
  "$det" log checkpoint "$log"
  show log prove log --index 2
  "$det" log prove "$log" --index 2; echo
  show log consistency log --from 3
  "$det" log consistency "$log" --from 3; echo
  show log verify log
  "$det" log verify "$log" && echo "   verified"
  db="$log/log.db"
  if [ -f "$db" ] && command -v sqlite3 >/dev/null; then
    step "   Tamper with one stored entry behind detente's back: 'third message' becomes 'THIRD message'"
    old=$(sqlite3 "$db" "SELECT hex(data) FROM ledger_bundles WHERE id = 0")
    new=$(echo "$old" | sed "s/$(printf 'third' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)/$(printf 'THIRD' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)/")
    echo "${dim}\$ sqlite3 log/log.db \"UPDATE ledger_bundles SET data = x'...' WHERE id = 0\"${reset}"
    sqlite3 "$db" "UPDATE ledger_bundles SET data = x'$new' WHERE id = 0"
    show log verify log
    if "$det" log verify "$log"; then echo "tampering went unnoticed"; exit 1; else echo "   (exit code $?: verify caught it)"; fi
  fi
fi

if has accord create && has sync; then
  step "5. Three parties sign an accord and exchange signed, logged, receipted messages"
  parties=(alpha beta gamma)
  args=()
  for p in "${parties[@]}"; do
    "$det" init --party "$p" --dir "$work/$p" 2>/dev/null
    key=$("$det" key --dir "$work/$p" --json | sed 's/.*"key":"\([^"]*\)".*/\1/')
    args+=(--party "$p=$key")
  done
  show accord create --name "Demo accord" --party alpha=KEY --party beta=KEY --party gamma=KEY --commitment C1=... --out accord.json
  "$det" accord create --name "Demo accord" "${args[@]}" \
    --commitment "C1=Respond to requests for assistance in good time" --out "$work/accord.json"
  for p in "${parties[@]}"; do "$det" accord sign "$work/accord.json" --dir "$work/$p"; done
  show accord verify accord.json
  "$det" accord verify "$work/accord.json"
  for p in "${parties[@]}"; do "$det" accord join "$work/accord.json" --dir "$work/$p"; done
  echo "   signed by all three and joined: the accord's hash is the genesis of each party's log"
  declare -A url
  for p in "${parties[@]}"; do
    "$det" serve --dir "$work/$p" --listen 127.0.0.1:0 --sync-interval-ms 200 2>"$work/$p.log" &
    pids+=($!)
  done
  for p in "${parties[@]}"; do
    for _ in $(seq 100); do
      u=$(grep -o 'listening on http://[0-9.:]*' "$work/$p.log" | head -n1 | sed 's/listening on //' || true)
      [ -n "$u" ] && break
      sleep 0.1
    done
    [ -n "$u" ] || { echo "serve $p did not start:"; cat "$work/$p.log"; exit 1; }
    url[$p]=$u
  done
  for p in "${parties[@]}"; do
    for q in "${parties[@]}"; do
      [ "$p" = "$q" ] || "$det" peer url "$q" "${url[$q]}" --dir "$work/$p"
    done
  done
  echo "   alpha, beta and gamma serve on ${url[alpha]}, ${url[beta]}, ${url[gamma]}"
  echo '{"text":"Scanning from 203.0.113.0/24 against our energy sector: please check your side."}' > "$work/note.json"
  show send --to beta,gamma --kind note note.json --dir alpha
  "$det" send --to beta,gamma --kind note "$work/note.json" --dir "$work/alpha"
  for _ in 1 2 3; do "$det" sync --dir "$work/alpha" >/dev/null 2>&1 || true; done
  for p in beta gamma; do "$det" sync --dir "$work/$p" >/dev/null 2>&1 || true; done
  show status --dir alpha
  "$det" status --dir "$work/alpha"
  show messages --dir beta
  "$det" messages --dir "$work/beta" | head -n 5
  show verify --dir beta
  "$det" verify --dir "$work/beta" && echo "   every signature, proof, receipt and checkpoint beta holds verifies"
  if command -v sqlite3 >/dev/null; then
    step "   Tamper with the note beta stored: verify names the row"
    echo "${dim}\$ sqlite3 beta/node.db \"UPDATE accord_messages SET body = replace(body, '203.0.113', '198.51.100')\"${reset}"
    sqlite3 "$work/beta/node.db" "UPDATE accord_messages SET body = replace(body, '203.0.113', '198.51.100')"
    show verify --dir beta
    if "$det" verify --dir "$work/beta"; then echo "tampering went unnoticed"; exit 1; else echo "   (exit code $?: verify caught it)"; fi
  fi
fi

step "Done. Next: run 'detente --help', and see README.md and docs/ for what each command does."
