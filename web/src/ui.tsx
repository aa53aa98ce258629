// Small shared pieces: data loading with polling, formatting, badges, countdowns, links.
import { useEffect, useState, useCallback } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { api, ApiError, serverNow } from './api';

export function navigate(path: string) {
  if (location.pathname + location.search === path) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

export function Link(p: { href: string; children: ComponentChildren; class?: string }) {
  return (
    <a href={p.href} class={p.class} onClick={(e) => {
      if (e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
      e.preventDefault();
      navigate(p.href);
    }}>{p.children}</a>
  );
}

// GETs `path` now and every `pollMs` (0: once); reload() refetches at once.
export function useApi<T>(path: string, pollMs = 0) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    let alive = true;
    let timer: number | undefined;
    const run = async () => {
      try {
        const d = await api<T>('GET', path);
        if (alive) { setData(d); setError(null); }
      } catch (e) {
        if (alive) setError(e instanceof ApiError ? e : new ApiError(0, 'Error', String(e)));
      }
      if (alive && pollMs > 0) timer = window.setTimeout(run, pollMs);
    };
    run();
    return () => { alive = false; if (timer) clearTimeout(timer); };
  }, [path, pollMs, tick]);
  return { data, error, reload };
}

// Re-renders every `ms` (for countdowns).
export function useTicker(ms = 500) {
  const [, set] = useState(0);
  useEffect(() => {
    const t = setInterval(() => set((n) => n + 1), ms);
    return () => clearInterval(t);
  }, [ms]);
}

export function ErrorBox({ error }: { error: ApiError | Error | null }) {
  if (!error) return null;
  return <div class="error" role="alert">{error.message}</div>;
}

export function Loading() { return <p class="muted">Loading…</p>; }

export function short(id: string | null | undefined, n = 8) {
  if (!id) return '—';
  const i = id.indexOf('--');
  const tail = i >= 0 ? id.slice(i + 2) : id;
  return tail.length > n ? tail.slice(0, n) + '…' : tail;
}

export function fmtTime(t: string | null | undefined) {
  if (!t) return '—';
  const d = new Date(t);
  if (Number.isNaN(d.getTime())) return t;
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, 'Z');
}

export function fmtDuration(s: number | null | undefined) {
  if (s === null || s === undefined || Number.isNaN(s)) return '—';
  const neg = s < 0;
  let v = Math.abs(Math.round(s));
  const d = Math.floor(v / 86400); v -= d * 86400;
  const h = Math.floor(v / 3600); v -= h * 3600;
  const m = Math.floor(v / 60); v -= m * 60;
  const parts = d > 0 ? [`${d}d`, `${h}h`] : h > 0 ? [`${h}h`, `${m}m`] : [`${m}m`, `${v}s`];
  return (neg ? '-' : '') + parts.join(' ');
}

export function Badge({ kind, children }: { kind: string; children: ComponentChildren }) {
  return <span class={`badge badge-${kind.replace(/[^a-z0-9-]/gi, '').toLowerCase()}`}>{children}</span>;
}

export function Tlp({ tlp }: { tlp: string | null | undefined }) {
  const t = (tlp || 'unmarked').toLowerCase();
  return <span class={`tlp tlp-${t.replace(/[^a-z]/g, '')}`}>TLP:{t.toUpperCase()}</span>;
}

// "due in 3h 2m" / "overdue by 5m", moving with the server's (possibly fast) clock.
export function Countdown({ due, label }: { due: string | null; label: string }) {
  if (!due) return null;
  const left = (Date.parse(due) - serverNow()) / 1000;
  const over = left < 0;
  return (
    <span class={over ? 'countdown over' : left < 3600 ? 'countdown soon' : 'countdown'}
          title={`${label} due ${fmtTime(due)}`}>
      {label} {over ? `overdue by ${fmtDuration(-left)}` : `due in ${fmtDuration(left)}`}
    </span>
  );
}

export function Json({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>;
}

export function Table({ children }: { children: ComponentChildren }) {
  return <div class="table-wrap"><table>{children}</table></div>;
}
