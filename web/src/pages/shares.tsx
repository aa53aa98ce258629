// Shares: what was shared with whom under which TLP (both directions), and the sightings of
// this party's indicators that partners sent back.
import type { Share, Sighting } from '../api';
import { Badge, ErrorBox, fmtTime, Loading, short, Table, Tlp, useApi } from '../ui';

export function SharesPage() {
  const shares = useApi<{ shares: Share[] }>('/shares', 5000);
  const sightings = useApi<{ sightings: Sighting[] }>('/sightings', 5000);
  return (
    <section>
      <h1>Shares</h1>
      <ErrorBox error={shares.error} />
      {!shares.data ? <Loading /> : shares.data.shares.length === 0 ? <p class="muted">Nothing shared yet.</p> :
        <Table>
          <thead><tr><th>Direction</th><th>From → to</th><th>TLP</th><th>Objects</th><th>When</th><th>Share</th></tr></thead>
          <tbody>{shares.data.shares.map((s) => (
            <tr key={s.id}>
              <td><Badge kind={s.outgoing ? 'outgoing' : 'incoming'}>{s.outgoing ? 'sent' : 'received'}</Badge></td>
              <td>{s.from} → {s.to.join(', ')}</td>
              <td><Tlp tlp={s.tlp} /></td>
              <td>{s.objects}{s.retracted.length > 0 ? <span class="muted"> ({s.retracted.length} retracted)</span> : null}
                {s.object_ids.length > 0 ? <details><summary class="small">ids</summary>
                  <ul class="plain mono small">{s.object_ids.map((o) => <li class={s.retracted.includes(o) ? 'struck' : ''}>{o}</li>)}</ul></details> : null}</td>
              <td>{fmtTime(s.created)}</td>
              <td class="mono small" title={s.id}>{short(s.id)}</td>
            </tr>))}</tbody>
        </Table>}
      <h2>Sightings received</h2>
      <ErrorBox error={sightings.error} />
      {!sightings.data ? <Loading /> : sightings.data.sightings.length === 0 ? <p class="muted" data-testid="sightings">No sightings of our indicators yet.</p> :
        <div data-testid="sightings"><Table>
          <thead><tr><th>Indicator</th><th>Sighted by</th><th>Count</th><th>First seen</th><th>Last seen</th><th>Messages</th></tr></thead>
          <tbody>{sightings.data.sightings.map((s) => (
            <tr key={s.indicator + s.party}>
              <td class="mono small" title={s.indicator}>{short(s.indicator, 13)}</td>
              <td>{s.party}</td><td>{s.count}</td><td>{fmtTime(s.first_seen)}</td>
              <td>{fmtTime(s.last_seen)}</td><td>{s.messages}</td>
            </tr>))}</tbody>
        </Table></div>}
    </section>
  );
}
