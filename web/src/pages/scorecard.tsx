// Scorecard: the per-party figures (accord::ComputeScorecard, the same for every party that
// holds the same messages) and a chart of response times over time, drawn as plain SVG.
import { useState } from 'preact/hooks';
import type { Scorecard, SeriesPoint } from '../api';
import { ErrorBox, fmtDuration, fmtTime, Loading, Table, useApi } from '../ui';

const COLORS = ['#1d4e89', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207'];

function pct(n: number, d: number) { return d === 0 ? '—' : `${Math.round((100 * n) / d)}%`; }

export function ScorecardPage() {
  const { data, error } = useApi<Scorecard>('/scorecard', 5000);
  const [metric, setMetric] = useState<'respond_s' | 'acknowledge_s'>('respond_s');
  if (!data) return <>{error ? <ErrorBox error={error} /> : <Loading />}</>;
  return (
    <section>
      <h1>Scorecard</h1>
      <p class="muted small">As of {fmtTime(data.now)}. Each party's figures are over the requests it received and the reports against it.</p>
      <Table>
        <thead><tr><th>Party</th><th>Received</th><th>Acked on time</th><th>Answered on time</th>
          <th>Median ack</th><th>Median answer</th><th>Overdue now</th><th>Escalations</th><th>Declined</th><th>Violation reports answered</th></tr></thead>
        <tbody>{data.parties.map((p) => (
          <tr key={p.party} data-party={p.party}>
            <td><strong>{p.party}</strong></td><td>{p.requests_received}</td>
            <td>{p.acknowledged_on_time}/{p.requests_received} <span class="muted">{pct(p.acknowledged_on_time, p.requests_received)}</span></td>
            <td>{p.responded_on_time}/{p.requests_received} <span class="muted">{pct(p.responded_on_time, p.requests_received)}</span></td>
            <td>{fmtDuration(p.median_acknowledge_s)}</td><td>{fmtDuration(p.median_respond_s)}</td>
            <td class={p.overdue_now > 0 ? 'bad' : ''}>{p.overdue_now}</td><td>{p.escalations}</td><td>{p.declined}</td>
            <td>{p.violation_reports_answered}/{p.violation_reports_received}</td>
          </tr>))}</tbody>
      </Table>
      <div class="title-row"><h2>{metric === 'respond_s' ? 'Time to answer' : 'Time to acknowledge'} over time</h2>
        <select aria-label="metric" value={metric} onChange={(e) => setMetric(e.currentTarget.value as 'respond_s' | 'acknowledge_s')}>
          <option value="respond_s">time to answer</option><option value="acknowledge_s">time to acknowledge</option></select></div>
      <Chart series={data.series} parties={data.parties.map((p) => p.party)} metric={metric} />
    </section>
  );
}

function niceMax(v: number) {
  if (v <= 0) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function Chart({ series, parties, metric }: { series: SeriesPoint[]; parties: string[]; metric: 'respond_s' | 'acknowledge_s' }) {
  const pts = series.filter((s) => s[metric] !== null && s.filed)
    .map((s) => ({ party: s.party, t: Date.parse(s.filed), v: s[metric] as number, id: s.request }))
    .filter((p) => !Number.isNaN(p.t));
  if (pts.length === 0) return <p class="muted" data-testid="chart-empty">No answered requests yet: nothing to chart.</p>;
  const W = 640, H = 260, L = 56, R = 12, T = 12, B = 36;
  const t0 = Math.min(...pts.map((p) => p.t)), t1 = Math.max(...pts.map((p) => p.t));
  const span = Math.max(t1 - t0, 1);
  // Seconds, minutes or hours on the y axis, whichever reads best.
  const vmax = Math.max(...pts.map((p) => p.v));
  const unit = vmax >= 7200 ? 3600 : vmax >= 120 ? 60 : 1;
  const uname = unit === 3600 ? 'h' : unit === 60 ? 'min' : 's';
  const ymax = niceMax(vmax / unit);
  const x = (t: number) => L + ((t - t0) / span) * (W - L - R) * (t1 === t0 ? 0.5 : 1) + (t1 === t0 ? (W - L - R) / 2 : 0);
  const y = (v: number) => T + (1 - v / unit / ymax) * (H - T - B);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * ymax);
  const names = parties.filter((p) => pts.some((q) => q.party === p));
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="response times over time" data-testid="chart">
        {ticks.map((v) => <g><line x1={L} x2={W - R} y1={y(v * unit)} y2={y(v * unit)} class="grid" />
          <text x={L - 6} y={y(v * unit) + 4} text-anchor="end" class="axis">{+v.toFixed(2)} {uname}</text></g>)}
        <text x={L} y={H - 10} class="axis">{fmtTime(new Date(t0).toISOString())}</text>
        {t1 !== t0 ? <text x={W - R} y={H - 10} text-anchor="end" class="axis">{fmtTime(new Date(t1).toISOString())}</text> : null}
        {names.map((party, i) => {
          const mine = pts.filter((p) => p.party === party).sort((a, b) => a.t - b.t);
          const color = COLORS[parties.indexOf(party) % COLORS.length];
          return <g key={party}>
            {mine.length > 1 ? <polyline fill="none" stroke={color} stroke-width="2"
              points={mine.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ')} /> : null}
            {mine.map((p) => <circle cx={x(p.t)} cy={y(p.v)} r="4" fill={color}>
              <title>{`${party}: ${fmtDuration(p.v)} (request ${p.id}, filed ${fmtTime(new Date(p.t).toISOString())})`}</title></circle>)}
            {i < 0 ? null : null}
          </g>;
        })}
      </svg>
      <figcaption class="legend">{names.map((p) => (
        <span><i style={{ background: COLORS[parties.indexOf(p) % COLORS.length] }} /> {p}</span>))}</figcaption>
    </figure>
  );
}
