// Headless-Chromium tests of the horrors pages, against the real binary.
//
// Starts `horrors serve --demo` on a fresh database and port 0, makes tokens with
// `horrors token create`, then drives Debian's Chromium through playwright-core:
// login redirect and cookie flags, one tap = one tick (checked over the API), undo,
// the offline queue across a reload, the dashboard, the admin page and its refusal for
// staff, logout, and that no request ever leaves the server. Screenshots go to
// docs/screenshots/.
//
//   node tests/browser/run.mjs            (HORRORS_BIN, CHROMIUM override the paths)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = process.env.HORRORS_BIN || path.join(repo, 'target/debug/horrors');
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const shots = path.join(repo, 'docs/screenshots');
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--metrics-recording-only',
  '--no-default-browser-check', '--disable-features=Translate,OptimizationHints,MediaRouter',
];
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1280, height: 800 } };

let tmp;
let db;
let server;
let origin;
let browser;
let origin2 = null;  // the second server (with departments), also a local origin
const tokens = {};
const requests = [];   // every URL any page, worker or fetch asked for
const contexts = [];

// ------------------------------------------------------------------ helpers

function token(role, name) {
  const out = execFileSync(bin, ['token', 'create', '--role', role, '--name', name, '--db', db], { encoding: 'utf8' });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1].trim();
}

async function api(secret, method, route, body) {
  const res = await fetch(origin + route, {
    method,
    headers: { Authorization: `Bearer ${secret}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  let data = null;
  try { data = JSON.parse(text); } catch { data = text; }
  return { status: res.status, data };
}

/** Ticks recorded by the token called `name` (today, voided included), newest first. */
async function ticksBy(name, horror) {
  const query = `days=1&limit=1000&include_voided=true${horror ? `&horror=${horror}` : ''}`;
  const res = await api(tokens.viewer, 'GET', `/api/ticks?${query}`);
  assert.equal(res.status, 200, JSON.stringify(res.data));
  return res.data.ticks.filter((t) => t.recorded_by === name);
}

async function newContext(options = {}) {
  const context = await browser.newContext(options);
  context.on('request', (request) => requests.push(request.url()));
  contexts.push(context);
  return context;
}

async function login(page, secret, next) {
  await page.goto(origin + '/login' + (next ? `?next=${encodeURIComponent(next)}` : ''));
  await page.fill('#token', secret);
  await Promise.all([page.waitForURL((url) => !url.pathname.startsWith('/login')), page.click('form[action="/login"] button[type="submit"]')]);
}

function shot(page, name, options = {}) {
  return page.screenshot({ path: path.join(shots, name), ...options });
}

function button(page, key) {
  return page.locator(`button.horror[data-key="${key}"]`);
}

async function shownCount(page, key) {
  return Number(await button(page, key).locator('.count').textContent());
}

async function waitForServer(child) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${seen}`)), 60_000);
    // Only a whole line counts: a chunk may end in the middle of the address.
    child.stderr.on('data', (chunk) => {
      seen += chunk.toString();
      const m = /horrors is listening on (http:\/\/\S+)\r?\n/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
    child.stdout.on('data', () => {});
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${seen}`)));
  });
}

// ------------------------------------------------------------------ setup

before(async () => {
  assert.ok(fs.existsSync(bin), `${bin} is missing: run cargo build first`);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'horrors-browser-'));
  db = path.join(tmp, 'horrors.db');
  fs.mkdirSync(shots, { recursive: true });
  server = spawn(bin, ['serve', '--config', path.join(repo, 'data/horrors.toml'), '--db', db, '--bind', '127.0.0.1:0', '--demo'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, RUST_LOG: 'warn' },
  });
  origin = await waitForServer(server);
  tokens.staff = token('staff', 'Tally phone');
  tokens.viewer = token('viewer', 'Board');
  tokens.admin = token('admin', 'Ops admin');
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------ tests

test('pages without a session redirect to /login with a local next', async () => {
  for (const [route, expected] of [['/tally', '/login?next=%2Ftally'], ['/dashboard?days=7', '/login?next=%2Fdashboard%3Fdays%3D7'], ['/admin', '/login?next=%2Fadmin'], ['/', '/login']]) {
    const res = await fetch(origin + route, { redirect: 'manual' });
    assert.equal(res.status, 303, route);
    assert.equal(res.headers.get('location'), expected, route);
  }
  const context = await newContext(PHONE);
  const page = await context.newPage();
  await page.goto(origin + '/tally');
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal(new URL(page.url()).searchParams.get('next'), '/tally');
  assert.ok(await page.locator('label[for="token"]').isVisible());
  await shot(page, 'login-phone.png');
  // An outside next is dropped: login then lands on the role's own page.
  await login(page, tokens.staff, '//evil.example/');
  assert.equal(page.url(), origin + '/tally');
  await context.close();
});

test('a wrong token is refused on the login page itself', async () => {
  const context = await newContext(PHONE);
  const page = await context.newPage();
  await page.goto(origin + '/login');
  await page.fill('#token', 'hrr_not_a_token');
  const [response] = await Promise.all([page.waitForNavigation(), page.click('form[action="/login"] button')]);
  assert.equal(response.status(), 401);
  assert.match(await page.locator('#login-error').textContent(), /unknown or has been revoked/);
  assert.equal((await context.cookies()).length, 0);
  // A login POST from another origin is refused (CSRF).
  const res = await fetch(origin + '/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: 'http://evil.example' },
    body: `token=${tokens.staff}`,
    redirect: 'manual',
  });
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('set-cookie'), null);
});

test('login sets an HttpOnly, SameSite=Strict session cookie and returns to the page asked for', async () => {
  const context = await newContext(PHONE);
  const page = await context.newPage();
  await page.goto(origin + '/tally');
  await login(page, tokens.staff);
  assert.equal(page.url(), origin + '/tally');
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'horrors_session');
  assert.ok(session, JSON.stringify(cookies));
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(session.path, '/');
  assert.equal(session.secure, false, 'plain HTTP on 127.0.0.1 is not Secure');
  const days = (session.expires * 1000 - Date.now()) / 86_400_000;
  assert.ok(days > 29 && days <= 30.01, `cookie lives ${days} days`);
  assert.equal(await page.evaluate(() => document.cookie.includes('horrors_session')), false);
  // Behind an HTTPS proxy the cookie is Secure.
  const res = await fetch(origin + '/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Forwarded-Proto': 'https' },
    body: `token=${tokens.staff}`,
    redirect: 'manual',
  });
  assert.equal(res.status, 303);
  assert.match(res.headers.get('set-cookie'), /; Secure/);
  await context.close();
});

let phone;      // the staff phone, logged in, used by the next tests in turn
let phonePage;

test('the tally shows one big full-width button per active horror with today\'s count', async () => {
  phone = await newContext(PHONE);
  phonePage = await phone.newPage();
  await login(phonePage, tokens.staff, '/tally');
  const catalogue = await api(tokens.staff, 'GET', '/api/horrors');
  const keys = catalogue.data.horrors.map((h) => h.key);
  assert.deepEqual(await phonePage.locator('button.horror').evaluateAll((bs) => bs.map((b) => b.dataset.key)), keys);
  for (const h of catalogue.data.horrors) {
    const box = await button(phonePage, h.key).boundingBox();
    assert.ok(box.height >= 48, `${h.key} is ${box.height}px tall`);
    assert.ok(box.width >= 390 - 2 * 16 - 1, `${h.key} is ${box.width}px wide`);
    assert.equal(await button(phonePage, h.key).locator('.name').textContent(), h.name);
    assert.equal(await shownCount(phonePage, h.key), h.today);
  }
  assert.equal(await phonePage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling');
});

test('one tap records one tick, shown at once and then confirmed', async () => {
  const before = await ticksBy('Tally phone', 'late-delivery');
  const shown = await shownCount(phonePage, 'late-delivery');
  // The confirmation is synchronous with the tap: measured inside the page.
  const timing = await phonePage.evaluate(() => {
    const b = document.querySelector('button.horror[data-key="late-delivery"]');
    const t0 = performance.now();
    b.click();
    return { count: b.querySelector('.count').textContent, ms: performance.now() - t0, state: b.className };
  });
  assert.equal(Number(timing.count), shown + 1);
  assert.ok(timing.ms < 100, `confirmed after ${timing.ms} ms`);
  assert.match(timing.state, /bumped/);
  await phonePage.waitForFunction(() => document.querySelector('button.horror[data-key="late-delivery"] .state').textContent.includes('saved'));
  await phonePage.waitForFunction(() => document.getElementById('last').textContent.includes('saved'));
  const after = await ticksBy('Tally phone', 'late-delivery');
  assert.equal(after.length, before.length + 1);
  const tick = after[0];
  assert.equal(tick.qty, 1);
  assert.equal(tick.source, 'internal');
  assert.equal(tick.voided, false);
  assert.equal(await shownCount(phonePage, 'late-delivery'), shown + 1);
  await shot(phonePage, 'tally-phone.png');
});

test('the complaint toggle and the "more" quantity apply to the next tap only', async () => {
  await phonePage.locator('label.toggle').tap();
  await phonePage.locator('#more summary').tap();
  await phonePage.fill('#qty', '2');
  await phonePage.fill('#note', 'Box crushed <script>alert(1)</script>');
  await button(phonePage, 'damaged-package').tap();
  await phonePage.waitForFunction(() => document.getElementById('last').textContent.includes('saved'));
  const [tick] = await ticksBy('Tally phone', 'damaged-package');
  assert.equal(tick.source, 'complaint');
  assert.equal(tick.qty, 2);
  assert.equal(tick.note, 'Box crushed <script>alert(1)</script>');
  assert.equal(await phonePage.isChecked('#complaint'), false);
  assert.equal(await phonePage.inputValue('#qty'), '1');
});

test('undo voids the last tick', async () => {
  const shown = await shownCount(phonePage, 'late-delivery');
  await button(phonePage, 'late-delivery').tap();
  await phonePage.waitForFunction(() => document.getElementById('last').textContent.includes('saved'));
  const [tick] = await ticksBy('Tally phone', 'late-delivery');
  assert.equal(tick.voided, false);
  assert.equal(await shownCount(phonePage, 'late-delivery'), shown + 1);
  assert.ok(await phonePage.locator('#undo').isVisible());
  await phonePage.locator('#undo').tap();
  await phonePage.waitForFunction(() => document.getElementById('last').textContent.startsWith('Undone'));
  const [voided] = await ticksBy('Tally phone', 'late-delivery');
  assert.equal(voided.id, tick.id);
  assert.equal(voided.voided, true);
  assert.equal(voided.void_reason, 'undo');
  await phonePage.waitForFunction((n) => Number(document.querySelector('button.horror[data-key="late-delivery"] .count').textContent) === n, shown);
  assert.equal(await phonePage.locator('#undo').isVisible(), false);
});

test('offline: taps queue, survive a reload, and sync exactly once', async () => {
  // The service worker keeps /tally loadable without a network.
  await phonePage.evaluate(async () => {
    await navigator.serviceWorker.ready;
    for (let i = 0; i < 100 && !(await caches.match('/tally')); i++) await new Promise((r) => setTimeout(r, 50));
  });
  const key = 'missed-pickup';
  const before = await ticksBy('Tally phone', key);
  const shown = await shownCount(phonePage, key);
  await phone.setOffline(true);
  for (let i = 0; i < 3; i++) await button(phonePage, key).tap();
  await phonePage.waitForFunction(() => document.getElementById('sync').textContent.startsWith('3 waiting to sync'));
  assert.equal(await shownCount(phonePage, key), shown + 3);
  assert.equal((await ticksBy('Tally phone', key)).length, before.length, 'nothing reached the server');
  await shot(phonePage, 'tally-phone-offline.png');

  await phonePage.reload();
  await phonePage.waitForSelector('button.horror');
  assert.equal(await phonePage.evaluate(() => Boolean(navigator.serviceWorker.controller)), true, 'served by the service worker');
  await phonePage.waitForFunction(() => document.getElementById('sync').textContent.startsWith('3 waiting to sync'));
  assert.equal(await shownCount(phonePage, key), shown + 3);
  assert.equal((await ticksBy('Tally phone', key)).length, before.length);

  await phone.setOffline(false);
  await phonePage.waitForFunction(() => document.getElementById('sync').textContent === 'All taps saved.', null, { timeout: 30_000 });
  let after = await ticksBy('Tally phone', key);
  assert.equal(after.length, before.length + 3);
  assert.equal(new Set(after.map((t) => t.id)).size, after.length);
  // Reload online: nothing is sent twice, and the count stays right.
  await phonePage.reload();
  await phonePage.waitForFunction(() => document.getElementById('sync').textContent === 'All taps saved.');
  after = await ticksBy('Tally phone', key);
  assert.equal(after.length, before.length + 3);
  assert.equal(await shownCount(phonePage, key), shown + 3);
  assert.deepEqual(await phonePage.evaluate(() => JSON.parse(localStorage.getItem('horrors.queue.v1'))), []);
});

test('a tap in flight when the page reloads is replayed, not doubled', async () => {
  const key = 'no-update';
  const before = await ticksBy('Tally phone', key);
  // Put a tap in the queue as if the page died right after the batch went out.
  await phonePage.evaluate(async (k) => {
    const item = { client_id: crypto.randomUUID(), horror: k, occurred_at: new Date().toISOString() };
    localStorage.setItem('horrors.queue.v1', JSON.stringify([item]));
    const csrf = document.querySelector('meta[name="csrf-token"]').content;
    const res = await fetch('/api/ticks/batch', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: JSON.stringify({ ticks: [item] }) });
    if (res.status !== 201) throw new Error(`batch ${res.status}`);
  }, key);
  await phonePage.reload();
  await phonePage.waitForFunction(() => document.getElementById('sync').textContent === 'All taps saved.');
  assert.equal((await ticksBy('Tally phone', key)).length, before.length + 1);
});

test('a tap the server refuses without naming it is set aside; the others still sync', async () => {
  const key = 'lost-package';
  const before = await ticksBy('Tally phone', key);
  // A lone surrogate makes the whole batch unreadable JSON (400, no details).
  await phonePage.evaluate((k) => {
    const good = () => ({ client_id: crypto.randomUUID(), horror: k, occurred_at: new Date().toISOString() });
    const bad = { client_id: crypto.randomUUID(), horror: k, note: 'ab\ud83d' };
    localStorage.setItem('horrors.queue.v1', JSON.stringify([good(), bad, good()]));
  }, key);
  await phonePage.reload();
  await phonePage.waitForFunction(() => document.getElementById('sync').textContent === 'All taps saved.', null, { timeout: 30_000 });
  assert.equal((await ticksBy('Tally phone', key)).length, before.length + 2, 'the two good taps are recorded once each');
  assert.deepEqual(await phonePage.evaluate(() => JSON.parse(localStorage.getItem('horrors.queue.v1'))), []);
});

test('the tally works in dark mode and with large text', async () => {
  const context = await newContext({ ...PHONE, colorScheme: 'dark' });
  const page = await context.newPage();
  await login(page, tokens.staff, '/tally');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(background, 'rgb(17, 19, 23)');
  await shot(page, 'tally-phone-dark.png');
  await page.evaluate(() => { document.documentElement.style.fontSize = '200%'; });
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), true, 'no sideways scrolling at 200 % text');
  const box = await button(page, 'wrong-address').boundingBox();
  assert.ok(box.width >= 390 - 2 * 32 - 1 && box.height >= 96, JSON.stringify(box));
  await shot(page, 'tally-phone-large-text.png');
  await context.close();
});

test('the department picker is required when departments exist, and remembered', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'horrors-browser-departments-'));
  const config = path.join(dir, 'horrors.toml');
  fs.writeFileSync(config, 'departments = ["Dispatch", "Warehouse"]\n' + fs.readFileSync(path.join(repo, 'data/horrors.toml'), 'utf8'));
  const otherDb = path.join(dir, 'horrors.db');
  const other = spawn(bin, ['serve', '--config', config, '--db', otherDb, '--bind', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, RUST_LOG: 'warn' } });
  try {
    const otherOrigin = await waitForServer(other);
    origin2 = otherOrigin;
    const staff = execFileSync(bin, ['token', 'create', '--role', 'staff', '--name', 'Dock', '--db', otherDb], { encoding: 'utf8' }).trim().split('\n').pop();
    const context = await newContext(PHONE);
    const page = await context.newPage();
    await page.goto(otherOrigin + '/login?next=%2Ftally');
    await page.fill('#token', staff);
    await Promise.all([page.waitForURL(otherOrigin + '/tally'), page.click('form[action="/login"] button')]);
    await button(page, 'lost-package').tap();
    assert.match(await page.locator('#last').textContent(), /Choose your department first/);
    assert.deepEqual(await page.evaluate(() => JSON.parse(localStorage.getItem('horrors.queue.v1') || '[]')), []);
    await page.selectOption('#department', 'Warehouse');
    await button(page, 'lost-package').tap();
    await page.waitForFunction(() => document.getElementById('last').textContent.includes('saved'));
    const res = await fetch(otherOrigin + '/api/ticks?days=1', { headers: { Authorization: `Bearer ${execFileSync(bin, ['token', 'create', '--role', 'viewer', '--name', 'v', '--db', otherDb], { encoding: 'utf8' }).trim().split('\n').pop()}` } });
    const ticks = (await res.json()).ticks;
    assert.equal(ticks.length, 1);
    assert.equal(ticks[0].department, 'Warehouse');
    await page.reload();
    assert.equal(await page.inputValue('#department'), 'Warehouse');
    await context.close();
  } finally {
    other.kill('SIGTERM');
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('pages above one\'s role say which role they need (403)', async () => {
  const response = await phonePage.goto(origin + '/admin');
  assert.equal(response.status(), 403);
  assert.match(await phonePage.locator('h1').textContent(), /needs the admin role/);
  assert.match(await phonePage.locator('main').textContent(), /Tally phone.*staff/);
  const dashboard = await phonePage.goto(origin + '/dashboard');
  assert.equal(dashboard.status(), 403);
  assert.match(await phonePage.locator('h1').textContent(), /needs the viewer role/);
  await shot(phonePage, 'forbidden-phone.png');
  const viewer = await newContext(DESKTOP);
  const page = await viewer.newPage();
  await login(page, tokens.viewer, '/admin');
  assert.equal(new URL(page.url()).pathname, '/admin');
  assert.match(await page.locator('h1').textContent(), /needs the admin role/);
  await viewer.close();
});

test('the dashboard answers "what to fix first", ranks, charts and exports', async () => {
  const context = await newContext(DESKTOP);
  const page = await context.newPage();
  const chartResponses = [];
  page.on('response', (r) => { if (r.url().includes('/charts/')) chartResponses.push(r); });
  await page.goto(origin + '/');
  await login(page, tokens.viewer);
  assert.equal(new URL(page.url()).pathname, '/dashboard');

  const ranking = (await api(tokens.viewer, 'GET', '/api/ranking')).data;
  const top = ranking.items[0];
  const sentence = await page.locator('#fix-first').textContent();
  assert.ok(sentence.startsWith(`Fix first: ${top.name} — `), sentence);
  assert.match(sentence, /of the priority score, .* in the last 30 days, /);

  const rows = page.locator('#ranking tbody tr');
  assert.equal(await rows.count(), ranking.items.length);
  for (let i = 0; i < ranking.items.length; i++) {
    const item = ranking.items[i];
    const cells = await rows.nth(i).locator('th, td').allTextContents();
    assert.equal(cells[0], String(item.rank));
    assert.ok(cells[1].startsWith(item.name), cells[1]);
    assert.equal(cells[2], item.tier);
    assert.equal(cells[3].replace(/,/g, ''), String(item.count));
    assert.equal(cells[4].replace(/,/g, ''), String(item.complaints));
    assert.equal(cells[5].replace(/,/g, ''), item.cost);
    assert.equal(cells[6].replace(/,/g, ''), String(item.previous.count));
    if (item.change_pct > 0) assert.match(cells[7], /▲/);
    if (item.change_pct < 0) assert.match(cells[7], /▼/);
  }
  assert.deepEqual(await page.locator('#ranking thead th').allTextContents(), ['Rank', 'Horror', 'Tier', 'Count', 'Complaints', 'Cost (USD)', 'Previous', 'Change']);

  const charts = page.locator('figure.chart img');
  assert.equal(await charts.count(), 5);
  const query = `from=${ranking.window.from}&to=${ranking.window.to}`;
  for (const name of ['pareto', 'compare', 'cost', 'trend', 'matrix']) {
    const img = page.locator(`#chart-${name} img`);
    assert.equal(await img.getAttribute('src'), `/charts/${name}.svg?${query}`);
    assert.ok((await img.getAttribute('alt')).length > 20);
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction((n) => { const i = document.querySelector(`#chart-${n} img`); return i.complete && i.naturalWidth > 0; }, name);
  }
  for (const r of chartResponses) {
    assert.equal(r.status(), 200, r.url());
    assert.match(r.headers()['content-type'], /^image\/svg\+xml/);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, 'dashboard-desktop.png');
  await shot(page, 'dashboard-desktop-full.png', { fullPage: true });

  // Exports carry the window and work with the session cookie.
  const exportLink = page.locator('a[href^="/api/export/ranking.csv"]');
  assert.equal(await exportLink.getAttribute('href'), `/api/export/ranking.csv?${query}`);
  const csv = await context.request.get(origin + `/api/export/ranking.csv?${query}`);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv/);
  assert.ok(await page.locator('a[href^="/api/export/ticks.csv"]').count());
  assert.ok(await page.locator('a[href^="/api/export/annual.zip?year="]').count());

  // The window picker: 7 days, then custom dates; both without script.
  await Promise.all([page.waitForNavigation(), page.click('ul.chips a[href="/dashboard?days=7"]')]);
  assert.equal(await page.locator('ul.chips a[aria-current="true"]').textContent(), 'Last 7 days');
  assert.match(await page.locator('#fix-first').textContent(), /in the last 7 days|Nothing was recorded in the last 7 days/);
  await page.fill('#from', '2026-01-01');
  await page.fill('#to', '2026-01-31');
  await Promise.all([page.waitForNavigation(), page.click('form.custom button')]);
  assert.match(await page.locator('#fix-first').textContent(), /from 2026-01-01 to 2026-01-31/);
  assert.equal(await page.locator('#chart-pareto img').getAttribute('src'), '/charts/pareto.svg?from=2026-01-01&to=2026-01-31');
  // A bad window is explained, not a crash.
  const bad = await page.goto(origin + '/dashboard?from=2026-02-30&to=2026-03-01');
  assert.equal(bad.status(), 200);
  assert.match(await page.locator('p.error').textContent(), /cannot be shown/);
  await context.close();
});

test('admin: catalogue errors inline, tokens shown once and revoked, cycles with focus', async () => {
  const context = await newContext(DESKTOP);
  const page = await context.newPage();
  page.on('dialog', (dialog) => dialog.accept());
  await login(page, tokens.admin, '/admin');
  assert.equal(new URL(page.url()).pathname, '/admin');
  const before = (await api(tokens.admin, 'GET', '/api/horrors')).data.horrors;
  assert.equal(await page.locator('li.horror-row').count(), before.length);

  // An empty name: the 422's details land beside the field, and nothing changes.
  const second = page.locator('li.horror-row').nth(1);
  await second.locator('input[name="name"]').fill('');
  await page.click('#catalogue-form button[type="submit"]');
  await page.waitForFunction(() => document.querySelectorAll('li.horror-row')[1].querySelector('small.error[data-field="name"]').textContent.length > 0);
  assert.equal(await second.locator('input[name="name"]').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#catalogue-error').textContent(), /invalid/);
  assert.deepEqual((await api(tokens.admin, 'GET', '/api/horrors')).data.horrors.map((h) => h.name), before.map((h) => h.name));

  // A fixed name saves.
  await second.locator('input[name="name"]').fill('Damaged parcel');
  await Promise.all([page.waitForURL(/saved=catalogue/), page.click('#catalogue-form button[type="submit"]')]);
  assert.equal((await api(tokens.admin, 'GET', '/api/horrors')).data.horrors[1].name, 'Damaged parcel');
  assert.match(await page.locator('p.saved').textContent(), /catalogue was saved/);

  // A new token: its secret is shown once, it works, and revoking it stops it at once.
  await page.fill('#token-name', 'Warehouse tablet');
  await page.selectOption('#token-role', 'staff');
  await page.click('#token-form button[type="submit"]');
  await page.waitForSelector('#new-token:not([hidden])');
  const secret = await page.locator('#new-token-secret').textContent();
  assert.match(secret, /^hrr_[0-9a-f]{64}$/);
  assert.equal((await api(secret, 'GET', '/api/me')).status, 200);
  const row = page.locator('#token-table tbody tr', { hasText: 'Warehouse tablet' });
  await row.locator('button.revoke').click();
  await row.locator('td.status', { hasText: 'revoked' }).waitFor();
  assert.equal((await api(secret, 'GET', '/api/me')).status, 401);

  // A cycle with two focus horrors.
  await page.fill('#new-name', 'Winter push');
  await page.check('#cycle-form input[value="late-delivery"]');
  await page.check('#cycle-form input[value="lost-package"]');
  await Promise.all([page.waitForURL(/saved=cycle/), page.click('#cycle-form button[type="submit"]')]);
  const cycles = (await api(tokens.admin, 'GET', '/api/cycles')).data.cycles;
  assert.equal(cycles[0].name, 'Winter push');
  assert.deepEqual(cycles[0].focus, ['late-delivery', 'lost-package']);
  assert.ok(await page.locator('li.cycle h3', { hasText: 'Winter push' }).count());
  // A fourth focus is refused by the page before it reaches the server.
  await page.check('#cycle-form input[value="late-delivery"]');
  await page.check('#cycle-form input[value="lost-package"]');
  await page.check('#cycle-form input[value="missed-pickup"]');
  assert.equal(await page.locator('#cycle-form input[value="no-update"]').isDisabled(), true);
  await page.goto(origin + '/admin');
  await shot(page, 'admin-desktop.png');
  await shot(page, 'admin-desktop-full.png', { fullPage: true });
  await context.close();
});

test('logout ends the session on the server', async () => {
  const cookie = (await phone.cookies()).find((c) => c.name === 'horrors_session');
  assert.equal((await fetch(origin + '/api/me', { headers: { Cookie: `horrors_session=${cookie.value}` } })).status, 200);
  await phonePage.goto(origin + '/tally');
  await Promise.all([phonePage.waitForURL(/\/login/), phonePage.click('#logout-form button')]);
  assert.equal((await phone.cookies()).find((c) => c.name === 'horrors_session'), undefined);
  assert.equal((await fetch(origin + '/api/me', { headers: { Cookie: `horrors_session=${cookie.value}` } })).status, 401);
  await phonePage.goto(origin + '/dashboard');
  assert.equal(new URL(phonePage.url()).pathname, '/login');
  // Without the session's CSRF secret, logout is refused.
  const context = await newContext(PHONE);
  const page = await context.newPage();
  await login(page, tokens.staff, '/tally');
  const res = await context.request.post(origin + '/logout', { form: { csrf: 'wrong' }, maxRedirects: 0 });
  assert.equal(res.status(), 403);
  await page.reload();
  assert.equal(new URL(page.url()).pathname, '/tally');
  await context.close();
});

test('a session dies with its token', async () => {
  const created = await api(tokens.admin, 'POST', '/api/tokens', { name: 'Short-lived', role: 'staff' });
  const context = await newContext(PHONE);
  const page = await context.newPage();
  await login(page, created.data.token, '/tally');
  assert.equal(new URL(page.url()).pathname, '/tally');
  assert.equal((await api(tokens.admin, 'POST', `/api/tokens/${created.data.id}/revoke`)).status, 200);
  await page.reload();
  assert.equal(new URL(page.url()).pathname, '/login');
  await context.close();
});

test('assets are embedded, typed and cached; no request ever leaves the server', async () => {
  const html = await (await fetch(origin + '/login')).text();
  const css = /href="(\/static\/style\.css\?v=[0-9a-f]+)"/.exec(html)[1];
  const res = await fetch(origin + css);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /^text\/css/);
  assert.match(res.headers.get('cache-control'), /max-age=31536000/);
  assert.ok(requests.length > 20, `only ${requests.length} requests recorded`);
  const local = (url) => url.startsWith(origin + '/') || (origin2 && url.startsWith(origin2 + '/'));
  const outside = requests.filter((url) => !local(url) && !url.startsWith('data:') && !url.startsWith('blob:'));
  assert.deepEqual(outside, []);
});
