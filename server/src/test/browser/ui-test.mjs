// Spool's monitoring UI in a real browser: the machine's Chromium driven by playwright-core (no browser download).
//
//   SPOOL_UI_URL     the page to open, e.g. http://127.0.0.1:8770/ui/ (required)
//   SPOOL_PROXY_URL  optional: http://rm:port/proxy/<appId>/ of the `sleeper` function, opened for step 4
//   SHOTS_DIR        where the PNG screenshots go (default: ./shots)
//   CHROMIUM         the browser (default /usr/bin/chromium)
//   SPOOL_SCENARIO   {"flaky": fid, "sleeper": fid, "talker": jobId, "resultJob": jobId, "resultValue": json}
//
// One line per step; on the first failure a message, failure.png, and exit code 1.
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const UI_URL = process.env.SPOOL_UI_URL;
const PROXY_URL = process.env.SPOOL_PROXY_URL || '';
const SHOTS_DIR = resolve(process.env.SHOTS_DIR || 'shots');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

class StepFailure extends Error {}

function fail(message) {
  throw new StepFailure(message);
}

function scenario() {
  if (!UI_URL) fail('SPOOL_UI_URL is not set');
  let s;
  try {
    s = JSON.parse(process.env.SPOOL_SCENARIO || '');
  } catch (e) {
    fail(`SPOOL_SCENARIO is not JSON: ${e.message}`);
  }
  for (const key of ['flaky', 'sleeper', 'talker', 'resultJob']) {
    if (typeof s[key] !== 'string' || !s[key]) fail(`SPOOL_SCENARIO has no "${key}"`);
  }
  if (!('resultValue' in s)) fail('SPOOL_SCENARIO has no "resultValue"');
  return s;
}

/** The UI's URL with a hash route (the page's own query, e.g. user.name, stays). */
function at(route, base = UI_URL) {
  const url = new URL(base);
  url.hash = route;
  return url.toString();
}

const sleep = (ms) => new Promise((r) => { setTimeout(r, ms); });

/**
 * Polls `probe(see)` until it returns a truthy value; fails with `what` after `timeout` ms, naming what the probe
 * last reported with see(x) (or its last error).
 */
async function until(what, probe, { timeout = 30_000, interval = 250 } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  let lastError;
  const see = (x) => { last = x; };
  for (;;) {
    try {
      const value = await probe(see);
      if (value) return value;
      lastError = undefined;
    } catch (e) {
      if (e instanceof StepFailure) throw e;
      lastError = e;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `; last error: ${lastError.message.split('\n')[0]}`
        : last !== undefined ? `; last seen: ${JSON.stringify(last)}` : '';
      fail(`timed out after ${timeout / 1000} s waiting for ${what}${seen}`);
    }
    await sleep(interval);
  }
}

/** The text of a test id's element, trimmed, or null while there is none. */
async function text(page, testid) {
  const el = page.getByTestId(testid);
  if ((await el.count()) === 0) return null;
  return (await el.first().textContent()).trim();
}

async function visible(page, testid, timeout = 30_000) {
  await page.getByTestId(testid).first().waitFor({ state: 'visible', timeout });
}

/** The error banner's text if it shows one. */
async function bannerError(page) {
  const banner = page.getByTestId('error');
  return (await banner.isVisible()) ? (await banner.textContent()).trim() : null;
}

/** Rows of the jobs table: [{id, status}]. */
async function jobRows(page) {
  return page.$$eval('[data-testid^="job-row-"]', (rows) => rows.map((row) => {
    const id = row.getAttribute('data-testid').slice('job-row-'.length);
    const cell = row.querySelector(`[data-testid="job-status-${CSS.escape(id)}"]`);
    return { id, status: cell ? cell.textContent.trim() : null };
  }));
}

async function runningCount(page) {
  const t = await text(page, 'running-count');
  return t === null || t === '' ? null : Number(t);
}

async function logLines(page) {
  const t = await page.getByTestId('job-log').textContent();
  return t.split('\n').filter((line) => line.trim() !== '').length;
}

/* ------------------------------------------------------------------ steps */

async function functionsPage(page, s) {
  await page.goto(at('#/functions?sort=creationDate&order=desc'));
  await visible(page, 'functions-table');
  const row = page.getByTestId(`function-row-${s.flaky}`);
  // Page on until the flaky function's row shows (it is among the newest, so normally on the first page).
  await until(`the row of function ${s.flaky}`, async () => {
    // whether this page had loaded is read before looking for the row, so a page that renders in between is
    // searched again rather than skipped
    const loaded = (await page.locator('[data-testid^="function-row-"], [data-testid="functions-empty"]').count()) > 0;
    if ((await row.count()) > 0) return true;
    const error = await bannerError(page);
    if (error) fail(`the functions page shows an error: ${error}`);
    const next = page.getByTestId('functions-next');
    if (loaded && (await next.isEnabled())) await next.click();
    return false;
  }, { timeout: 30_000 });
  await until('flaky counts SUCCESS 5 and FAILURE 5', async (see) => {
    const success = await text(page, `count-${s.flaky}-SUCCESS`);
    const failure = await text(page, `count-${s.flaky}-FAILURE`);
    see({ SUCCESS: success, FAILURE: failure });
    return success === '5' && failure === '5';
  }, { timeout: 30_000 });
  return 'flaky listed with SUCCESS 5, FAILURE 5';
}

async function failedJobs(page, s) {
  await page.goto(at(`#/functions/${s.flaky}/jobs`));
  await visible(page, 'jobs-table');
  await until('the jobs of flaky', async () => (await jobRows(page)).length > 0);
  await page.getByTestId('filter-status').selectOption('FAILURE');
  const rows = await until('exactly 5 rows, all FAILURE', async (see) => {
    const r = await jobRows(page);
    see(r);
    return r.length === 5 && r.every((x) => x.status === 'FAILURE') ? r : false;
  }, { timeout: 20_000 });
  if (!page.url().includes('status=FAILURE')) fail(`the filter is not in the URL: ${page.url()}`);
  return `5 FAILURE rows: ${rows.map((r) => r.id).join(', ')}`;
}

async function rerunFailed(page, s) {
  const failedIds = (await jobRows(page)).map((r) => r.id);
  await page.getByTestId('select-all').check();
  await until('every row checked', async () => {
    for (const id of failedIds) if (!(await page.getByTestId(`select-${id}`).isChecked())) return false;
    return true;
  }, { timeout: 5_000 });
  await page.getByTestId('bulk-rerun').click();
  await until('the rerun reply', async () => {
    const error = await bannerError(page);
    if (error) fail(`rerun failed: ${error}`);
    const notice = page.getByTestId('notice');
    return (await notice.isVisible()) && /rerun/i.test(await notice.textContent());
  }, { timeout: 20_000 });
  await page.getByTestId('filter-status').selectOption('');
  const rows = await until('all 10 jobs of flaky SUCCESS', async (see) => {
    const r = await jobRows(page);
    see(r.map((x) => `${x.id} ${x.status}`));
    return r.length === 10 && r.every((x) => x.status === 'SUCCESS') ? r : false;
  }, { timeout: 90_000, interval: 500 });
  const reruns = await Promise.all(failedIds.map((id) => text(page, `job-attempts-${id}`)));
  return `10 SUCCESS after the rerun (attempts of the rerun jobs: ${reruns.join(', ')})`;
}

async function concurrency(page, s) {
  if (PROXY_URL) {
    await page.goto(PROXY_URL);
  } else {
    await page.goto(at(`#/functions/${s.sleeper}`));
  }
  await visible(page, 'function-page');
  const id = await text(page, 'function-id');
  if (id !== s.sleeper) fail(`the page shows function ${id}, not the sleeper ${s.sleeper}`);
  let max = 0;
  const sample = async () => {
    const n = await runningCount(page);
    if (n !== null) max = Math.max(max, n);
    if (max > 1) fail(`running-count shows ${max} with maximumConcurrency 1`);
    return n;
  };
  await until('a running sleeper job', async (see) => {
    see(await sample());
    return max === 1;
  }, { timeout: 60_000, interval: 200 });
  const watchUntil = Date.now() + 4_000;
  while (Date.now() < watchUntil) {
    await sample();
    await sleep(200);
  }
  const input = page.getByTestId('input-maximumConcurrency');
  await input.fill('3');
  await page.getByTestId('save-attributes').click();
  await until('maximumConcurrency saved as 3', async (see) => {
    const error = await bannerError(page);
    if (error) fail(`saving failed: ${error}`);
    const shown = await text(page, 'attr-maximumConcurrency');
    const value = await input.inputValue();
    see({ attribute: shown, input: value });
    return shown === '3' && value === '3';
  }, { timeout: 20_000 });
  let peak = 0;
  await until('3 sleeper jobs running', async (see) => {
    const n = await runningCount(page);
    see(n);
    if (n !== null) peak = Math.max(peak, n);
    if (peak > 3) fail(`running-count shows ${peak} with maximumConcurrency 3`);
    return n === 3;
  }, { timeout: 60_000, interval: 200 });
  return `at most 1 running for 4 s${PROXY_URL ? ' (through the YARN proxy)' : ''}; 3 running after the save`;
}

async function liveLog(page, s) {
  await page.goto(at(`#/jobs/${s.talker}`));
  await visible(page, 'job-page');
  const status = await until('the talker job', () => text(page, 'job-status'));
  if (status !== 'RUNNING') fail(`the talker job is ${status}, not RUNNING: it ended before this step`);
  const first = await until('3 log lines', async (see) => {
    const n = await logLines(page);
    see(n);
    return n >= 3 ? n : false;
  }, { timeout: 30_000 });
  const later = await until(`more than ${first} log lines`, async (see) => {
    const n = await logLines(page);
    see(n);
    return n > first ? n : false;
  }, { timeout: 20_000 });
  return `${first} lines, then ${later}`;
}

async function result(page, s) {
  await page.goto(at(`#/jobs/${s.resultJob}`));
  await visible(page, 'job-page');
  const shown = await until('the result', async () => {
    const error = await bannerError(page);
    if (error) fail(`the job page shows an error: ${error}`);
    return text(page, 'job-result');
  }, { timeout: 30_000 });
  let parsed;
  try {
    parsed = JSON.parse(shown);
  } catch (e) {
    fail(`job-result is not JSON: ${shown.slice(0, 200)}`);
  }
  if (!isDeepStrictEqual(parsed, s.resultValue)) {
    fail(`job-result shows ${JSON.stringify(parsed)}, expected ${JSON.stringify(s.resultValue)}`);
  }
  return `result ${JSON.stringify(parsed).slice(0, 80)}`;
}

const STEPS = [
  ['01-functions', 'functions page lists flaky with SUCCESS 5, FAILURE 5', functionsPage],
  ['02-failed-jobs', 'jobs of flaky filtered to FAILURE', failedJobs],
  ['03-rerun', 'bulk rerun of the failed jobs ends all SUCCESS', rerunFailed],
  ['04-concurrency', 'sleeper: running count follows maximumConcurrency', concurrency],
  ['05-live-log', 'talker: the log tail grows live', liveLog],
  ['06-result', 'resultJob: the JSON result', result],
];

/* ------------------------------------------------------------------ main */

async function main() {
  let s;
  try {
    s = scenario();
  } catch (e) {
    console.error(`ui: ${e.message}`);
    console.log('ui: 0 passed, 1 failed');
    return 1;
  }
  mkdirSync(SHOTS_DIR, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'spool-ui-chromium-'));
  // A fresh profile directory: Playwright takes it as launchPersistentContext's userDataDir (it refuses a
  // --user-data-dir argument to launch()).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
    viewport: { width: 1400, height: 1000 },
  });
  const page = context.pages()[0] || await context.newPage();
  page.on('dialog', (dialog) => dialog.accept());
  const browserErrors = [];
  page.on('pageerror', (e) => browserErrors.push(`page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error') browserErrors.push(`console: ${m.text()}`); });

  let passed = 0;
  let failed = 0;
  try {
    for (const [shot, name, run] of STEPS) {
      const started = Date.now();
      try {
        const detail = await run(page, s);
        await page.screenshot({ path: join(SHOTS_DIR, `${shot}.png`), fullPage: true });
        passed += 1;
        console.log(`ok ${passed} ${name}: ${detail} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      } catch (e) {
        failed += 1;
        const message = e instanceof StepFailure ? e.message : (e.stack || String(e));
        console.log(`FAILED ${shot} ${name}: ${message}`);
        console.log(`  at ${page.url()}`);
        for (const line of browserErrors.slice(-10)) console.log(`  ${line}`);
        try {
          await page.screenshot({ path: join(SHOTS_DIR, 'failure.png'), fullPage: true });
          console.log(`  screenshot: ${join(SHOTS_DIR, 'failure.png')}`);
        } catch (shotError) {
          console.log(`  no screenshot: ${shotError.message}`);
        }
        break;
      }
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  console.log(`ui: ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`ui: ${e.stack || e}`);
  console.log('ui: 0 passed, 1 failed');
  process.exit(1);
});
