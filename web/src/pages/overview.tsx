// Overview: the accord and its parties, each party's log (size, checkpoint, witnesses), alerts.
import type { Overview } from '../api';
import { Badge, ErrorBox, fmtTime, Link, Loading, short, Table, useApi } from '../ui';

export function OverviewPage() {
  const { data, error } = useApiOverview();
  if (!data) return <>{error ? <ErrorBox error={error} /> : <Loading />}</>;
  const a = data.accord;
  const others = a.parties.filter((p) => p.name !== data.party).length;
  return (
    <section>
      <h1>Overview</h1>
      <ErrorBox error={error} />
      <div class="cards">
        <div class="card"><div class="label">Accord</div><div class="value">{a.name}</div>
          <div class="muted mono" title={a.id}>{short(a.id, 16)}</div></div>
        <div class="card"><div class="label">This node</div><div class="value">{data.party}</div>
          <div class="muted">{others} partner{others === 1 ? '' : 's'}</div></div>
        <div class="card"><div class="label">Server time</div><div class="value small">{fmtTime(data.now)}</div></div>
        <div class={data.alerts.length + data.overdue.length + data.undelivered.length > 0 ? 'card warn' : 'card ok'}>
          <div class="label">Alerts</div>
          <div class="value" data-testid="alert-count">{data.alerts.length + data.overdue.length + data.undelivered.length}</div></div>
      </div>

      <h2>Alerts</h2>
      {data.alerts.length + data.overdue.length + data.undelivered.length === 0
        ? <p class="muted">None: no equivocation, nothing overdue, everything delivered.</p>
        : <ul class="alerts">
          {data.alerts.map((al) => (
            <li key={al.id}><Badge kind={al.kind}>{al.kind}</Badge> <strong>{al.party}</strong> {al.detail}
              <span class="muted"> {fmtTime(al.created)}</span></li>))}
          {data.overdue.map((id) => (
            <li key={id}><Badge kind="overdue">overdue</Badge> request <Link href={`/requests/${encodeURIComponent(id)}`}>{short(id)}</Link></li>))}
          {data.undelivered.map((u) => (
            <li key={u.id}><Badge kind="undelivered">undelivered</Badge> {short(u.id)} to <strong>{u.recipient}</strong>:
              {' '}{u.state}, {u.attempts} attempt{u.attempts === 1 ? '' : 's'}
              {u.next_attempt ? `, next ${fmtTime(u.next_attempt)}` : ''}
              {u.last_error ? <span class="muted"> ({u.last_error})</span> : null}</li>))}
        </ul>}

      <h2>Parties and their logs</h2>
      <Table>
        <thead><tr><th>Party</th><th>Log size</th><th>Latest checkpoint</th><th>Received</th><th>Witnessed by</th></tr></thead>
        <tbody>
          {data.logs.map((l) => {
            const party = a.parties.find((p) => p.name === l.party);
            const expected = a.parties.length - 1;
            return (
              <tr key={l.party}>
                <td><strong>{l.party}</strong>{l.own ? <Badge kind="own">own</Badge> : null}
                  {party?.endpoints?.length ? <div class="muted small mono">{party.endpoints.join(' ')}</div> : null}</td>
                <td>{l.size}</td>
                <td class="mono small" title={l.checkpoint ?? ''}>{checkpointSummary(l.checkpoint)}</td>
                <td>{fmtTime(l.received_at)}</td>
                <td>{l.cosignatures.length > 0
                  ? <>{l.cosignatures.join(', ')} <span class="muted">({l.cosignatures.length}/{expected})</span></>
                  : <span class="muted">not yet witnessed</span>}</td>
              </tr>);
          })}
        </tbody>
      </Table>

      <h2>Commitments</h2>
      <ul class="plain">{a.commitments.map((c) => <li key={c.id}><code>{c.id}</code> {c.text}</li>)}</ul>
      <h2>Deadlines</h2>
      <Table>
        <thead><tr><th>Priority</th><th>Acknowledge within</th><th>Respond within</th></tr></thead>
        <tbody>{Object.entries(a.deadlines ?? {}).sort(([x], [y]) => rank(x) - rank(y)).map(([p, d]) => (
          <tr key={p}><td>{p}</td><td>{hours(d.acknowledge_s)}</td><td>{hours(d.respond_s)}</td></tr>))}</tbody>
      </Table>
    </section>
  );
}

const PRIORITY_ORDER = ['critical', 'high', 'medium', 'low'];
function rank(p: string) { const i = PRIORITY_ORDER.indexOf(p); return i < 0 ? 99 : i; }

// A checkpoint is a signed note: origin, tree size, root hash, blank line, signatures.
function checkpointSummary(c: string | null) {
  if (!c) return '—';
  const lines = c.split('\n');
  if (lines.length < 3 || !/^\d+$/.test(lines[1])) return short(c, 20);
  const sigs = lines.slice(4).filter((x) => x.startsWith('\u2014 ')).length;
  return `size ${lines[1]} · root ${lines[2].slice(0, 12)}… · ${sigs} signature${sigs === 1 ? '' : 's'}`;
}

function hours(s: number | undefined) {
  if (s === undefined) return '—';
  return s % 86400 === 0 ? `${s / 86400} d` : s % 3600 === 0 ? `${s / 3600} h` : `${s} s`;
}

function useApiOverview() { return useApi<Overview>('/overview', 3000); }
