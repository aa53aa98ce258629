// The dashboard's shell: login with the node's accounts, the navigation, and the client routes
// (src/server/static_mount.cc DashboardClientRoutes() serves index.html at the same paths).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { api, ApiError, hasToken, login, logout, setUnauthorizedHandler, type Me } from './api';
import { ErrorBox, Link, navigate } from './ui';
import { OverviewPage } from './pages/overview';
import { RequestsPage, RequestPage } from './pages/requests';
import { ViolationsPage, ViolationPage } from './pages/violations';
import { SharesPage } from './pages/shares';
import { ScorecardPage } from './pages/scorecard';
import { VerifyPage } from './pages/verify';

const NAV: [string, string][] = [
  ['/overview', 'Overview'], ['/requests', 'Requests'], ['/violations', 'Violations'],
  ['/shares', 'Shares'], ['/scorecard', 'Scorecard'], ['/verify', 'Verify'],
];

function usePath() {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const f = () => setPath(location.pathname);
    addEventListener('popstate', f);
    return () => removeEventListener('popstate', f);
  }, []);
  return path;
}

function LoginPage({ onLogin }: { onLogin: (m: Me) => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="login">
      <h1>detente</h1>
      <p class="muted">Sign in with an account of this node (<code>detente user add</code>).</p>
      <form onSubmit={async (e) => {
        e.preventDefault();
        setBusy(true);
        try { onLogin(await login(user, password)); } catch (err) {
          // The accord API is mounted only once the node has joined an accord.
          setError(err instanceof ApiError && err.status === 404
            ? new Error('This node serves no accord API yet: join an accord (detente accord join), then restart detente serve.')
            : err as Error);
        }
        setBusy(false);
      }}>
        <label>User<input name="user" autocomplete="username" value={user}
          onInput={(e) => setUser(e.currentTarget.value)} required /></label>
        <label>Password<input name="password" type="password" autocomplete="current-password"
          value={password} onInput={(e) => setPassword(e.currentTarget.value)} required /></label>
        <button type="submit" disabled={busy}>Sign in</button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}

function Page({ path, me }: { path: string; me: Me }) {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  switch (parts[0] ?? 'overview') {
    case 'overview': return <OverviewPage />;
    case 'requests': return parts[1] ? <RequestPage id={parts[1]} me={me} /> : <RequestsPage me={me} />;
    case 'violations': return parts[1] ? <ViolationPage id={parts[1]} me={me} /> : <ViolationsPage me={me} />;
    case 'shares': return <SharesPage />;
    case 'scorecard': return <ScorecardPage />;
    case 'verify': return <VerifyPage />;
    default: return <p>No page at {path}. <Link href="/overview">Overview</Link></p>;
  }
}

function App() {
  const path = usePath();
  const [me, setMe] = useState<Me | null>(null);
  const [checked, setChecked] = useState(!hasToken());
  useEffect(() => {
    setUnauthorizedHandler(() => { setMe(null); setChecked(true); });
    if (hasToken()) {
      api<Me>('GET', '/me').then(setMe).catch(() => logout()).finally(() => setChecked(true));
    }
  }, []);
  if (!checked) return <p class="muted">Loading…</p>;
  if (!me) {
    return <LoginPage onLogin={(m) => {
      setMe(m);
      if (path === '/' || path === '/login') navigate('/overview');
    }} />;
  }
  const current = '/' + (path.split('/')[1] || 'overview');
  return (
    <>
      <header>
        <strong class="brand">detente</strong>
        <nav>
          {NAV.map(([href, label]) => (
            <Link href={href} class={current === href ? 'active' : ''}>{label}</Link>
          ))}
        </nav>
        <span class="who">
          {me.user}{me.can_act ? '' : ' (read-only)'}
          <button class="link" onClick={() => { logout(); setMe(null); navigate('/login'); }}>
            Sign out</button>
        </span>
      </header>
      <main><Page path={path === '/' || path === '/login' ? '/overview' : path} me={me} /></main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
