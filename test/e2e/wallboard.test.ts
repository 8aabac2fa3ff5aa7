/**
 * The wallboard in Debian's Chromium against a whole hub fed by the contact-centre simulator:
 * the same numbers as GET /v1/snapshot, a posted event on the right tile within a second, the
 * lost-connection banner across a hub restart, and a clear message for a bad token.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCount, formatDuration, formatPct } from '../../client/shared/format.js';
import type { Snapshot } from '../../src/protocol/index.js';
import { launchChromium } from '../support/browser.js';
import { startE2eHub, type E2eHub } from '../support/e2e-hub.js';

const TENANT = 'wb-acme';
const QUEUES = ['sales', 'support', 'billing'];

let hub: E2eHub;
let browser: Browser;

beforeAll(async () => {
  hub = await startE2eHub();
  await hub.feed({ tenant: TENANT, agents: 24, queues: 3, historyMs: 20 * 60_000, seed: 11 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

/** What each tile should show for a snapshot, by tile id. */
function expectedTiles(s: Snapshot): Map<string, string> {
  const tiles = new Map<string, string>();
  for (const id of QUEUES) {
    const q = s.queues[id];
    if (q === undefined) throw new Error(`the snapshot has no queue ${id}`);
    const w = q.windows['15m'];
    tiles.set(`${id}:waiting`, formatCount(q.waiting));
    tiles.set(`${id}:oldest`, formatDuration(q.oldestWaitSec));
    tiles.set(`${id}:sl`, formatPct(w.serviceLevel));
    tiles.set(`${id}:abandon`, formatPct(w.abandonRate));
    tiles.set(`${id}:asa`, formatDuration(w.asaSec));
    tiles.set(`${id}:aht`, formatDuration(w.ahtSec));
    tiles.set(`${id}:available`, formatCount(q.agents.available));
    tiles.set(`${id}:oncontact`, formatCount(q.agents.onContact));
    tiles.set(`${id}:acw`, formatCount(q.agents.acw));
    tiles.set(`${id}:aux`, formatCount(q.agents.aux));
  }
  const t = s.totals;
  tiles.set('totals:waiting', formatCount(t.waiting));
  tiles.set('totals:oldest', formatDuration(t.oldestWaitSec));
  tiles.set('totals:sl', formatPct(t.windows['15m'].serviceLevel));
  tiles.set('totals:abandon', formatPct(t.windows['15m'].abandonRate));
  tiles.set('totals:agents', formatCount(t.agents.available));
  return tiles;
}

async function shownTiles(page: Page): Promise<Map<string, string>> {
  const pairs = await page.locator('[data-tile]').evaluateAll((els) => els.map((e) => [e.getAttribute('data-tile') ?? '', e.querySelector('[data-value]')?.textContent ?? ''] as const));
  return new Map(pairs);
}

/** Durations that tick (oldest waits): shown within the bracket of the two snapshots. */
function seconds(text: string): number {
  return text.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
}

async function openBoard(query = `queues=${QUEUES.join(',')}&window=15m`, viewport = { width: 1920, height: 1080 }): Promise<Page> {
  const page = await browser.newPage({ viewport });
  await page.goto(`${hub.url}/wallboard?token=${hub.token(TENANT, 'wallboard')}&${query}`);
  await page.locator('.board[data-state="live"] [data-tile="sales:waiting"]').waitFor();
  return page;
}

describe('wallboard', () => {
  it('shows the same numbers as GET /v1/snapshot', async () => {
    const page = await openBoard();
    let mismatches: string[] = [];
    // Time moves the figures (waits grow, rolling windows slide): compare the page with the
    // snapshots just before and just after reading it; try again if a figure moved twice between.
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = expectedTiles(await hub.snapshot(TENANT));
      // Longer than an update interval, so the page shows a state no older than `before`.
      await page.waitForTimeout(600);
      const shown = await shownTiles(page);
      const after = expectedTiles(await hub.snapshot(TENANT));
      expect([...shown.keys()].sort()).toEqual([...before.keys()].sort());
      mismatches = [...before.keys()].filter((id) => {
        const text = shown.get(id) ?? '';
        if (text === before.get(id) || text === after.get(id)) return false;
        if (!id.endsWith(':oldest')) return true;
        const [lo, hi] = [seconds(before.get(id) ?? ''), seconds(after.get(id) ?? '')];
        return !(seconds(text) >= lo && seconds(text) <= hi);
      });
      if (mismatches.length === 0) break;
    }
    expect(mismatches).toEqual([]);
    await page.close();
  });

  it('shows a posted event on the right tile within a second', async () => {
    const page = await openBoard();
    const support = page.locator('[data-tile="support:waiting"] [data-value]');
    const billing = page.locator('[data-tile="billing:waiting"] [data-value]');
    const before = Number(await support.textContent());
    const billingBefore = await billing.textContent();
    const posted = Date.now();
    await hub.ingest(TENANT, [{ id: 'wb-e2e-1', type: 'contact.queued', ts: posted, contactId: 'wb-e2e-c1', queueId: 'support', channel: 'voice' }]);
    await expect.poll(() => support.textContent(), { interval: 10, timeout: 1000 }).toBe(String(before + 1));
    const elapsed = Date.now() - posted;
    expect(elapsed).toBeLessThan(1000);
    expect(await billing.textContent()).toBe(billingBefore);
    console.log(`wallboard: a posted event reached its tile ${elapsed} ms after the POST was sent`);
    await page.close();
  });

  it('shows the lost-connection banner while the hub is down, and recovers by itself', async () => {
    const page = await openBoard();
    await hub.stop();
    const lost = page.locator('[data-banner="lost"]');
    await lost.waitFor({ timeout: 3000 });
    expect(await lost.textContent()).toMatch(/Connection to Pulse Hub lost/);
    await page.waitForTimeout(1500);
    await hub.start();
    const restarted = Date.now();
    await page.locator('.board[data-state="live"]').waitFor({ timeout: 20_000 });
    expect(await lost.count()).toBe(0);
    console.log(`wallboard: live again ${Date.now() - restarted} ms after the hub came back`);
    // Figures flow again: a new event shows.
    const waiting = page.locator('[data-tile="sales:waiting"] [data-value]');
    const before = Number(await waiting.textContent());
    await hub.ingest(TENANT, [{ id: 'wb-e2e-2', type: 'contact.queued', ts: Date.now(), contactId: 'wb-e2e-c2', queueId: 'sales', channel: 'voice' }]);
    await expect.poll(() => waiting.textContent(), { timeout: 2000 }).toBe(String(before + 1));
    await page.close();
  });

  it('says clearly when the token has expired or is refused', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const expired = hub.token(TENANT, 'wallboard', { ttl: '1h', issuedAt: Date.now() - 3 * 3600_000 });
    await page.goto(`${hub.url}/wallboard?token=${expired}`);
    const message = page.locator('[data-message="refused"]');
    await message.waitFor({ timeout: 5000 });
    expect(await message.locator('h1').textContent()).toBe('This token has expired');
    expect(await message.textContent()).toMatch(/Ask your Pulse Hub administrator for a new one/);

    await page.goto(`${hub.url}/wallboard?token=not.a.token`);
    await message.waitFor({ timeout: 5000 });
    expect(await message.locator('h1').textContent()).toBe('This token was refused');

    await page.goto(`${hub.url}/wallboard?window=2h`);
    const config = page.locator('[data-message="config"]');
    await config.waitFor();
    expect(await config.textContent()).toMatch(/the link has no token/);
    expect(await config.textContent()).toMatch(/window must be 15m, 60m or today, not "2h"/);
    await page.close();
  });

  it('fills the screen at 1280×720 and 3840×2160 without scrolling', async () => {
    for (const viewport of [
      { width: 1280, height: 720 },
      { width: 3840, height: 2160 },
    ]) {
      const page = await openBoard('window=today', viewport);
      // A page expression (this file is compiled without the DOM library).
      const size = await page.evaluate<number[]>('[document.documentElement.scrollWidth, document.documentElement.scrollHeight]');
      expect(size).toEqual([viewport.width, viewport.height]);
      const box = await page.locator('[data-tile="sales:waiting"] [data-value]').boundingBox();
      // Readable across a room: figures at least 4 % of the screen height.
      expect(box?.height ?? 0).toBeGreaterThan(viewport.height * 0.04);
      await page.close();
    }
  });
});
