// Browser tests of the learner widget (/ui/learner) and the organisation
// overview (/ui/overview): a live polku-server in development mode on
// loopback with a small catalogue and events loaded over its HTTP API,
// driven in headless Chromium by playwright-core. Exits non-zero on the
// first failed check. Screenshots go to $POLKU_E2E_DIR/screenshots.
'use strict';
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
};
const SERVER = env('POLKU_SERVER');
const CLI = env('POLKU_CLI');
const UI_CLI = env('POLKU_UI_CLI');
const SOURCE = env('POLKU_SOURCE_DIR');
const OUT = path.join(env('POLKU_E2E_DIR'), 'screenshots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const TENANT = 'e2e';
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

let step = '';
function log(msg) { step = msg; console.log(`e2e: ${msg}`); }

// --- The server -------------------------------------------------------------

async function startServer(dataDir) {
  const ready = path.join(dataDir, 'ready.json');
  const proc = spawn(SERVER, [
    '--grpc_address=127.0.0.1:0', '--metrics_address=127.0.0.1:0',
    '--http_address=127.0.0.1:0', `--data_dir=${dataDir}`,
    `--rules=${SOURCE}/deploy/config/rules.yaml`, `--ready_file=${ready}`,
    '--dev_mode', '--min_group_size=2', '--shutdown_grace_seconds=2',
  ], { stdio: ['ignore', 'ignore', fs.openSync(path.join(dataDir, 'server.log'), 'w')] });
  for (let i = 0; i < 300; ++i) {
    if (fs.existsSync(ready)) return { proc, port: JSON.parse(fs.readFileSync(ready, 'utf8')).http_port };
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGKILL');
  throw new Error('polku-server did not start: ' + fs.readFileSync(path.join(dataDir, 'server.log'), 'utf8'));
}

async function api(port, method, p, body, headers = {}) {
  const r = await fetch(`http://127.0.0.1:${port}${p}`, {
    method,
    headers: { 'x-polku-tenant': TENANT, ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : {};
}

const A = (n) => `https://lms.example.edu/course/view.php?id=${n}`;
const ACTIVITIES = [
  { id: A(1), visible: true, title: 'Safety basics', url: A(1), type: 'OBJECT_TYPE_COURSE', mode: 'MODE_STRUCTURED', required: true, competencies: ['safety'] },
  { id: A(2), visible: true, title: 'Customer conversations', url: A(2), type: 'OBJECT_TYPE_COURSE', mode: 'MODE_STRUCTURED', competencies: ['service'], goalIds: ['goal-service'] },
  { id: A(3), visible: true, title: 'Service peer circle', url: A(3), type: 'OBJECT_TYPE_COMMUNITY', mode: 'MODE_SELF_DIRECTED', selfEnrol: true, competencies: ['service'], goalIds: ['goal-service'] },
  { id: A(4), visible: true, title: 'Try it at work: one difficult call', url: A(4), type: 'OBJECT_TYPE_WORK_ASSIGNMENT', mode: 'MODE_SELF_DIRECTED', selfEnrol: true, competencies: ['service'], goalIds: ['goal-service'] },
  { id: A(5), visible: true, title: 'Reflect on what you learned', url: A(5), type: 'OBJECT_TYPE_REFLECTION', mode: 'MODE_SELF_DIRECTED', selfEnrol: true, competencies: ['service'] },
  { id: A(6), visible: true, title: 'Future of service design', url: A(6), type: 'OBJECT_TYPE_RESOURCE', mode: 'MODE_SELF_DIRECTED', selfEnrol: true, competencies: ['design'], goalIds: ['goal-service'] },
  { id: A(7), visible: true, title: 'Mentoring session', url: A(7), type: 'OBJECT_TYPE_MENTORING', mode: 'MODE_BLENDED', selfEnrol: true, competencies: ['service'] },
];
const PATHS = [{
  id: 'path-service', title: 'Better customer service', goalId: 'goal-service',
  steps: [{ activityId: A(2) }, { activityId: A(3) }, { activityId: A(4) }, { activityId: A(5) }],
}];

// Eight learners in two org units, with completed formal courses over the
// last six weeks (so they sit below the band and get nudges).
async function loadDemo(port) {
  await api(port, 'POST', '/v1/catalogue/activities', { activities: ACTIVITIES });
  await api(port, 'POST', '/v1/catalogue/paths', { paths: PATHS });
  const events = [];
  const now = Date.now();
  for (let n = 1; n <= 8; ++n) {
    const unit = n <= 4 ? 'sales' : 'support';
    const acts = [A(1), A(2), n % 2 ? A(3) : A(6)];
    acts.forEach((obj, i) => {
      for (const verb of ['VERB_STARTED', 'VERB_COMPLETED']) {
        const days = 40 - 6 * i - n - (verb === 'VERB_COMPLETED' ? 0 : 2);
        events.push({ native: {
          eventId: crypto.randomUUID(),
          source: { platform: 'PLATFORM_NATIVE', instance: 'lms.example.edu' },
          occurredAt: new Date(now - days * 86400000).toISOString(),
          learner: { key: `lms.example.edu#${n}`, orgUnit: unit },
          verb,
          object: { type: obj === A(3) ? 'OBJECT_TYPE_COMMUNITY' : 'OBJECT_TYPE_COURSE', id: obj },
          initiator: i === 2 ? 'INITIATOR_SELF' : 'INITIATOR_STAFF',
          context: { required: i === 0 },
        } });
      }
    });
  }
  const r = await api(port, 'POST', '/v1/events:ingest', { events });
  assert.equal(Number(r.accepted), events.length, JSON.stringify(r).slice(0, 2000));
}

// --- Tokens, as an adapter mints them (README) ------------------------------

function b64url(buf) { return Buffer.from(buf).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''); }
function mint(secret, tenant, learner, expiry) {
  const mac = crypto.createHmac('sha256', secret).update(`polku-ui-v1\n${tenant}\n${learner}\n${expiry}`).digest();
  return `v1.${tenant}.${b64url(learner)}.${expiry}.${b64url(mac)}`;
}
const nowSeconds = () => Math.floor(Date.now() / 1000);

// A tiny page on another loopback origin that frames `url`.
function framingServer() {
  return new Promise((resolve) => {
    let target = '';
    const s = http.createServer((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><title>LMS</title><h1>LMS page</h1><iframe id="w" title="Polku" src="${target}" width="800" height="700"></iframe>`);
    });
    s.listen(0, '127.0.0.1', () => resolve({ server: s, origin: `http://127.0.0.1:${s.address().port}`, frame: (u) => { target = u; } }));
  });
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'polku_e2e_'));
  const allowed = await framingServer();
  const outsider = await framingServer();
  log('starting polku-server');
  const { proc, port } = await startServer(dataDir);
  const base = `http://127.0.0.1:${port}`;
  const ui = (...args) => execFileSync(UI_CLI, [...args, `--data_dir=${dataDir}`], { encoding: 'utf8' }).trim();
  let browser;
  try {
    log('loading a catalogue and events over HTTP');
    await loadDemo(port);
    const secret = ui('secret', `--tenant=${TENANT}`);
    assert.match(secret, /^[0-9a-f]{64}$/);
    ui('frame-ancestors', `--tenant=${TENANT}`, `--origins=${allowed.origin}`);
    assert.equal((fs.statSync(path.join(dataDir, 'ui_tenants.json')).mode & 0o777), 0o600);
    await new Promise((r) => setTimeout(r, 1200));  // the server re-reads at most once a second

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });

    // 1. The widget renders recommendations, from a token minted by `polku ui token`.
    log('widget: token exchange and recommendations');
    const learner = 'lms.example.edu#1';
    const link = ui('token', `--tenant=${TENANT}`, `--learner=${learner}`, '--ttl=120', `--base_url=${base}`);
    const ctx = await browser.newContext({ viewport: DESKTOP, locale: 'en-GB' });
    const page = await ctx.newPage();
    const resp = await page.goto(link);
    assert.equal(resp.status(), 200);
    assert.equal(new URL(page.url()).search, '', 'the token is gone from the URL after the exchange');
    assert.equal(new URL(page.url()).pathname, '/ui/learner');
    const cookies = await ctx.cookies();
    const session = cookies.find((c) => c.name === 'polku_ui_learner');
    assert.ok(session && session.httpOnly && session.sameSite === 'Lax', JSON.stringify(cookies));
    assert.match(resp.headers()['content-security-policy'], new RegExp(`frame-ancestors ${allowed.origin}`));
    await page.waitForSelector('li.rec', { timeout: 15000 }).catch(async (e) => {
      throw new Error(`no recommendation shown; the page says: ${await page.textContent('body')}`);
    });
    const recs = await page.$$eval('li.rec', (els) => els.map((e) => ({ id: e.dataset.id, title: e.querySelector('h3').textContent })));
    assert.ok(recs.length >= 2, `recommendations shown: ${JSON.stringify(recs)}`);
    assert.equal(await page.$$eval('#dimension-chart rect.bar', (e) => e.length), 6, 'six dimension bars');
    assert.equal(await page.$$eval('#dimension-chart rect.band', (e) => e.length), 1, 'the band');
    assert.ok((await page.textContent('#paths')).includes('Better customer service'), 'path progress');
    assert.match(await page.textContent('#paths'), /\d of 4 steps completed/);
    assert.ok(await page.isVisible('#optout'), 'the opt-out');
    // "Why am I seeing this": a keyboard-operable disclosure with the reason.
    await page.focus('li.rec details.why summary');
    await page.keyboard.press('Enter');
    assert.ok(await page.$eval('li.rec details.why', (d) => d.open), 'why opens with the keyboard');
    await page.screenshot({ path: path.join(OUT, 'learner-desktop.png'), fullPage: true });

    // 2. Dismiss records feedback and the item disappears.
    log('widget: dismiss');
    const first = recs[0];
    await page.click(`li.rec[data-id="${first.id}"] button.dismiss`);
    await page.waitForSelector(`li.rec[data-id="${first.id}"]`, { state: 'detached' });
    const active = await page.evaluate(() => document.activeElement && document.activeElement.tagName);
    assert.ok(['BUTTON', 'H2'].includes(active), `focus stays in the list (${active})`);
    const exported = await api(port, 'GET', `/v1/learners/${encodeURIComponent(learner)}/data`);
    const state = JSON.parse(exported.stateJson);
    const fb = state.feedback.find((f) => f.recommendation_id === first.id);
    assert.ok(fb && fb.outcome.toUpperCase().includes('DISMISS'), `feedback stored: ${JSON.stringify(state.feedback)}`);
    // Accept by keyboard.
    const second = (await page.$$eval('li.rec', (els) => els.map((e) => e.dataset.id)))[0];
    await page.focus(`li.rec[data-id="${second}"] button.accept`);
    await page.keyboard.press('Enter');
    // (A locator, not waitForFunction: the page's CSP forbids eval.)
    await page.locator(`li.rec[data-id="${second}"] .state`, { hasText: 'Accepted' }).waitFor();
    const after = JSON.parse((await api(port, 'GET', `/v1/learners/${encodeURIComponent(learner)}/data`)).stateJson);
    assert.ok(after.feedback.some((f) => f.recommendation_id === second && f.outcome.toUpperCase().includes('ACCEPT')));
    // A reload (same session) does not bring the dismissed item back.
    await page.reload();
    await page.waitForSelector('#recs-section');
    const titles = await page.$$eval('li.rec h3', (els) => els.map((e) => e.textContent));
    assert.ok(!titles.includes(first.title), `dismissed item gone after reload: ${titles}`);

    // Finnish, at phone width.
    log('widget: Finnish at phone width');
    await page.setViewportSize(PHONE);
    await page.goto(`${base}/ui/learner?lang=fi`);
    await page.waitForSelector('#recs-section');
    assert.equal(await page.textContent('h1'), 'Seuraavat askeleesi');
    assert.ok((await page.textContent('#privacy')).includes('Älä muodosta minusta oppimisprofiilia'));
    await page.screenshot({ path: path.join(OUT, 'learner-phone-fi.png'), fullPage: true });
    await ctx.close();

    // 3. Expired, forged and replayed tokens are refused.
    log('widget: refused tokens');
    const ctx2 = await browser.newContext({ viewport: DESKTOP });
    const p2 = await ctx2.newPage();
    const bad = {
      expired: mint(secret, TENANT, learner, nowSeconds() - 300),
      forged: mint('0'.repeat(64), TENANT, learner, nowSeconds() + 120),
      otherLearner: link.split('token=')[1].replace(b64url(learner), b64url('lms.example.edu#2')),
      replayed: link.split('token=')[1],
    };
    for (const [name, token] of Object.entries(bad)) {
      const r = await p2.goto(`${base}/ui/learner?token=${token}`);
      assert.equal(r.status(), 401, `${name} token refused`);
      assert.ok(await p2.isVisible('#refused'), `${name}: refusal page`);
      assert.equal((await ctx2.cookies()).length, 0, `${name}: no session cookie`);
    }
    assert.ok((await p2.textContent('#refused')).includes('already used'));
    await p2.screenshot({ path: path.join(OUT, 'learner-refused.png') });
    // A token minted by the adapter's own code (the README's format) works.
    const r = await p2.goto(`${base}/ui/learner?token=${mint(secret, TENANT, 'lms.example.edu#3', nowSeconds() + 120)}`);
    assert.equal(r.status(), 200);
    await ctx2.close();

    // 4. Framing: allowed origin shows the widget; another origin is blocked.
    log('widget: frame-ancestors');
    for (const [who, srv, expectShown] of [['allowed', allowed, true], ['outsider', outsider, false]]) {
      const c = await browser.newContext({ viewport: DESKTOP });
      const p = await c.newPage();
      const refusals = [];
      p.on('console', (m) => { if (/frame-ancestors/.test(m.text())) refusals.push(m.text()); });
      srv.frame(`${base}/ui/learner?token=${mint(secret, TENANT, 'lms.example.edu#4', nowSeconds() + 120)}`);
      await p.goto(`${srv.origin}/`);
      const frameEl = await p.waitForSelector('#w');
      const frame = await frameEl.contentFrame();
      if (expectShown) {
        await frame.waitForSelector('li.rec', { timeout: 15000 });
        assert.equal(refusals.length, 0, refusals.join('\n'));
      } else {
        await p.waitForTimeout(2000);
        let widget = null;
        try { widget = await frame.$('#widget'); } catch (e) { widget = null; }
        assert.equal(widget, null, 'the outsider frame shows no widget');
        assert.ok(refusals.length > 0, 'Chromium reports the frame-ancestors refusal');
      }
      await p.screenshot({ path: path.join(OUT, `framed-${who}.png`) });
      await c.close();
    }

    // 5. The overview: a key with insights:read, charts drawn on the page.
    log('overview');
    const keyFor = (scopes) => execFileSync(CLI, ['keys', 'create', `--data_dir=${dataDir}`, `--tenant=${TENANT}`, `--scopes=${scopes}`, '--name=e2e'], { encoding: 'utf8' }).trim();
    const insightsKey = keyFor('insights:read');
    const writeKey = keyFor('events:write');
    await new Promise((r2) => setTimeout(r2, 1500));  // key file reload
    for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
      const c = await browser.newContext({ viewport });
      const p = await c.newPage();
      const external = [];
      p.on('request', (q) => { if (!q.url().startsWith(base)) external.push(q.url()); });
      await p.goto(`${base}/ui/overview`);
      await p.waitForSelector('#signin');
      if (name === 'desktop') {
        await p.fill('#apikey', writeKey);
        await p.keyboard.press('Enter');
        await p.waitForSelector('#signin-error');
        assert.match(await p.textContent('#signin-error'), /insights:read|scope|refused/i);
      }
      await p.fill('#apikey', insightsKey);
      await p.click('#signin button');
      await p.waitForSelector('#chart-units');
      const bars = await p.$$eval('#chart-units rect.bar', (e) => e.length);
      assert.equal(bars, 2, 'one bar per org unit (sales, support)');
      const points = await p.$$eval('#chart-trend rect.point', (e) => e.length);
      assert.ok(points >= 3, `weekly trend points: ${points}`);
      assert.ok(await p.$$eval('.unit svg.trend', (e) => e.length) >= 2, 'per-unit trends');
      assert.match(await p.textContent('#units'), /sales/);
      assert.match(await p.textContent('#summary'), /Lagging dimensions/);
      assert.equal(external.length, 0, `no external requests: ${external}`);
      await p.screenshot({ path: path.join(OUT, `overview-${name}.png`), fullPage: true });
      await c.close();
    }
    // The overview data needs a session; a wrong key never gets one.
    const refused = await fetch(`${base}/ui/overview/data`);
    assert.equal(refused.status, 401);
    log(`passed; screenshots in ${OUT}`);
  } finally {
    if (browser) await browser.close();
    proc.kill('SIGTERM');
    allowed.server.close();
    outsider.server.close();
  }
}

main().catch((e) => {
  console.error(`e2e: FAILED at "${step}": ${e.stack || e}`);
  process.exit(1);
});
