#!/usr/bin/env python3
"""Recomputes an accord's scorecard from exported logs, independently of detente's C++ code.

Written from docs/formats/workflows.md and docs/formats/accord.md (the message kinds, who may
send what in which state, the deadlines, the scorecard's definitions) and the scorecard JSON
format of `detente scorecard --json`; NOT a port of src/accord/workflow.cc. Python 3 standard
library only.

Inputs:
  --accord FILE    the accord document (the signed accord file, or `detente accord show --json`)
  --messages FILE  `detente messages --json --all --envelopes` of one node ("-" for stdin)
  --at T           compute at this RFC 3339 instant (default: the latest message's created)

Every message's signed envelope is checked for structure before it is used: canonical JSON
(RFC 8785 as far as the export's content needs: sorted keys, no whitespace), v == 1, accord ==
the accord's hash (hex SHA-256 of its canonical body), from a party, to sorted, unique, without
the sender, non-empty parties, kind [a-z][a-z0-9-]{0,31}, created RFC 3339, refs a list of
strings, body an object, sig base64 of 64 bytes, and the exported fields equal the envelope's.
The Ed25519 signatures themselves are NOT verified: the standard library has no Ed25519
(`detente verify` checks them). A structurally bad envelope is an error (exit 1).

Output (stdout): {"now", "parties": [...], "rejected": N}, the JSON of `detente scorecard
--json --at T`: one row per accord party in accord order with requests_received,
acknowledged, acknowledged_on_time, responded, responded_on_time, median_acknowledge_s,
median_respond_s (null when none), overdue_now, escalations, declined,
violation_reports_received, violation_reports_answered.

Exit codes: 0 ok, 1 invalid input (message on stderr), 2 usage.
"""

import argparse
import base64
import hashlib
import json
import re
import sys

CATEGORIES = ["preservation", "subscriber-info", "traffic-data", "content",
              "technical-assistance", "mitigation", "takedown", "other"]
PRIORITIES = ["critical", "high", "medium", "low"]
OUTCOMES = ["completed", "partial", "no-findings", "declined"]
ANSWERS = ["acknowledged", "denied", "investigating", "remedied"]
OPEN_STATES = ("filed", "acknowledged", "info-needed")
KIND_RE = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$")


class InputError(Exception):
    pass


# ---- time: integer milliseconds since the Unix epoch (no float drift) -------------------------

def days_from_civil(y, m, d):
    y -= 1 if m <= 2 else 0
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_time(text, what):
    m = TIME_RE.match(text) if isinstance(text, str) else None
    if not m:
        raise InputError(f"{what}: not an RFC 3339 date-time: {text!r}")
    y, mo, d, hh, mi, ss = (int(m.group(i)) for i in range(1, 7))
    frac = (m.group(7) or "").ljust(9, "0")
    ms = int(frac[:3])
    off = m.group(8)
    offset_s = 0
    if off not in ("Z", "z"):
        sign = -1 if off[0] == "-" else 1
        offset_s = sign * (int(off[1:3]) * 3600 + int(off[4:6]) * 60)
    secs = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - offset_s
    return secs * 1000 + ms


def format_time(ms):
    secs, milli = divmod(ms, 1000)
    days, sod = divmod(secs, 86400)
    # civil from days
    z = days + 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y = yoe + era * 400 + (1 if m <= 2 else 0)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
        y, m, d, sod // 3600, sod // 60 % 60, sod % 60, milli)


# ---- the accord ----------------------------------------------------------------------------

def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def load_accord(text):
    doc = json.loads(text)
    if isinstance(doc, dict) and doc.get("type") != "detente-accord" and "accord" in doc:
        doc = doc["accord"]  # a wrapper such as {"accord": {...}, ...}
    if not isinstance(doc, dict) or doc.get("type") != "detente-accord":
        raise InputError("accord: not a detente-accord document")
    body = {k: v for k, v in doc.items() if k != "signatures"}
    digest = hashlib.sha256(canonical(body).encode("utf-8")).hexdigest()
    parties = [p["name"] for p in doc.get("parties", [])]
    deadlines = {}
    for prio, d in doc.get("deadlines", {}).items():
        deadlines[prio] = (int(d["acknowledge_s"]), int(d["respond_s"]))
    commitments = [c["id"] for c in doc.get("commitments", [])]
    return {"hash": digest, "parties": parties, "deadlines": deadlines,
            "commitments": commitments}


# ---- envelopes -----------------------------------------------------------------------------

def check_envelope(msg, accord):
    """Checks the signed envelope of an exported message; returns the message as used here."""
    where = f"message {msg.get('id', '?')}"
    raw = msg.get("envelope")
    if not isinstance(raw, str):
        raise InputError(f"{where}: no \"envelope\" (export with messages --json --envelopes)")
    try:
        env = json.loads(raw)
    except ValueError as e:
        raise InputError(f"{where}: envelope is not JSON: {e}")
    if not isinstance(env, dict):
        raise InputError(f"{where}: envelope is not an object")
    if canonical(env) != raw:
        raise InputError(f"{where}: envelope is not in canonical form")
    expected = {"v", "accord", "from", "to", "seq", "id", "kind", "created", "refs", "tlp",
                "body", "sig"}
    if set(env) != expected:
        raise InputError(f"{where}: envelope members {sorted(env)} are not {sorted(expected)}")
    if env["v"] != 1:
        raise InputError(f"{where}: envelope v is {env['v']!r}, not 1")
    if env["accord"] != accord["hash"]:
        raise InputError(f"{where}: envelope of another accord ({env['accord']})")
    parties = accord["parties"]
    if env["from"] not in parties:
        raise InputError(f"{where}: sender {env['from']!r} is not a party")
    to = env["to"]
    if (not isinstance(to, list) or not to or to != sorted(set(to)) or env["from"] in to
            or any(t not in parties for t in to)):
        raise InputError(f"{where}: envelope /to is not a sorted, unique, non-empty list of "
                         f"other parties: {to!r}")
    if not isinstance(env["seq"], int) or env["seq"] < 1:
        raise InputError(f"{where}: envelope /seq is not a positive integer")
    if not isinstance(env["kind"], str) or not KIND_RE.match(env["kind"]):
        raise InputError(f"{where}: envelope /kind {env['kind']!r} is malformed")
    parse_time(env["created"], f"{where}: envelope /created")
    if not isinstance(env["refs"], list) or any(not isinstance(r, str) for r in env["refs"]):
        raise InputError(f"{where}: envelope /refs is not a list of strings")
    if not isinstance(env["body"], dict):
        raise InputError(f"{where}: envelope /body is not an object")
    try:
        sig = base64.b64decode(env["sig"], validate=True)
    except (ValueError, TypeError):
        sig = b""
    if len(sig) != 64:
        raise InputError(f"{where}: envelope /sig is not base64 of 64 bytes")
    for field in ("id", "from", "to", "seq", "kind", "created", "refs", "tlp", "body"):
        if field in msg and msg[field] != env[field]:
            raise InputError(f"{where}: exported {field} differs from the signed envelope's")
    return {"id": env["id"], "from": env["from"], "to": env["to"], "seq": env["seq"],
            "kind": env["kind"], "created": parse_time(env["created"], where),
            "refs": env["refs"], "body": env["body"]}


# ---- bodies (docs/formats/workflows.md) ----------------------------------------------------

def is_text(v):
    return isinstance(v, str)


def nonempty_strings(v):
    return isinstance(v, list) and len(v) > 0 and all(isinstance(x, str) for x in v)


def request_file_ok(b):
    if b.get("category") not in CATEGORIES or b.get("priority") not in PRIORITIES:
        return False
    title = b.get("title")
    if not is_text(title) or not 1 <= len(title.encode("utf-8")) <= 200:
        return False
    if not is_text(b.get("description")) or not is_text(b.get("legal_basis")):
        return False
    if "evidence" in b and not isinstance(b["evidence"], list):
        return False
    cat = b["category"]
    if cat == "preservation":
        rd = b.get("retention_days")
        return (nonempty_strings(b.get("identifiers")) and isinstance(rd, int)
                and not isinstance(rd, bool) and rd > 0)
    if cat in ("subscriber-info", "traffic-data", "content"):
        p = b.get("period")
        if not nonempty_strings(b.get("identifiers")) or not isinstance(p, dict):
            return False
        try:
            return parse_time(p.get("start"), "start") <= parse_time(p.get("end"), "end")
        except InputError:
            return False
    if cat in ("takedown", "mitigation"):
        return nonempty_strings(b.get("targets"))
    if cat == "technical-assistance":
        return is_text(b.get("assistance"))
    return True


# ---- cases ---------------------------------------------------------------------------------

def open_request(m, accord):
    b = m["body"]
    if len(m["to"]) != 1 or not request_file_ok(b):
        return None
    dl = accord["deadlines"].get(b["priority"])
    if dl is None:
        return None
    return {"id": m["id"], "requester": m["from"], "responder": m["to"][0],
            "priority": b["priority"], "state": "filed", "outcome": None,
            "filed": m["created"], "acknowledged": None, "responded": None,
            "ack_due": m["created"] + dl[0] * 1000, "respond_due": m["created"] + dl[1] * 1000,
            "info_at": None, "escalations": 0, "escalated": set(), "feedbacks": 0}


def apply_request(c, m):
    """Applies a later step; returns True when the state machine allows it."""
    kind, who, b, at, state = m["kind"], m["from"], m["body"], m["created"], c["state"]
    requester, responder = who == c["requester"], who == c["responder"]
    if kind == "request-ack":
        if not (responder and state == "filed"):
            return False
        c["state"], c["acknowledged"] = "acknowledged", at
    elif kind == "request-info-needed":
        if not (responder and state == "acknowledged" and is_text(b.get("question"))):
            return False
        c["state"], c["info_at"] = "info-needed", at
    elif kind == "request-info":
        if not (requester and state == "info-needed" and is_text(b.get("answer"))):
            return False
        c["respond_due"] += at - c["info_at"]  # the responder's clock stood still
        c["state"], c["info_at"] = "acknowledged", None
    elif kind == "request-respond":
        outcome = b.get("outcome")
        if not (responder and state in ("filed", "acknowledged") and outcome in OUTCOMES):
            return False
        if outcome == "declined" and not (is_text(b.get("reason")) and b["reason"]):
            return False
        if c["acknowledged"] is None:
            c["acknowledged"] = at  # an answer also counts as the acknowledgement
        c["state"], c["outcome"], c["responded"] = "responded", outcome, at
    elif kind == "request-close":
        if not (requester and state == "responded"
                and b.get("resolution") in ("accepted", "disputed")):
            return False
        c["state"] = "closed"
    elif kind == "request-withdraw":
        if not (requester and state in ("filed", "acknowledged", "info-needed", "responded")):
            return False
        c["state"] = "withdrawn"
    elif kind == "request-reminder":
        if not (requester and state in OPEN_STATES
                and b.get("deadline") in ("acknowledge", "respond")):
            return False
    elif kind == "request-escalate":
        deadline = b.get("deadline")
        if not (requester and state in OPEN_STATES and deadline in ("acknowledge", "respond")):
            return False
        if deadline in c["escalated"]:
            return False  # once per deadline
        if deadline == "acknowledge" and (c["acknowledged"] is not None or at <= c["ack_due"]):
            return False
        if deadline == "respond" and at <= c["respond_due"]:
            return False
        c["escalated"].add(deadline)
        c["escalations"] += 1
    elif kind == "request-feedback":
        if not (requester and state in ("responded", "closed")):
            return False
        c["feedbacks"] += 1
    elif kind == "request-status":
        if not (requester or responder):
            return False
    else:
        return False
    return True


def open_violation(m, accord):
    b = m["body"]
    commitments = accord["commitments"]
    if not is_text(b.get("commitment")) or not is_text(b.get("summary")):
        return None
    if commitments and b["commitment"] not in commitments:
        return None
    if not isinstance(b.get("evidence"), list):
        return None
    return {"id": m["id"], "reporter": m["from"], "accused": list(m["to"]), "answered": set()}


def apply_violation(v, m):
    kind, who, b = m["kind"], m["from"], m["body"]
    if kind == "violation-response":
        if who not in v["accused"] or b.get("answer") not in ANSWERS:
            return False
        if not is_text(b.get("statement")):
            return False
        v["answered"].add(who)
        return True
    if kind == "violation-dispute":
        return (who == v["reporter"] or who in v["accused"]) and is_text(b.get("statement"))
    return False


def build_cases(messages, accord):
    seen, unique = set(), []
    for m in messages:
        if m["id"] not in seen:  # a message held twice counts once
            seen.add(m["id"])
            unique.append(m)
    unique.sort(key=lambda m: (m["created"], m["from"], m["seq"], m["id"]))
    requests, violations, rejected = {}, {}, 0
    for m in unique:
        kind = m["kind"]
        if not (kind.startswith("request-") or kind.startswith("violation-")):
            continue
        if kind == "request-file":
            c = open_request(m, accord)
            if c is None:
                rejected += 1
            else:
                requests[m["id"]] = c
        elif kind == "violation-report":
            v = open_violation(m, accord)
            if v is None:
                rejected += 1
            else:
                violations[m["id"]] = v
        else:
            case_id = m["refs"][0] if m["refs"] else None
            if kind.startswith("request-"):
                c = requests.get(case_id)
                ok = c is not None and apply_request(c, m)
            else:
                v = violations.get(case_id)
                ok = v is not None and apply_violation(v, m)
            if not ok:
                rejected += 1
    return list(requests.values()), list(violations.values()), rejected


# ---- the scorecard -------------------------------------------------------------------------

def median_seconds(ms_list):
    if not ms_list:
        return None
    s = sorted(ms_list)
    n = len(s)
    mid = s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2
    return mid / 1000.0


def scorecard(requests, violations, parties, now):
    rows = []
    for p in parties:
        mine = [c for c in requests if c["responder"] == p]
        acked = [c for c in mine if c["acknowledged"] is not None]
        responded = [c for c in mine if c["responded"] is not None]
        overdue = 0
        for c in mine:
            # Open and past a deadline; waiting for information stops the respond clock.
            if c["state"] in ("filed", "acknowledged") and (
                    (c["acknowledged"] is None and now > c["ack_due"])
                    or now > c["respond_due"]):
                overdue += 1
        against = [v for v in violations if p in v["accused"]]
        rows.append({
            "party": p,
            "requests_received": len(mine),
            "acknowledged": len(acked),
            "acknowledged_on_time": sum(1 for c in acked if c["acknowledged"] <= c["ack_due"]),
            "responded": len(responded),
            "responded_on_time": sum(1 for c in responded
                                     if c["responded"] <= c["respond_due"]),
            "median_acknowledge_s": median_seconds(
                [c["acknowledged"] - c["filed"] for c in acked]),
            "median_respond_s": median_seconds([c["responded"] - c["filed"] for c in responded]),
            "overdue_now": overdue,
            "escalations": sum(c["escalations"] for c in mine),
            "declined": sum(1 for c in responded if c["outcome"] == "declined"),
            "violation_reports_received": len(against),
            "violation_reports_answered": sum(1 for v in against if p in v["answered"]),
        })
    return rows


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--accord", required=True, help="the accord document (JSON)")
    ap.add_argument("--messages", required=True,
                    help="`detente messages --json --all --envelopes` output, or - for stdin")
    ap.add_argument("--at", help="RFC 3339 instant (default: the latest message's created)")
    args = ap.parse_args(argv)
    try:
        with open(args.accord, encoding="utf-8") as f:
            accord = load_accord(f.read())
        if args.messages == "-":
            exported = json.load(sys.stdin)
        else:
            with open(args.messages, encoding="utf-8") as f:
                exported = json.load(f)
        if not isinstance(exported, dict) or not isinstance(exported.get("messages"), list):
            raise InputError("messages: expected {\"messages\": [...]}")
        messages = [check_envelope(m, accord) for m in exported["messages"]]
        if args.at:
            now = parse_time(args.at, "--at")
        else:
            now = max((m["created"] for m in messages), default=0)
        requests, violations, rejected = build_cases(messages, accord)
        rows = scorecard(requests, violations, accord["parties"], now)
    except (OSError, ValueError, KeyError, TypeError, InputError) as e:
        print(f"scorecard.py: {e}", file=sys.stderr)
        return 1
    print(json.dumps({"now": format_time(now), "parties": rows, "rejected": rejected}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
