// End-to-end tests of the dashboard in headless Chromium (Debian's /usr/bin/chromium), driven
// by playwright-core (web/node_modules). Run by tests/web/run.sh, which starts the nodes:
//   ALPHA_URL, BETA_URL   the two nodes' dashboards (BETA_URL empty: single-node mode, e.g. the
//                         mock, where the incoming request to answer is already there)
//   ACTOR, ACTOR_PASSWORD an account that may act (grant write on "accord") on both nodes
//   READER, READER_PASSWORD a read-only account on alpha
//   SHOTS                 where the screenshots go (one per page, wide and 375 px narrow)
//   OVERDUE_WAIT_S        how long to wait for the critical request to go overdue
//   MOCK                  set: the server is web/mock/server.mjs (skips the file-header checks)
// Exits non-zero on the first failed check, printing which and why.
import { createRequire } from 'node:module';
import http from 'node:http';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, '../../web/package.json'));
const { chromium } = require('playwright-core');

const env = process.env;
const ALPHA = env.ALPHA_URL;
const BETA = env.BETA_URL || '';
const ACTOR = env.ACTOR || 'admin';
const ACTOR_PASSWORD = env.ACTOR_PASSWORD || 'admin';
const READER = env.READER || 'reader';
const READER_PASSWORD = env.READER_PASSWORD || 'reader';
const SHOTS = env.SHOTS || join(here, '../../build/web-screenshots');
const OVERDUE_WAIT_S = Number(env.OVERDUE_WAIT_S || 60);
if (!ALPHA) { console.error('e2e: set ALPHA_URL'); process.exit(2); }
mkdirSync(SHOTS, { recursive: true });

const profile = mkdtempSync(join(tmpdir(), 'detente-chromium-'));
// A fresh profile directory (playwright passes it as --user-data-dir); pages are tabs of the
// one persistent context, each with its own sessionStorage, so each logs in on its own.
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});

let failures = 0;
const results = [];
async function check(name, f) {
  const t0 = Date.now();
  try {
    await f();
    results.push(`ok   ${name} (${Date.now() - t0} ms)`);
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures += 1;
    results.push(`FAIL ${name}: ${e.message}`);
    console.log(`FAIL ${name}: ${e.stack || e.message}`);
  }
}
function rawStatus(base, path) {
  const u = new URL(base);
  return new Promise((ok, bad) => {
    http.get({ host: u.hostname, port: u.port, path }, (res) => { res.resume(); ok(res.statusCode); })
      .on('error', bad);
  });
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }

// A page that records console errors, uncaught exceptions and requests to other origins.
async function openPage(base, width = 1280, height = 900) {
  const page = await browser.newPage();
  await page.setViewportSize({ width, height });
  page.errors = [];
  const origin = new URL(base).origin;
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => page.errors.push(`exception: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('data:')) page.errors.push(`outside request: ${u}`);
  });
  page.setDefaultTimeout(15000);
  return page;
}
async function login(page, base, user, password) {
  await page.goto(base + '/');
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForSelector('header nav');
}
function noErrors(page, where) {
  assert(page.errors.length === 0, `${where}: ${page.errors.join(' | ')}`);
}

const PAGES = [
  ['overview', 'h1:text("Overview")'], ['requests', 'h1:text("Requests")'],
  ['violations', 'h1:text("Violations")'], ['shares', 'h1:text("Shares")'],
  ['scorecard', 'h1:text("Scorecard")'], ['verify', 'h1:text("Verify")'],
];

await check('static files: the dashboard is served with its types and cache headers', async () => {
  const r = await fetch(ALPHA + '/');
  assert(r.status === 200, `GET / -> ${r.status}`);
  assert((r.headers.get('content-type') || '').startsWith('text/html'), 'index.html content type');
  const html = await r.text();
  const js = html.match(/src="(\/assets\/[^"]+\.js)"/);
  assert(js, 'index.html names a script under /assets/');
  const a = await fetch(ALPHA + js[1]);
  assert(a.status === 200 && (a.headers.get('content-type') || '').startsWith('text/javascript'), `script ${a.status}`);
  if (env.MOCK) return;  // the mock serves files plainly: the header checks are the node's
  const etag = a.headers.get('etag');
  assert(etag && /immutable/.test(a.headers.get('cache-control') || ''), 'asset ETag and Cache-Control');
  const again = await fetch(ALPHA + js[1], { headers: { 'If-None-Match': etag } });
  assert(again.status === 304, `If-None-Match -> ${again.status}`);
  const head = await fetch(ALPHA + js[1], { method: 'HEAD' });
  assert(head.status === 200 && (await head.text()) === '', `HEAD -> ${head.status}`);
  const getLength = a.headers.get('content-length');
  assert(head.headers.get('content-length') === getLength && getLength !== '0',
         `HEAD Content-Length ${head.headers.get('content-length')} != GET's ${getLength}`);
  const post = await fetch(ALPHA + js[1], { method: 'POST' });
  assert(post.status === 405, `POST to a file -> ${post.status}`);
  // Sent as written (fetch would normalize the dots away before sending).
  for (const path of ['/assets/%2e%2e/index.html', '/assets/../index.html', '/%2e%2e/%2e%2e/etc/passwd']) {
    const status = await rawStatus(ALPHA, path);
    assert(status === 404, `traversal ${path} -> ${status}`);
  }
  const deep = await fetch(ALPHA + '/requests/some-id');
  assert(deep.status === 200, `client route -> ${deep.status}`);
  const api404 = await fetch(ALPHA + '/api/v1/no-such-thing');
  assert(api404.status === 404 || api404.status === 401, `unknown API path -> ${api404.status}`);
  assert(!(api404.headers.get('content-type') || '').startsWith('text/html'), 'unknown API path answered HTML');
});

await check('login: a wrong password is refused with a message', async () => {
  const page = await openPage(ALPHA);
  await page.goto(ALPHA + '/');
  await page.fill('input[name=user]', ACTOR);
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('button[type=submit]');
  await page.waitForSelector('.error');
  await page.close();
});

await check('verify: every result is shown and everything verifies', async () => {
  const page = await openPage(ALPHA);
  await login(page, ALPHA, ACTOR, ACTOR_PASSWORD);
  await page.goto(ALPHA + '/verify');
  await page.click('[data-testid=run-verify]');
  const text = await page.locator('[data-testid=verify-result]').innerText();
  assert(/Everything verifies/.test(text), `verify result: ${text}`);
  assert(/Log entries: \d+ checked/.test(text), `verify result lacks counts: ${text}`);
  noErrors(page, '/verify');
  await page.close();
});

await check('read-only user: sees the requests but no action', async () => {
  const page = await openPage(ALPHA);
  await login(page, ALPHA, READER, READER_PASSWORD);
  assert(/read-only/.test(await page.locator('header .who').innerText()), 'header says read-only');
  await page.goto(ALPHA + '/requests');
  await page.waitForSelector('h1:text("Requests")');
  await page.waitForTimeout(500);
  assert(await page.locator('button:text("File a request")').count() === 0, 'file button shown to a reader');
  noErrors(page, 'reader /requests');
  await page.close();
});

const unique = `e2e ${Date.now()}`;
await check('file a request from the page, then acknowledge and answer it on the responder\'s page', async () => {
  const page = await openPage(ALPHA);
  await login(page, ALPHA, ACTOR, ACTOR_PASSWORD);
  await page.goto(ALPHA + '/requests');
  await page.click('button:text("File a request")');
  const form = page.locator('[data-testid=file-request]');
  await form.locator('select[name=category]').selectOption('preservation');
  await form.locator('select[name=priority]').selectOption('low');
  await form.locator('input[name=title]').fill(`Keep logs (${unique})`);
  await form.locator('textarea[name=description]').fill('Botnet C2 seen from 203.0.113.7');
  await form.locator('input[name=legal_basis]').fill('Accord art. 4');
  await form.locator('input[name=identifiers]').fill('203.0.113.7, 203.0.113.8');
  await form.locator('input[name=retention_days]').fill('90');
  await page.screenshot({ path: join(SHOTS, 'file-request-form.png'), fullPage: true });
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/requests\/.+/);
  await page.waitForSelector('[data-testid=timeline] li[data-kind=request-file]');
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
  assert(/filed/.test(await page.locator('[data-testid=request-state]').innerText()), 'state filed');
  noErrors(page, 'filing');

  // The responder: the other node when there is one; in single-node mode, a request that
  // arrived here.
  let rpage = page, rbase = ALPHA, rid = id;
  if (BETA) {
    rpage = await openPage(BETA);
    await login(rpage, BETA, ACTOR, ACTOR_PASSWORD);
    rbase = BETA;
    await rpage.goto(BETA + '/requests');
    await rpage.waitForSelector(`[data-request="${id}"]`, { timeout: 30000 });
  } else {
    const incoming = await (await fetch(ALPHA + '/api/v1/requests?state=filed', { headers: { Authorization: 'Basic ' + Buffer.from(`${ACTOR}:${ACTOR_PASSWORD}`).toString('base64') } })).json();
    const r = incoming.requests.find((x) => x.responder !== x.requester && x.id !== id && x.state === 'filed' && x.requester !== 'alpha');
    if (!r) {
      const any = (await (await fetch(ALPHA + '/api/v1/requests?state=acknowledged', { headers: { Authorization: 'Basic ' + Buffer.from(`${ACTOR}:${ACTOR_PASSWORD}`).toString('base64') } })).json()).requests[0];
      assert(any, 'single-node mode: no incoming request to answer');
      rid = any.id;
    } else rid = r.id;
  }
  await rpage.goto(`${rbase}/requests/${encodeURIComponent(rid)}`);
  await rpage.waitForSelector('[data-testid=timeline]');
  if (await rpage.locator('.actions button:text("Acknowledge")').count() > 0) {
    await rpage.click('.actions button:text("Acknowledge")');
    await rpage.fill('[data-testid=action-request-ack] textarea[name=note]', 'Received; preserving now');
    await rpage.click('[data-testid=action-request-ack] button[type=submit]');
    await rpage.waitForSelector('[data-testid=request-state] .badge-acknowledged');
  }
  await rpage.click('.actions button:text("Answer")');
  const af = rpage.locator('[data-testid=action-request-respond]');
  await af.locator('select[name=outcome]').selectOption('completed');
  await af.locator('textarea[name=details]').fill('Logs preserved for 90 days');
  await rpage.screenshot({ path: join(SHOTS, 'answer-form.png'), fullPage: true });
  await af.locator('button[type=submit]').click();
  await rpage.waitForSelector('[data-testid=request-state] .badge-responded');
  await rpage.waitForSelector('[data-testid=timeline] li[data-kind=request-respond]');
  await rpage.screenshot({ path: join(SHOTS, 'request-answered.png'), fullPage: true });
  noErrors(rpage, 'answering');
  if (BETA) {
    // The requester sees the answer arrive, with its proof, and closes the case.
    await page.waitForSelector('[data-testid=request-state] .badge-responded', { timeout: 30000 });
    await page.waitForSelector('[data-testid=timeline] li[data-kind=request-respond]');
    await page.click('.actions button:text("Close")');
    await page.click('[data-testid=action-request-close] button[type=submit]');
    await page.waitForSelector('[data-testid=request-state] .badge-closed');
    await page.screenshot({ path: join(SHOTS, 'request-timeline.png'), fullPage: true });
    noErrors(page, 'closing');
    await rpage.close();
  }
  await page.close();
});

await check('a critical request goes overdue on the fast clock, in the list and the overview', async () => {
  const page = await openPage(ALPHA);
  await login(page, ALPHA, ACTOR, ACTOR_PASSWORD);
  await page.goto(ALPHA + '/requests');
  await page.click('button:text("File a request")');
  const form = page.locator('[data-testid=file-request]');
  await form.locator('select[name=category]').selectOption('technical-assistance');
  await form.locator('select[name=priority]').selectOption('critical');
  await form.locator('input[name=title]').fill(`Urgent help (${unique})`);
  await form.locator('textarea[name=description]').fill('Ransomware at a hospital');
  await form.locator('input[name=legal_basis]').fill('Accord art. 2');
  await form.locator('textarea[name=assistance]').fill('Decryptor for the strain seen');
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/requests\/.+/);
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
  await page.waitForSelector('[data-testid=request-state] .badge-overdue', { timeout: OVERDUE_WAIT_S * 1000 });
  await page.screenshot({ path: join(SHOTS, 'request-overdue.png'), fullPage: true });
  await page.goto(ALPHA + '/requests');
  await page.waitForSelector(`[data-request="${id}"].overdue`);
  assert(/overdue by/.test(await page.locator(`[data-request="${id}"]`).innerText()), 'countdown says overdue');
  // The filters: only filed requests, then only closed ones.
  await page.selectOption('select[name=state]', 'filed');
  await page.waitForFunction((rid) => {
    const rows = [...document.querySelectorAll('[data-request]')];
    return rows.length > 0 && rows.some((r) => r.getAttribute('data-request') === rid) &&
      rows.every((r) => r.querySelector('.badge-filed'));
  }, id);
  await page.selectOption('select[name=state]', 'withdrawn');
  await page.waitForFunction((rid) => !document.querySelector(`[data-request="${rid}"]`), id);
  await page.goto(ALPHA + '/overview');
  await page.waitForSelector(`.alerts a[href="/requests/${encodeURIComponent(id)}"]`);
  await page.screenshot({ path: join(SHOTS, 'overview-overdue.png'), fullPage: true });
  noErrors(page, 'overdue');
  await page.close();
});

await check('report a violation from the page; the accused answers it on theirs, side by side', async () => {
  if (!BETA) return;
  const page = await openPage(ALPHA);
  await login(page, ALPHA, ACTOR, ACTOR_PASSWORD);
  await page.goto(ALPHA + '/violations');
  await page.click('button:text("Report a violation")');
  const form = page.locator('[data-testid=report-violation]');
  await form.locator('select[name=commitment]').selectOption('C2');
  await form.locator('textarea[name=summary]').fill(`AMBER indicator seen on a public paste site (${unique})`);
  await form.locator('textarea[name=evidence]').fill(JSON.stringify([{ type: 'indicator', spec_version: '2.1',
    id: 'indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f', name: 'C2 address shared under AMBER',
    pattern: "[ipv4-addr:value = '198.51.100.3']", pattern_type: 'stix', valid_from: '2026-11-20T00:00:00Z',
    created: '2026-11-20T00:00:00Z', modified: '2026-11-20T00:00:00Z' }]));
  await form.locator('button[type=submit]').click();
  await page.waitForURL(/\/violations\/.+/);
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]);
  await page.waitForSelector('details summary:text("indicator")');
  noErrors(page, 'reporting');
  const bpage = await openPage(BETA);
  await login(bpage, BETA, ACTOR, ACTOR_PASSWORD);
  await bpage.goto(`${BETA}/violations/${encodeURIComponent(id)}`);
  await bpage.waitForSelector('.actions button:text("Answer")', { timeout: 30000 });
  await bpage.click('.actions button:text("Answer")');
  const af = bpage.locator('[data-testid=action-violation-response]');
  await af.locator('select[name=answer]').selectOption('denied');
  await af.locator('textarea[name=statement]').fill('The indicator was public before it was shared.');
  await af.locator('button[type=submit]').click();
  await bpage.waitForSelector('.side-by-side .answers .badge-a-denied');
  noErrors(bpage, 'answering the report');
  await bpage.close();
  await page.waitForSelector('.side-by-side .answers .badge-a-denied', { timeout: 30000 });
  await page.screenshot({ path: join(SHOTS, 'violation-side-by-side.png'), fullPage: true });
  noErrors(page, 'violation');
  await page.close();
});

await check('scorecard: the answered request is charted', async () => {
  if (!BETA) return;
  const page = await openPage(ALPHA);
  await login(page, ALPHA, ACTOR, ACTOR_PASSWORD);
  await page.goto(ALPHA + '/scorecard');
  await page.waitForSelector('[data-testid=chart] circle');
  await page.selectOption('select[aria-label=metric]', 'acknowledge_s');
  await page.waitForSelector('[data-testid=chart] circle');
  noErrors(page, '/scorecard');
  await page.close();
});

await check('shares: the share sent and the sightings that came back', async () => {
  if (!BETA) return;
  const page = await openPage(ALPHA);
  await login(page, ALPHA, ACTOR, ACTOR_PASSWORD);
  await page.goto(ALPHA + '/shares');
  await page.waitForSelector('td .badge-outgoing');
  assert(/TLP:(GREEN|AMBER|CLEAR)/.test(await page.locator('table').first().innerText()), 'share row names its TLP');
  for (let i = 0; i < 30 && await page.locator('[data-testid=sightings] tbody tr').count() === 0; i++) {
    await page.waitForTimeout(1000);
  }
  assert(/beta/.test(await page.locator('[data-testid=sightings]').innerText()), 'a sighting by beta is listed');
  noErrors(page, '/shares');
  await page.close();
});

for (const [width, tag] of [[1280, 'wide'], [375, 'narrow']]) {
  await check(`every page loads without console errors (${tag}, ${width} px) and is screenshotted`, async () => {
    const page = await openPage(ALPHA, width, tag === 'narrow' ? 812 : 900);
    await login(page, ALPHA, ACTOR, ACTOR_PASSWORD);
    await page.screenshot({ path: join(SHOTS, `login-done-${tag}.png`) });
    for (const [name, sel] of PAGES) {
      await page.goto(`${ALPHA}/${name}`);
      await page.waitForSelector(sel);
      await page.waitForLoadState('networkidle').catch(() => {});
      await page.waitForTimeout(300);
      if (name === 'verify') {
        await page.click('[data-testid=run-verify]');
        await page.waitForSelector('[data-testid=verify-result]');
      }
      await page.screenshot({ path: join(SHOTS, `${name}-${tag}.png`), fullPage: true });
      noErrors(page, `/${name}`);
      if (tag === 'narrow') {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert(overflow <= 1, `/${name} is ${overflow} px wider than the 375 px screen`);
        for (const box of await Promise.all((await page.locator('header nav a').all()).map((a) => a.boundingBox()))) {
          assert(box && box.x >= 0 && box.x + box.width <= width, `/${name}: a navigation link is off screen`);
        }
      }
    }
    await page.close();
  });
}


await browser.close();
rmSync(profile, { recursive: true, force: true });
console.log(`\n${results.length - failures}/${results.length} passed; screenshots in ${SHOTS}`);
process.exit(failures ? 1 : 0);
