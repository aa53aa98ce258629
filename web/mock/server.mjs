// A stand-in for `detente serve` in the dashboard's dev loop: serves web/dist (or nothing, under
// `npm run dev`) and a small in-memory /api/v1 following docs/api.md "Accord API" (the
// shapes only: nothing is signed, nothing is verified). Not used by the product, nor by the
// e2e tests when a real node is available (tests/web/e2e.mjs --mock uses it).
// Usage: node mock/server.mjs [--port 8787] [--speed 1] [--dist dist]
// Users: admin/admin (can act), reader/reader (read-only).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { randomUUID, createHash } from 'node:crypto';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) =>
  (v.startsWith('--') ? [...a, [v.slice(2), all[i + 1]]] : a), []));
const port = Number(args.port ?? 8787);
const speed = Number(args.speed ?? 1);
const dist = resolve(args.dist ?? new URL('../dist', import.meta.url).pathname);
const epoch = Date.parse('2026-11-20T09:00:00Z');
const started = Date.now();
const now = () => new Date(epoch + (Date.now() - started) * speed);
const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

const PARTY = 'alpha';
const accord = {
  id: 'sha256:' + createHash('sha256').update('mock accord').digest('hex'),
  name: 'Mock accord', tlp_default: 'amber',
  parties: [{ name: 'alpha', endpoints: ['http://127.0.0.1:1'] },
    { name: 'beta', endpoints: ['http://127.0.0.1:2'] }],
  commitments: [{ id: 'C1', text: 'acknowledge critical requests within one hour' },
    { id: 'C2', text: 'do not share AMBER onward' }],
  deadlines: { critical: { acknowledge_s: 60, respond_s: 600 }, high: { acknowledge_s: 14400, respond_s: 259200 },
    medium: { acknowledge_s: 86400, respond_s: 604800 }, low: { acknowledge_s: 259200, respond_s: 2592000 } },
};
const users = { admin: { password: 'admin', can_act: true }, reader: { password: 'reader', can_act: false } };
const tokens = new Map();
const requests = new Map();
const messages = new Map(); // case id -> [M]
const violations = new Map();
let seq = 0;

function message(from, to, kind, body, tlp = 'amber') {
  seq += 1;
  const id = `msg--${randomUUID()}`;
  return { id, from, to, kind, created: iso(now()), seq, tlp, body,
    envelope: JSON.stringify({ v: 1, id, from, to, kind, body, sig: 'mock' }),
    proof: { checkpoint: `mock/log\n${seq + 1}\n${createHash('sha256').update(id).digest('base64')}\n`, index: seq, inclusion: [createHash('sha256').update('a' + id).digest('hex')] } };
}
function reqView(r) {
  const t = now().getTime();
  const overdue = (r.state === 'filed' && Date.parse(r.acknowledge_due) < t) ||
    (r.state === 'acknowledged' && Date.parse(r.respond_due) < t);
  return { ...r, overdue };
}
function file(requester, responder, body, tlp) {
  const m = message(requester, [responder], 'request-file', body, tlp);
  const d = accord.deadlines[body.priority];
  const filed = Date.parse(m.created);
  const r = { id: m.id, requester, responder, category: body.category, priority: body.priority,
    title: body.title, state: 'filed', outcome: null, resolution: null, filed: m.created,
    acknowledged: null, responded: null, closed: null,
    acknowledge_due: iso(new Date(filed + d.acknowledge_s * 1000)),
    respond_due: iso(new Date(filed + d.respond_s * 1000)), escalations: 0, feedbacks: 0 };
  requests.set(r.id, r);
  messages.set(r.id, [m]);
  return r;
}
function act(r, from, kind, body) {
  const t = { 'request-ack': ['filed', 'acknowledged', 'responder'],
    'request-respond': [null, 'responded', 'responder'],
    'request-info-needed': ['acknowledged', 'info-needed', 'responder'],
    'request-info': ['info-needed', 'acknowledged', 'requester'],
    'request-close': ['responded', 'closed', 'requester'],
    'request-withdraw': [null, 'withdrawn', 'requester'],
    'request-feedback': [null, null, 'requester'], 'request-escalate': [null, null, 'requester'],
    'request-status': [null, null, null] }[kind];
  if (!t) return `unknown kind ${kind}`;
  if (t[2] && r[t[2]] !== from) return `${kind} must be sent by the ${t[2]} (${r[t[2]]})`;
  if (t[0] && r.state !== t[0]) return `${kind} is not allowed in state ${r.state}`;
  if (kind === 'request-respond' && !['filed', 'acknowledged'].includes(r.state)) return `request-respond is not allowed in state ${r.state}`;
  const other = from === r.requester ? r.responder : r.requester;
  const m = message(from, [other], kind, body);
  messages.get(r.id).push(m);
  if (t[1]) r.state = t[1];
  if (kind === 'request-ack') r.acknowledged = m.created;
  if (kind === 'request-respond') { r.responded = m.created; r.outcome = body.outcome; r.acknowledged ??= m.created; }
  if (kind === 'request-close') { r.closed = m.created; r.resolution = body.resolution; }
  if (kind === 'request-escalate') r.escalations += 1;
  if (kind === 'request-feedback') r.feedbacks += 1;
  return null;
}

// Seed: a few cases in different states, one violation with an answer.
{
  const a = file('beta', 'alpha', { category: 'preservation', priority: 'high', title: 'Keep logs of 203.0.113.7',
    description: 'Botnet C2', legal_basis: 'Accord art. 4', identifiers: ['203.0.113.7'], retention_days: 90 });
  act(a, 'alpha', 'request-ack', { note: 'on it' });
  const b = file('alpha', 'beta', { category: 'takedown', priority: 'medium', title: 'Take down phishing kit',
    description: 'kit at example.net', legal_basis: 'Accord art. 6', targets: ['http://example.net/kit'] });
  act(b, 'beta', 'request-respond', { outcome: 'completed', details: 'removed' });
  const rep = message('alpha', ['beta'], 'violation-report', { commitment: 'C2', summary: 'AMBER indicator seen on a public feed',
    evidence: [{ type: 'indicator', id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', name: 'C2 address', pattern: "[ipv4-addr:value = '198.51.100.3']" }] });
  const resp = message('beta', ['alpha'], 'violation-response', { answer: 'denied', statement: 'not from us' });
  violations.set(rep.id, { v: { id: rep.id, reporter: 'alpha', accused: ['beta'], commitment: 'C2', summary: rep.body.summary,
    reported: rep.created, entries: [{ id: resp.id, from: 'beta', kind: resp.kind, answer: 'denied', at: resp.created }] }, messages: [rep, resp] });
}

const json = (res, status, body) => {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
};
const err = (res, status, title, description) => json(res, status, { title, description, http_status: String(status) });
const readBody = (req) => new Promise((ok) => { let s = ''; req.on('data', (c) => (s += c)); req.on('end', () => { try { ok(JSON.parse(s || '{}')); } catch { ok(null); } }); });

async function handleApi(req, res, path, query) {
  if (path === '/api/v1/login' && req.method === 'POST') {
    const b = await readBody(req);
    const u = users[b?.user];
    if (!u || u.password !== b.password) return err(res, 401, 'Unauthorized', 'wrong user or password');
    const token = randomUUID();
    tokens.set(token, b.user);
    return json(res, 200, { token, user: b.user, can_act: u.can_act });
  }
  const auth = req.headers.authorization ?? '';
  let user = tokens.get(auth.replace(/^Bearer /, ''));
  if (auth.startsWith('Basic ')) {
    const [u, pw] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
    if (users[u]?.password === pw) user = u;
  }
  if (!user) { res.setHeader('WWW-Authenticate', 'Bearer'); return err(res, 401, 'Unauthorized', 'log in first'); }
  const canAct = users[user].can_act;
  if (req.method === 'POST' && !canAct && path !== '/api/v1/verify') return err(res, 403, 'Forbidden', `user ${user} may not act for the accord`);
  const n = iso(now());
  if (path === '/api/v1/me') return json(res, 200, { user, can_act: canAct });
  if (path === '/api/v1/overview') {
    const reqs = [...requests.values()].map(reqView);
    return json(res, 200, { now: n, party: PARTY, accord,
      logs: accord.parties.map((p, i) => ({ party: p.name, size: seq + i, checkpoint: `mock/${p.name}\n${seq + i}\nAAAA\n`, received_at: n, own: p.name === PARTY, cosignatures: accord.parties.filter((q) => q.name !== p.name).map((q) => q.name) })),
      alerts: [], undelivered: [], overdue: reqs.filter((r) => r.overdue).map((r) => r.id) });
  }
  if (path === '/api/v1/requests' && req.method === 'GET') {
    let list = [...requests.values()].map(reqView);
    for (const k of ['state', 'priority']) if (query.get(k)) list = list.filter((r) => r[k] === query.get(k));
    if (query.get('party')) list = list.filter((r) => r.requester === query.get('party') || r.responder === query.get('party'));
    return json(res, 200, { now: n, requests: list.reverse() });
  }
  if (path === '/api/v1/requests' && req.method === 'POST') {
    const b = await readBody(req);
    if (!b?.responder || !b.body?.title) return err(res, 400, 'Bad Request', 'responder and body.title are required');
    return json(res, 201, { id: file(PARTY, b.responder, b.body, b.tlp ?? 'amber').id });
  }
  let m = path.match(/^\/api\/v1\/requests\/([^/]+)(\/actions)?$/);
  if (m) {
    const r = requests.get(decodeURIComponent(m[1]));
    if (!r) return err(res, 404, 'Not Found', `no request ${m[1]}`);
    if (!m[2]) return json(res, 200, { now: n, request: reqView(r), messages: messages.get(r.id) });
    const b = await readBody(req);
    const e = act(r, PARTY, b?.kind, b?.body ?? {});
    if (e) return err(res, 409, 'Conflict', e);
    return json(res, 201, { id: messages.get(r.id).at(-1).id });
  }
  if (path === '/api/v1/violations' && req.method === 'GET') return json(res, 200, { violations: [...violations.values()].map((x) => x.v) });
  m = path.match(/^\/api\/v1\/violations\/([^/]+)(\/actions)?$/);
  if (m) {
    const x = violations.get(decodeURIComponent(m[1]));
    if (!x) return err(res, 404, 'Not Found', `no violation ${m[1]}`);
    if (!m[2]) return json(res, 200, { violation: x.v, messages: x.messages });
    const b = await readBody(req);
    const msg = message(PARTY, [x.v.reporter], b.kind, b.body);
    x.messages.push(msg);
    x.v.entries.push({ id: msg.id, from: PARTY, kind: b.kind, answer: b.body.answer ?? null, at: msg.created });
    return json(res, 201, { id: msg.id });
  }
  if (path === '/api/v1/violations' && req.method === 'POST') {
    const b = await readBody(req);
    const msg = message(PARTY, b.accused, 'violation-report', b.body);
    violations.set(msg.id, { v: { id: msg.id, reporter: PARTY, accused: b.accused, commitment: b.body.commitment, summary: b.body.summary, reported: msg.created, entries: [] }, messages: [msg] });
    return json(res, 201, { id: msg.id });
  }
  if (path === '/api/v1/shares') return json(res, 200, { shares: [
    { id: 'msg--5b3c', from: 'alpha', to: ['beta'], tlp: 'green', created: n, objects: 2, object_ids: ['indicator--1', 'indicator--2'], retracted: ['indicator--2'], outgoing: true },
    { id: 'msg--77aa', from: 'beta', to: ['alpha'], tlp: 'amber', created: n, objects: 1, object_ids: ['indicator--9'], retracted: [], outgoing: false }] });
  if (path === '/api/v1/sightings') return json(res, 200, { sightings: [
    { indicator: 'indicator--1', party: 'beta', count: 3, first_seen: n, last_seen: n, messages: 1 }] });
  if (path === '/api/v1/scorecard') {
    const rs = [...requests.values()];
    const series = rs.filter((r) => r.acknowledged || r.responded).map((r) => ({ party: r.responder, request: r.id, filed: r.filed,
      acknowledge_s: r.acknowledged ? (Date.parse(r.acknowledged) - Date.parse(r.filed)) / 1000 : null,
      respond_s: r.responded ? (Date.parse(r.responded) - Date.parse(r.filed)) / 1000 + 3600 : null }));
    return json(res, 200, { now: n, series, parties: accord.parties.map((p) => ({ party: p.name,
      requests_received: rs.filter((r) => r.responder === p.name).length, acknowledged: 0, acknowledged_on_time: 0,
      responded: 0, responded_on_time: 0, median_acknowledge_s: null, median_respond_s: null,
      overdue_now: rs.map(reqView).filter((r) => r.responder === p.name && r.overdue).length, escalations: 0, declined: 0,
      violation_reports_received: 0, violation_reports_answered: 0 })) });
  }
  if (path === '/api/v1/verify' && req.method === 'POST') return json(res, 200, { ok: true, messages: seq, receipts: seq, checkpoints: 4, log_entries: seq, cosignatures: 4, findings: [] });
  return err(res, 404, 'Not Found', 'no resource at this path');
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname.startsWith('/api/v1/')) return handleApi(req, res, url.pathname, url.searchParams);
  let p = normalize(join(dist, decodeURIComponent(url.pathname)));
  if (!p.startsWith(dist)) return err(res, 404, 'Not Found', 'no resource at this path');
  try { if (!(await stat(p)).isFile()) throw 0; } catch { p = join(dist, 'index.html'); }
  try {
    const body = await readFile(p);
    res.writeHead(200, { 'Content-Type': TYPES[extname(p)] ?? 'application/octet-stream' });
    res.end(body);
  } catch { err(res, 404, 'Not Found', 'build the dashboard first: npm run build'); }
});
server.listen(port, '127.0.0.1', () => {
  console.log(`mock detente API on http://127.0.0.1:${server.address().port} (speed ${speed})`);
});
