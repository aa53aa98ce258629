// Violation reports: each report beside its answers and disputes (never adjudicated), the
// evidence objects, reporting and answering from the page.
import { useState } from 'preact/hooks';
import { api, type Me, type Msg, type Overview, type Violation } from '../api';
import { Badge, ErrorBox, fmtTime, Json, Link, Loading, navigate, short, useApi } from '../ui';
import { Timeline } from './requests';

function SideBySide({ v }: { v: Violation }) {
  return (
    <div class="side-by-side">
      <div class="panel report">
        <div class="label">Report by {v.reporter} · {fmtTime(v.reported)}</div>
        <div>against <strong>{v.accused.join(', ')}</strong> · commitment <code>{v.commitment}</code></div>
        <p>{v.summary}</p>
      </div>
      <div class="panel answers">
        <div class="label">Answers and disputes</div>
        {v.entries.length === 0 ? <p class="muted">No answer yet.</p> :
          <ul class="plain">{v.entries.map((e) => (
            <li key={e.id}><Badge kind={e.kind}>{e.kind.replace('violation-', '')}</Badge>
              {e.answer ? <> <Badge kind={`a-${e.answer}`}>{e.answer}</Badge></> : null}
              {' '}<strong>{e.from}</strong> <span class="muted small">{fmtTime(e.at)}</span></li>))}</ul>}
      </div>
    </div>
  );
}

export function ViolationsPage({ me }: { me: Me }) {
  const { data, error, reload } = useApi<{ violations: Violation[] }>('/violations', 3000);
  const ov = useApi<Overview>('/overview');
  const [reporting, setReporting] = useState(false);
  return (
    <section>
      <div class="title-row"><h1>Violations</h1>
        {me.can_act && !reporting ? <button onClick={() => setReporting(true)}>Report a violation</button> : null}</div>
      {reporting && ov.data ? <ReportForm ov={ov.data} onDone={(id) => {
        setReporting(false); reload(); if (id) navigate(`/violations/${encodeURIComponent(id)}`);
      }} /> : null}
      <ErrorBox error={error} />
      {!data ? <Loading /> : data.violations.length === 0 ? <p class="muted">No violation reports.</p> :
        data.violations.map((v) => (
          <article key={v.id} class="violation">
            <h2><Link href={`/violations/${encodeURIComponent(v.id)}`}>{v.summary.slice(0, 90) || short(v.id)}</Link></h2>
            <SideBySide v={v} />
          </article>))}
    </section>
  );
}

function ReportForm({ ov, onDone }: { ov: Overview; onDone: (id: string | null) => void }) {
  const partners = ov.accord.parties.map((p) => p.name).filter((n) => n !== ov.party);
  const [accused, setAccused] = useState<string[]>(partners.slice(0, 1));
  const [commitment, setCommitment] = useState(ov.accord.commitments[0]?.id ?? '');
  const [summary, setSummary] = useState('');
  const [evidence, setEvidence] = useState('[]');
  const [error, setError] = useState<Error | null>(null);
  return (
    <form class="panel form" data-testid="report-violation" onSubmit={async (e) => {
      e.preventDefault();
      let ev: unknown;
      try { ev = JSON.parse(evidence); } catch { setError(new Error('Evidence: not valid JSON (an array of STIX objects or ids)')); return; }
      try {
        const r = await api<{ id: string }>('POST', '/violations',
          { accused, body: { commitment, summary, evidence: ev } });
        onDone(r.id);
      } catch (err) { setError(err as Error); }
    }}>
      <h2>Report a violation</h2>
      <fieldset><legend>Accused</legend>{partners.map((p) => (
        <label class="inline"><input type="checkbox" checked={accused.includes(p)} onChange={(e) =>
          setAccused(e.currentTarget.checked ? [...accused, p] : accused.filter((x) => x !== p))} /> {p}</label>))}</fieldset>
      <label>Commitment<select name="commitment" value={commitment} onChange={(e) => setCommitment(e.currentTarget.value)}>
        {ov.accord.commitments.map((c) => <option value={c.id}>{c.id}: {c.text}</option>)}</select></label>
      <label>Summary<textarea name="summary" value={summary} onInput={(e) => setSummary(e.currentTarget.value)} required /></label>
      <label>Evidence (JSON array)<textarea name="evidence" class="mono" value={evidence} onInput={(e) => setEvidence(e.currentTarget.value)} /></label>
      <div class="buttons"><button type="submit">Sign and send</button>
        <button type="button" class="secondary" onClick={() => onDone(null)}>Cancel</button></div>
      <ErrorBox error={error} />
    </form>
  );
}

export function ViolationPage({ id, me }: { id: string; me: Me }) {
  const { data, error, reload } = useApi<{ violation: Violation; messages: Msg[] }>(
    `/violations/${encodeURIComponent(id)}`, 3000);
  const ov = useApi<Overview>('/overview');
  const [kind, setKind] = useState('');
  const [answer, setAnswer] = useState('investigating');
  const [statement, setStatement] = useState('');
  const [actError, setActError] = useState<Error | null>(null);
  if (!data) return <>{error ? <ErrorBox error={error} /> : <Loading />}</>;
  const v = data.violation;
  const party = ov.data?.party ?? '';
  const involved = party === v.reporter || v.accused.includes(party);
  const report = data.messages.find((m) => m.kind === 'violation-report');
  const evidence = (report?.body?.evidence as unknown[] | undefined) ?? [];
  return (
    <section>
      <p><Link href="/violations">← Violations</Link></p>
      <h1>Violation report {short(v.id)}</h1>
      <SideBySide v={v} />
      <h2>Evidence ({evidence.length})</h2>
      {evidence.length === 0 ? <p class="muted">No evidence objects attached.</p> :
        evidence.map((o, i) => <details open={i < 3}><summary>{describe(o)}</summary><Json value={o} /></details>)}
      {me.can_act && involved ? <div class="actions">
        {v.accused.includes(party) ? <button class={kind === 'violation-response' ? '' : 'secondary'} onClick={() => setKind('violation-response')}>Answer</button> : null}
        <button class={kind === 'violation-dispute' ? '' : 'secondary'} onClick={() => setKind('violation-dispute')}>Dispute</button>
      </div> : null}
      {kind ? <form class="panel form" data-testid={`action-${kind}`} onSubmit={async (e) => {
        e.preventDefault();
        const body: Record<string, unknown> = { statement };
        if (kind === 'violation-response') body.answer = answer;
        try {
          await api('POST', `/violations/${encodeURIComponent(v.id)}/actions`, { kind, body });
          setKind(''); setStatement(''); reload();
        } catch (err) { setActError(err as Error); }
      }}>
        {kind === 'violation-response' ? <label>Answer<select name="answer" value={answer} onChange={(e) => setAnswer(e.currentTarget.value)}>
          {['acknowledged', 'denied', 'investigating', 'remedied'].map((a) => <option>{a}</option>)}</select></label> : null}
        <label>Statement<textarea name="statement" value={statement} onInput={(e) => setStatement(e.currentTarget.value)} required /></label>
        <button type="submit">Sign and send</button>
        <ErrorBox error={actError} />
      </form> : null}
      <h2>Messages</h2>
      <Timeline messages={data.messages} />
    </section>
  );
}

function describe(o: unknown): string {
  if (typeof o === 'string') return o;
  if (o && typeof o === 'object') {
    const x = o as Record<string, unknown>;
    return [x.type, x.name ?? x.pattern ?? x.value ?? '', x.id ? `(${short(String(x.id))})` : '']
      .filter(Boolean).join(' ');
  }
  return String(o);
}
