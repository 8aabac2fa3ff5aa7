/**
 * The supervisor console in Debian's Chromium against a simulator-fed hub: sign-in, the agent
 * board's filters and sorting, the queue table against the snapshot, keyboard use, and report
 * downloads.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '../../src/protocol/index.js';
import { launchChromium } from '../support/browser.js';
import { startE2eHub, type E2eHub } from '../support/e2e-hub.js';

const TENANT = 'console-acme';

let hub: E2eHub;
let browser: Browser;

beforeAll(async () => {
  hub = await startE2eHub();
  await hub.feed({ tenant: TENANT, agents: 30, queues: 4, historyMs: 20 * 60_000, seed: 3 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

async function signedIn(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(5000);
  await page.goto(`${hub.url}/console?token=${hub.token(TENANT, 'supervisor')}`);
  await page.locator('[data-table="agents"] tbody tr[data-row]').first().waitFor();
  return page;
}

/** The text of one column of a table's body rows, in order. */
function column(page: Page, table: string, col: string): Promise<string[]> {
  return page.locator(`[data-table="${table}"] tbody td[data-col="${col}"]`).allTextContents();
}

function agentsOf(snapshot: Snapshot, keep: (a: Snapshot['agents'][string]) => boolean): string[] {
  return Object.keys(snapshot.agents).filter((id) => keep(snapshot.agents[id]!));
}

describe('console', () => {
  it('signs in from ?token= and takes the token out of the address bar', async () => {
    const page = await signedIn();
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    expect(await page.locator('[data-conn]').textContent()).toBe('Live');
    await page.close();
  });

  it('refuses a pasted text that is not a token, and says why a token was refused', async () => {
    const page = await browser.newPage();
    await page.goto(`${hub.url}/console`);
    const token = page.getByLabel('Access token');
    await token.fill('hello world');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.getByRole('alert').textContent()).toMatch(/no spaces or line breaks/);
    await token.fill(hub.token(TENANT, 'supervisor', { ttl: '1h', issuedAt: Date.now() - 2 * 3600_000 }));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent(), { timeout: 5000 }).toMatch(/This token has expired/);
    await page.close();
  });

  it('filters the agent board by state, team, queue and name', async () => {
    const page = await signedIn();
    const snapshot = await hub.snapshot(TENANT);
    const rows = page.locator('[data-table="agents"] tbody tr[data-row]');
    const ids = async () => (await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row') ?? ''))).sort();

    await page.getByLabel('State').selectOption('on_contact');
    const onContact = agentsOf(snapshot, (a) => a.state === 'on_contact');
    expect(onContact.length).toBeGreaterThan(0);
    // The board is live: states may move between the snapshot and now, but each row shown is on contact.
    expect(new Set(await page.locator('[data-table="agents"] tbody .badge').allTextContents())).toEqual(new Set(['On contact']));

    await page.getByLabel('State').selectOption('');
    await page.getByLabel('Team').selectOption('team-2');
    expect(await ids()).toEqual(agentsOf(snapshot, (a) => a.team === 'team-2').sort());

    await page.getByLabel('Team').selectOption('');
    await page.locator('[aria-labelledby="agents-title"]').getByLabel('Queue').selectOption('billing');
    expect(await ids()).toEqual(agentsOf(snapshot, (a) => a.queues.includes('billing') || a.queueId === 'billing').sort());

    await page.locator('[aria-labelledby="agents-title"]').getByLabel('Queue').selectOption('');
    const someone = Object.entries(snapshot.agents).find(([, a]) => a.name !== null);
    if (someone === undefined) throw new Error('the simulated centre has no named agent');
    const name = someone[1].name!;
    await page.getByRole('searchbox').fill(name.toLowerCase());
    expect(await ids()).toEqual(agentsOf(snapshot, (a) => (a.name ?? '').toLowerCase().includes(name.toLowerCase())).sort());
    expect(await page.locator('.filter-count').textContent()).toMatch(/of 30 agents/);
    await page.close();
  });

  it('sorts the agent board by a column, both ways, by mouse and by keyboard', async () => {
    const page = await signedIn();
    const header = page.locator('[data-table="agents"] th:has([data-sort="handled"])');
    await page.locator('[data-table="agents"] [data-sort="handled"]').click();
    expect(await header.getAttribute('aria-sort')).toBe('descending');
    const desc = (await column(page, 'agents', 'handled')).map(Number);
    expect(desc).toEqual([...desc].sort((a, b) => b - a));

    await page.locator('[data-table="agents"] [data-sort="handled"]').focus();
    await page.keyboard.press('Enter');
    expect(await header.getAttribute('aria-sort')).toBe('ascending');
    const asc = (await column(page, 'agents', 'handled')).map(Number);
    expect(asc).toEqual([...asc].sort((a, b) => a - b));

    await page.locator('[data-table="agents"] [data-sort="name"]').click();
    const names = await page.locator('[data-table="agents"] tbody tr[data-row] th').allTextContents();
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' })));
    await page.close();
  });

  it('shows every queue of the snapshot in the queue table, and switches windows', async () => {
    const page = await signedIn();
    const snapshot = await hub.snapshot(TENANT);
    const queues = await page.locator('[data-table="queues"] tbody tr[data-row]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-row')));
    expect(queues).toEqual(Object.keys(snapshot.queues).sort());
    const offered = async () => (await column(page, 'queues', 'offered')).map(Number);
    const last15 = await offered();
    await page.getByLabel('Today').check();
    const today = await offered();
    expect(today.every((n, i) => n >= (last15[i] ?? 0))).toBe(true);
    expect(today).toEqual(Object.keys(snapshot.queues).sort().map((q) => snapshot.queues[q]!.windows.today.offered));
    await page.close();
  });

  it('downloads a report run as CSV', async () => {
    const created = await fetch(`${hub.url}/v1/reports`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${hub.token(TENANT, 'admin')}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Queue summary', kind: 'queue_summary', granularity: 'hour', period: { last: 'today' } }),
    });
    expect(created.status).toBeLessThan(300);
    const page = await signedIn();
    await page.goto(`${hub.url}/console#/reports`);
    await page.getByRole('button', { name: 'Run' }).first().click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-download="csv"]').first().click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    // The file is the run's rows: a header, then one row per period and entity.
    const csv = readFileSync((await download.path())!, 'utf8').trim().split('\r\n');
    expect(csv[0]).toMatch(/^series,period_start,period_end,entity,entity_id,/);
    expect(csv.length).toBeGreaterThan(1);
    await page.close();
  });
});
