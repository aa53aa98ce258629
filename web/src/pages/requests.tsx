// Requests for assistance: the filterable list with countdowns, filing a request, and one
// request's timeline of signed messages (with their inclusion proofs) and its actions.
import { useState } from 'preact/hooks';
import { api, ApiError, type Me, type Msg, type Overview, type Req } from '../api';
import {
  Badge, Countdown, ErrorBox, fmtTime, Json, Link, Loading, navigate, short, Table, Tlp, useApi,
  useTicker,
} from '../ui';

const STATES = ['filed', 'acknowledged', 'info-needed', 'responded', 'closed', 'withdrawn'];
const PRIORITIES = ['critical', 'high', 'medium', 'low'];
const CATEGORIES = ['preservation', 'subscriber-info', 'traffic-data', 'content',
  'technical-assistance', 'mitigation', 'takedown', 'other'];
const TLPS = ['', 'clear', 'green', 'amber', 'amber+strict', 'red'];
const OPEN = new Set(['filed', 'acknowledged', 'info-needed']);

function Deadlines({ r }: { r: Req }) {
  if (r.state === 'filed') return <Countdown due={r.acknowledge_due} label="ack" />;
  if (r.state === 'acknowledged') return <Countdown due={r.respond_due} label="answer" />;
  if (r.state === 'info-needed') return <span class="countdown">clock stopped (info needed)</span>;
  return null;
}

function StateBadge({ r }: { r: Req }) {
  return <>
    <Badge kind={r.state}>{r.state}</Badge>
    {r.overdue ? <Badge kind="overdue">overdue</Badge> : null}
    {r.outcome ? <Badge kind="outcome">{r.outcome}</Badge> : null}
  </>;
}

export function RequestsPage({ me }: { me: Me }) {
  const [state, setState] = useState('');
  const [priority, setPriority] = useState('');
  const [party, setParty] = useState('');
  const q = new URLSearchParams();
  if (state) q.set('state', state);
  if (priority) q.set('priority', priority);
  if (party) q.set('party', party);
  const qs = q.toString();
  const { data, error, reload } = useApi<{ now: string; requests: Req[] }>(
    `/requests${qs ? '?' + qs : ''}`, 2000);
  const ov = useApi<Overview>('/overview');
  const [filing, setFiling] = useState(false);
  useTicker(500);
  const parties = ov.data?.accord.parties.map((p) => p.name) ?? [];
  return (
    <section>
      <div class="title-row">
        <h1>Requests</h1>
        {me.can_act && !filing ? <button onClick={() => setFiling(true)}>File a request</button> : null}
      </div>
      {filing && ov.data ? <FileRequestForm ov={ov.data} onDone={(id) => {
        setFiling(false); reload(); if (id) navigate(`/requests/${encodeURIComponent(id)}`);
      }} /> : null}
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>State<select name="state" value={state} onChange={(e) => setState(e.currentTarget.value)}>
          <option value="">any</option>{STATES.map((s) => <option>{s}</option>)}</select></label>
        <label>Priority<select name="priority" value={priority} onChange={(e) => setPriority(e.currentTarget.value)}>
          <option value="">any</option>{PRIORITIES.map((s) => <option>{s}</option>)}</select></label>
        <label>Party<select name="party" value={party} onChange={(e) => setParty(e.currentTarget.value)}>
          <option value="">any</option>{parties.map((s) => <option>{s}</option>)}</select></label>
      </form>
      <ErrorBox error={error} />
      {!data ? <Loading /> : data.requests.length === 0 ? <p class="muted">No requests{qs ? ' match these filters' : ' yet'}.</p> :
        <ul class="rows" data-testid="request-list">
          {data.requests.map((r) => (
            <li key={r.id} class={r.overdue ? 'row overdue' : 'row'} data-request={r.id}>
              <div class="row-main">
                <Link href={`/requests/${encodeURIComponent(r.id)}`}><strong>{r.title}</strong></Link>
                <div class="muted small">{r.requester} → {r.responder} · {r.category} ·
                  {' '}<Badge kind={`p-${r.priority}`}>{r.priority}</Badge> · filed {fmtTime(r.filed)}</div>
              </div>
              <div class="row-side"><StateBadge r={r} /><div><Deadlines r={r} /></div></div>
            </li>))}
        </ul>}
    </section>
  );
}

function FileRequestForm({ ov, onDone }: { ov: Overview; onDone: (id: string | null) => void }) {
  const partners = ov.accord.parties.map((p) => p.name).filter((n) => n !== ov.party);
  const [f, setF] = useState<Record<string, string>>({
    responder: partners[0] ?? '', category: 'preservation', priority: 'high', title: '',
    description: '', legal_basis: '', identifiers: '', retention_days: '90', start: '', end: '',
    targets: '', assistance: '', tlp: '',
  });
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: Event) =>
    setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const list = (s: string) => s.split(/[,\n]/).map((x) => x.trim()).filter(Boolean);
  const submit = async (e: Event) => {
    e.preventDefault();
    const body: Record<string, unknown> = {
      category: f.category, priority: f.priority, title: f.title, description: f.description,
      legal_basis: f.legal_basis,
    };
    if (f.category === 'preservation') {
      body.identifiers = list(f.identifiers); body.retention_days = Number(f.retention_days);
    } else if (['subscriber-info', 'traffic-data', 'content'].includes(f.category)) {
      body.identifiers = list(f.identifiers);
      body.period = { start: toRfc3339(f.start), end: toRfc3339(f.end) };
    } else if (['takedown', 'mitigation'].includes(f.category)) {
      body.targets = list(f.targets);
    } else if (f.category === 'technical-assistance') {
      body.assistance = f.assistance;
    }
    const req: Record<string, unknown> = { responder: f.responder, body };
    if (f.tlp) req.tlp = f.tlp;
    setBusy(true);
    try {
      const r = await api<{ id: string }>('POST', '/requests', req);
      onDone(r.id);
    } catch (err) { setError(err as Error); }
    setBusy(false);
  };
  const c = f.category;
  return (
    <form class="panel form" onSubmit={submit} data-testid="file-request">
      <h2>File a request</h2>
      <div class="grid">
        <label>Responder<select name="responder" value={f.responder} onChange={set('responder')}>
          {partners.map((p) => <option>{p}</option>)}</select></label>
        <label>Category<select name="category" value={f.category} onChange={set('category')}>
          {CATEGORIES.map((p) => <option>{p}</option>)}</select></label>
        <label>Priority<select name="priority" value={f.priority} onChange={set('priority')}>
          {PRIORITIES.map((p) => <option>{p}</option>)}</select></label>
        <label>TLP<select name="tlp" value={f.tlp} onChange={set('tlp')}>
          {TLPS.map((p) => <option value={p}>{p || `accord default (${ov.accord.tlp_default ?? 'amber'})`}</option>)}</select></label>
      </div>
      <label>Title<input name="title" value={f.title} onInput={set('title')} required maxLength={200} /></label>
      <label>Description<textarea name="description" value={f.description} onInput={set('description')} required /></label>
      <label>Legal basis<input name="legal_basis" value={f.legal_basis} onInput={set('legal_basis')} required placeholder="Accord art. 4" /></label>
      {c === 'preservation' || c === 'subscriber-info' || c === 'traffic-data' || c === 'content'
        ? <label>Identifiers (comma-separated)<input name="identifiers" value={f.identifiers} onInput={set('identifiers')} required /></label> : null}
      {c === 'preservation' ? <label>Retention (days)<input name="retention_days" type="number" min="1" value={f.retention_days} onInput={set('retention_days')} required /></label> : null}
      {c === 'subscriber-info' || c === 'traffic-data' || c === 'content' ? <div class="grid">
        <label>Period start<input name="start" type="datetime-local" value={f.start} onInput={set('start')} required /></label>
        <label>Period end<input name="end" type="datetime-local" value={f.end} onInput={set('end')} required /></label></div> : null}
      {c === 'takedown' || c === 'mitigation' ? <label>Targets (comma-separated)<input name="targets" value={f.targets} onInput={set('targets')} required /></label> : null}
      {c === 'technical-assistance' ? <label>Assistance wanted<textarea name="assistance" value={f.assistance} onInput={set('assistance')} required /></label> : null}
      <div class="buttons">
        <button type="submit" disabled={busy}>File and sign</button>
        <button type="button" class="secondary" onClick={() => onDone(null)}>Cancel</button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}

function toRfc3339(local: string) {
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? local : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// The actions the state machine allows this node's party now (docs/formats/workflows.md).
function allowedActions(r: Req, party: string): string[] {
  const a: string[] = [];
  const open = OPEN.has(r.state);
  if (party === r.responder) {
    if (r.state === 'filed') a.push('request-ack');
    if (r.state === 'acknowledged') a.push('request-info-needed');
    if (r.state === 'filed' || r.state === 'acknowledged') a.push('request-respond');
  }
  if (party === r.requester) {
    if (r.state === 'info-needed') a.push('request-info');
    if (r.state === 'responded') a.push('request-close');
    if (r.state === 'responded' || r.state === 'closed') a.push('request-feedback');
    if (open && r.overdue) a.push('request-escalate');
    if (r.state !== 'closed' && r.state !== 'withdrawn') a.push('request-withdraw');
  }
  if (party === r.requester || party === r.responder) a.push('request-status');
  return a;
}

const ACTION_LABELS: Record<string, string> = {
  'request-ack': 'Acknowledge', 'request-info-needed': 'Ask for information',
  'request-respond': 'Answer', 'request-info': 'Give information', 'request-close': 'Close',
  'request-feedback': 'Feedback', 'request-escalate': 'Escalate', 'request-withdraw': 'Withdraw',
  'request-status': 'Status report',
};

function ActionForm({ r, kind, onDone }: { r: Req; kind: string; onDone: () => void }) {
  const [v, setV] = useState<Record<string, string>>({
    outcome: 'completed', resolution: 'accepted',
    deadline: r.acknowledged ? 'respond' : 'acknowledge',
  });
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: Event) => setV({ ...v, [k]: (e.currentTarget as HTMLInputElement).value });
  const text = (k: string, label: string, required = true) => (
    <label>{label}<textarea name={k} value={v[k] ?? ''} onInput={set(k)} required={required} /></label>);
  const body = (): Record<string, unknown> => {
    switch (kind) {
      case 'request-ack': return v.note ? { note: v.note } : {};
      case 'request-info-needed': return { question: v.question };
      case 'request-info': return { answer: v.answer };
      case 'request-respond': {
        const b: Record<string, unknown> = { outcome: v.outcome };
        if (v.reason) b.reason = v.reason;
        if (v.details) b.details = v.details;
        return b;
      }
      case 'request-close': return { resolution: v.resolution };
      case 'request-withdraw': return v.reason ? { reason: v.reason } : {};
      case 'request-escalate': return { deadline: v.deadline };
      case 'request-feedback': return { use: v.use };
      default: return { status: v.status };
    }
  };
  return (
    <form class="panel form" data-testid={`action-${kind}`} onSubmit={async (e) => {
      e.preventDefault();
      setBusy(true);
      try {
        await api('POST', `/requests/${encodeURIComponent(r.id)}/actions`, { kind, body: body() });
        onDone();
      } catch (err) { setError(err as Error); }
      setBusy(false);
    }}>
      <h3>{ACTION_LABELS[kind] ?? kind}</h3>
      {kind === 'request-ack' ? text('note', 'Note (optional)', false) : null}
      {kind === 'request-info-needed' ? text('question', 'Question') : null}
      {kind === 'request-info' ? text('answer', 'Answer') : null}
      {kind === 'request-respond' ? <>
        <label>Outcome<select name="outcome" value={v.outcome} onChange={set('outcome')}>
          {['completed', 'partial', 'no-findings', 'declined'].map((o) => <option>{o}</option>)}</select></label>
        {text('reason', v.outcome === 'declined' ? 'Reason' : 'Reason (optional)', v.outcome === 'declined')}
        {text('details', 'Details (optional)', false)}</> : null}
      {kind === 'request-close' ? <label>Resolution<select name="resolution" value={v.resolution} onChange={set('resolution')}>
        <option>accepted</option><option>disputed</option></select></label> : null}
      {kind === 'request-withdraw' ? text('reason', 'Reason (optional)', false) : null}
      {kind === 'request-escalate' ? <label>Deadline<select name="deadline" value={v.deadline} onChange={set('deadline')}>
        <option>acknowledge</option><option>respond</option></select></label> : null}
      {kind === 'request-feedback' ? text('use', 'How the answer was used') : null}
      {kind === 'request-status' ? text('status', 'Status') : null}
      <button type="submit" disabled={busy}>Sign and send</button>
      <ErrorBox error={error} />
    </form>
  );
}

export function Timeline({ messages }: { messages: Msg[] }) {
  return (
    <ol class="timeline" data-testid="timeline">
      {messages.map((m) => (
        <li key={m.id} data-kind={m.kind}>
          <div class="tl-head">
            <Badge kind="kind">{m.kind}</Badge> <strong>{m.from}</strong> → {m.to.join(', ')}
            <span class="muted small"> {fmtTime(m.created)} · seq {m.seq} </span><Tlp tlp={m.tlp} />
          </div>
          <Json value={m.body} />
          <details>
            <summary>{m.proof ? `Inclusion proof: entry ${m.proof.index}, ${m.proof.inclusion.length} hashes` : 'No inclusion proof yet'}</summary>
            {m.proof ? <div class="proof">
              <div class="muted small">Checkpoint</div><pre class="mono">{m.proof.checkpoint}</pre>
              <div class="muted small">Audit path</div>
              <ol class="mono small">{m.proof.inclusion.map((h) => <li>{h}</li>)}</ol>
            </div> : <p class="muted small">The message is not yet in a checkpoint this node holds.</p>}
          </details>
          <details><summary>Signed envelope <span class="muted mono small">{short(m.id, 12)}</span></summary>
            <pre class="mono wrap">{m.envelope}</pre></details>
        </li>))}
    </ol>
  );
}

export function RequestPage({ id, me }: { id: string; me: Me }) {
  const { data, error, reload } = useApi<{ now: string; request: Req; messages: Msg[] }>(
    `/requests/${encodeURIComponent(id)}`, 2000);
  const ov = useApi<Overview>('/overview');
  const [action, setAction] = useState<string | null>(null);
  useTicker(500);
  if (!data) return <>{error ? <ErrorBox error={error} /> : <Loading />}</>;
  const r = data.request;
  const party = ov.data?.party ?? '';
  const actions = me.can_act && party ? allowedActions(r, party) : [];
  return (
    <section>
      <p><Link href="/requests">← Requests</Link></p>
      <h1>{r.title}</h1>
      <ErrorBox error={error instanceof ApiError && error.status !== 0 ? error : null} />
      <div class="facts">
        <div><span class="label">State</span> <span data-testid="request-state"><StateBadge r={r} /></span></div>
        <div><span class="label">Parties</span> {r.requester} → {r.responder}</div>
        <div><span class="label">Category</span> {r.category}</div>
        <div><span class="label">Priority</span> <Badge kind={`p-${r.priority}`}>{r.priority}</Badge></div>
        <div><span class="label">Filed</span> {fmtTime(r.filed)}</div>
        <div><span class="label">Acknowledge by</span> {fmtTime(r.acknowledge_due)} {r.acknowledged ? `(acknowledged ${fmtTime(r.acknowledged)})` : <Countdown due={r.acknowledge_due} label="ack" />}</div>
        <div><span class="label">Answer by</span> {fmtTime(r.respond_due)} {r.responded ? `(answered ${fmtTime(r.responded)})` : <Countdown due={r.respond_due} label="answer" />}</div>
        {r.closed ? <div><span class="label">Closed</span> {fmtTime(r.closed)} {r.resolution}</div> : null}
        <div><span class="label">Escalations</span> {r.escalations} · <span class="label">Feedback</span> {r.feedbacks}</div>
        <div class="mono small muted">{r.id}</div>
      </div>
      {actions.length > 0 ? <div class="actions">
        {actions.map((k) => <button class={action === k ? '' : 'secondary'} onClick={() => setAction(action === k ? null : k)}>{ACTION_LABELS[k]}</button>)}
      </div> : !me.can_act ? <p class="muted small">Read-only account: no actions.</p> : null}
      {action ? <ActionForm key={action} r={r} kind={action} onDone={() => { setAction(null); reload(); }} /> : null}
      <h2>History</h2>
      <Timeline messages={data.messages} />
    </section>
  );
}
