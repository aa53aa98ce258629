// Verify: runs the node's full verification (signatures, receipts, checkpoints, log entries,
// cosignatures) and shows each result and finding.
import { useState } from 'preact/hooks';
import { api, type VerifyResult } from '../api';
import { ErrorBox, fmtTime } from '../ui';

export function VerifyPage() {
  const [result, setResult] = useState<VerifyResult | null>(null);
  const [at, setAt] = useState<string | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true); setError(null);
    try { setResult(await api<VerifyResult>('POST', '/verify')); setAt(new Date().toISOString()); } catch (e) { setError(e as Error); }
    setBusy(false);
  };
  const rows: [string, keyof VerifyResult][] = [
    ['Signed messages', 'messages'], ['Receipts', 'receipts'], ['Checkpoints', 'checkpoints'],
    ['Log entries', 'log_entries'], ['Cosignatures', 'cosignatures'],
  ];
  return (
    <section>
      <h1>Verify</h1>
      <p class="muted">Checks every signature, receipt, checkpoint, log entry and cosignature this node holds, for every party.</p>
      <button onClick={run} disabled={busy} data-testid="run-verify">{busy ? 'Verifying…' : 'Run verification'}</button>
      <ErrorBox error={error} />
      {result ? <div data-testid="verify-result">
        <div class={result.ok ? 'banner ok' : 'banner bad'}>
          {result.ok ? '✓ Everything verifies' : `✗ ${result.findings.length} finding${result.findings.length === 1 ? '' : 's'}`}
          <span class="muted small"> {at ? fmtTime(at) : ''}</span></div>
        <ul class="checks">{rows.map(([label, k]) => (
          <li><span class="ok-mark">✓</span> {label}: <strong>{String(result[k])}</strong> checked</li>))}</ul>
        {result.findings.length > 0 ? <><h2>Findings</h2>
          <ul class="checks">{result.findings.map((f) => <li class="bad"><span>✗</span> {f.what} <span class="muted mono small">{f.where}</span></li>)}</ul></> : null}
      </div> : null}
    </section>
  );
}
