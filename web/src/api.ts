// The node's JSON API (docs/api.md "Accord API"): a fetch wrapper with the session token, and
// the shapes the dashboard reads. Everything goes to the node that served the page.

export interface Party { name: string; endpoints?: string[] }
export interface Accord {
  id: string; name: string; parties: Party[];
  commitments: { id: string; text: string }[];
  deadlines: Record<string, { acknowledge_s?: number; respond_s?: number }>;
  tlp_default?: string;
}
export interface LogInfo {
  party: string; size: number; checkpoint: string | null; received_at: string | null;
  own: boolean; cosignatures: string[];
}
export interface Alert { id: string; kind: string; party: string; detail: string; created: string }
export interface Undelivered {
  id: string; recipient: string; state: string; attempts: number; next_attempt: string | null;
  last_error: string | null;
}
export interface Overview {
  now: string; party: string; accord: Accord; logs: LogInfo[]; alerts: Alert[];
  undelivered: Undelivered[]; overdue: string[];
}
export interface Req {
  id: string; requester: string; responder: string; category: string; priority: string;
  title: string; state: string; outcome: string | null; resolution: string | null;
  filed: string | null; acknowledged: string | null; responded: string | null;
  closed: string | null; acknowledge_due: string | null; respond_due: string | null;
  overdue: boolean; escalations: number; feedbacks: number;
}
export interface Proof { checkpoint: string; index: number; inclusion: string[] }
export interface Msg {
  id: string; from: string; to: string[]; kind: string; created: string; seq: number;
  tlp: string; body: Record<string, unknown>; envelope: string; proof: Proof | null;
}
export interface ViolationEntry { id: string; from: string; kind: string; answer: string | null; at: string }
export interface Violation {
  id: string; reporter: string; accused: string[]; commitment: string; summary: string;
  reported: string; entries: ViolationEntry[];
}
export interface Share {
  id: string; from: string; to: string[]; tlp: string; created: string; objects: number;
  object_ids: string[]; retracted: string[]; outgoing: boolean;
}
export interface Sighting {
  indicator: string; party: string; count: number; first_seen: string; last_seen: string;
  messages: number;
}
export interface ScoreRow {
  party: string; requests_received: number; acknowledged: number; acknowledged_on_time: number;
  responded: number; responded_on_time: number; median_acknowledge_s: number | null;
  median_respond_s: number | null; overdue_now: number; escalations: number; declined: number;
  violation_reports_received: number; violation_reports_answered: number;
}
export interface SeriesPoint {
  party: string; request: string; filed: string; acknowledge_s: number | null;
  respond_s: number | null;
}
export interface Scorecard { now: string; parties: ScoreRow[]; series: SeriesPoint[] }
export interface VerifyResult {
  ok: boolean; messages: number; receipts: number; checkpoints: number; log_entries: number;
  cosignatures: number; findings: { what: string; where: string }[];
}
export interface Me { user: string; can_act: boolean }

export class ApiError extends Error {
  constructor(public status: number, public title: string, public description: string) {
    super(description ? `${title}: ${description}` : title);
  }
}

const TOKEN_KEY = 'detente.token';
let token: string | null = sessionStorage.getItem(TOKEN_KEY);
let onUnauthorized: () => void = () => {};

export function setUnauthorizedHandler(f: () => void) { onUnauthorized = f; }
export function hasToken() { return token !== null; }
export function logout() { token = null; sessionStorage.removeItem(TOKEN_KEY); }

// The server's clock as last reported, extrapolated at the observed rate (a demo node may run
// a fast clock: `[clock] speed`), so countdowns move between polls.
const clock = { server: 0, client: 0, rate: 1 };
export function observeServerNow(now: string | undefined) {
  if (!now) return;
  const s = Date.parse(now);
  if (Number.isNaN(s)) return;
  const c = Date.now();
  if (clock.client > 0 && c - clock.client > 500 && s > clock.server) {
    const r = (s - clock.server) / (c - clock.client);
    clock.rate = Math.min(100000, Math.max(0.5, r));
  }
  clock.server = s;
  clock.client = c;
}
export function serverNow(): number {
  if (clock.client === 0) return Date.now();
  return clock.server + (Date.now() - clock.client) * clock.rate;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, 'Network error', 'the node did not answer: is `detente serve` running?');
  }
  const text = await res.text();
  let json: any = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!res.ok) {
    if (res.status === 401 && path !== '/login') { logout(); onUnauthorized(); }
    throw new ApiError(res.status, json?.title ?? `HTTP ${res.status}`,
                       json?.description ?? text.slice(0, 200));
  }
  if (json && typeof json === 'object' && 'now' in json) observeServerNow(json.now);
  return json as T;
}

export async function login(user: string, password: string): Promise<Me> {
  const r = await api<{ token: string; user: string; can_act: boolean }>(
    'POST', '/login', { user, password });
  token = r.token;
  sessionStorage.setItem(TOKEN_KEY, r.token);
  return { user: r.user, can_act: r.can_act };
}
