/**
 * `npm run screenshots`: the wallboard and the console as users see them, against a hub fed by
 * the contact-centre simulator, saved under docs/images/.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/support/browser.js';
import { startE2eHub } from '../test/support/e2e-hub.js';
import { ensureWebBuilt } from './web-build.js';

const OUT = fileURLToPath(new URL('../docs/images/', import.meta.url));
const TENANT = 'northwind';

ensureWebBuilt();
mkdirSync(OUT, { recursive: true });
// Rollups are handed over every 2 s (not 30 s), so the history view shows the minutes just played.
const hub = await startE2eHub({ ROLLUP_INTERVAL_MS: '2000' });
const browser = await launchChromium();
const saved: string[] = [];

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  await page.screenshot({ path: join(OUT, name), fullPage });
  saved.push(name);
}

try {
  await hub.feed({ tenant: TENANT, agents: 48, queues: 4, historyMs: 25 * 60_000, seed: 7, play: true });
  const wallboard = hub.token(TENANT, 'wallboard', { ttl: '1h' });

  const tv = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await tv.goto(`${hub.url}/wallboard?token=${wallboard}&queues=sales,support,billing&window=15m`);
  await tv.locator('[data-tile="sales:waiting"]').waitFor();
  await tv.waitForTimeout(1500);
  await shot(tv, 'wallboard-1920x1080.png');

  const small = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await small.goto(`${hub.url}/wallboard?token=${wallboard}&window=today`);
  await small.locator('[data-tile="sales:waiting"]').waitFor();
  await small.waitForTimeout(1500);
  await shot(small, 'wallboard-1280x720.png');

  const light = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await light.goto(`${hub.url}/wallboard?token=${wallboard}&queues=sales,support&window=60m&theme=light`);
  await light.locator('[data-tile="sales:waiting"]').waitFor();
  await light.waitForTimeout(1500);
  await shot(light, 'wallboard-light.png');

  const signIn = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signIn.goto(`${hub.url}/console`);
  await signIn.locator('textarea').fill('not-a-token');
  await signIn.getByRole('button', { name: 'Sign in' }).click();
  await shot(signIn, 'console-sign-in.png');

  const desk = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  await desk.goto(`${hub.url}/console?token=${hub.token(TENANT, 'supervisor')}`);
  await desk.locator('[data-table="agents"] tbody tr').first().waitFor();
  // A few trend samples (one each 5 s).
  await desk.waitForTimeout(16_000);
  await shot(desk, 'console-live.png', true);

  await desk.goto(`${hub.url}/console#/history`);
  await desk.getByRole('button', { name: 'Show' }).click();
  await desk.locator('[data-table="history"], .error').first().waitFor();
  await shot(desk, 'console-history.png');

  // The connection-lost banner: the hub goes away under an open wallboard.
  await hub.stop();
  await tv.locator('[data-banner="lost"]').waitFor();
  await shot(tv, 'wallboard-connection-lost.png');
} finally {
  await browser.close();
  await hub.close();
}
process.stdout.write(`saved ${saved.map((s) => `docs/images/${s}`).join(', ')}\n`);
