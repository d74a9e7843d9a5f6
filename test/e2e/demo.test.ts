/**
 * The demo end to end, in headless Chromium driven by playwright-core (Debian's when installed,
 * else the one inside @sparticuz/chromium; see test/helpers/browser.ts): `samla start --demo` on a free port with
 * its own Redis prefix; on the chat page a participant in Arendal picks herself, jumps the time
 * control to the check-in for samling 2, answers the check-in card in Web Chat, and the
 * organisers' dashboard then shows the answer. Screenshots go to test-artifacts/.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { launchChromium } from '../helpers/browser.ts';
import { testRedis, type TestRedis } from '../helpers/redis.ts';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const TONE = 'tone.aas@arendal.example.no';
const NEED = 'Mer tid til å dele erfaringer mellom kommunene';

let t: TestRedis;
let browser: Browser | undefined;
let page: Page;
let base = '';
let stop: () => void = () => {};
let running: Promise<number> | undefined;
let stdout = '';

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `e2e-${name}.png`), fullPage: true });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  t = await testRedis();
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  running = main(['start', '--demo', '--port', '0'], {
    env: { REDIS_URL: t.url, SAMLA_REDIS_PREFIX: t.prefix, LOG_LEVEL: 'silent', SAMLA_TICK_EVERY_MS: '600000' },
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: () => {} },
    untilStopped: () => stopped,
  });
  const deadline = Date.now() + 15_000;
  while (!/running on (http:\/\/localhost:\d+)/.test(stdout)) {
    if (Date.now() > deadline) throw new Error(`Samla did not start: ${stdout}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  base = /running on (http:\/\/localhost:\d+)/.exec(stdout)![1]!;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, locale: 'nb-NO' });
}, 90_000); // the first run unpacks @sparticuz/chromium (a few seconds, more on a busy machine)

afterAll(async () => {
  await browser?.close();
  stop();
  if (running) expect(await running).toBe(0);
  await t?.cleanup();
}, 30_000);

describe('the demo in a browser', () => {
  it('answers a check-in through Web Chat and shows it on the dashboard', async () => {
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // Choose who you are: Samla greets Tone in her personal chat (Teams' personal install).
    await page.goto(`${base}/chat`);
    await page.selectOption('#who', TONE);
    const chat = page.locator('#webchat');
    await chat.getByText('Jeg er Samla, nettverkets hjelper mellom samlingene').waitFor({ timeout: 15_000 });
    await page.locator('#clock', { hasText: 'mandag 26. april kl. 10.00' }).waitFor();
    await shot('1-chosen');

    // Jump to the check-in (three days before samling 2, moved out of the weekend to Monday 08:00).
    await page.locator('#upcoming button[data-kind="checkin"]').click();
    await page.locator('#time-status[data-done]').waitFor({ timeout: 30_000 });
    expect(await page.textContent('#time-status')).toContain('mandag 3. mai kl. 08.00');
    const card = chat.locator('.ac-adaptiveCard', { hasText: 'Kommer du på samlingen?' }).last();
    await card.waitFor({ timeout: 15_000 });
    await shot('2-checkin-card');

    // Answer it in the card, as in Teams.
    await card.getByRole('radio', { name: 'ja' }).first().check();
    await card.getByRole('radio', { name: 'delvis' }).check();
    await card.locator('textarea').fill(NEED);
    await card.getByRole('button', { name: 'Send inn' }).click();
    // Samla updates the card in place with what was recorded.
    await chat.getByText('Takk! Svarene dine er lagret.').waitFor({ timeout: 15_000 });
    await shot('3-answered');

    // The answer is in Redis, and the check-in went out through the Teams adapter (occurrence sent).
    const checkins = await t.redis.hgetall(`${t.prefix}{agder-helse-demo}:checkins:samling-2`);
    const answer = JSON.parse(checkins[`4203|${TONE}`]!) as { answers: Record<string, string> };
    expect(answer.answers).toEqual({ attending: 'ja', prepared: 'delvis', need: NEED });
    const occurrences = await t.redis.hgetall(`${t.prefix}{agder-helse-demo}:occ`);
    const toneCheckin = Object.entries(occurrences).find(([id]) => id.includes(':checkin:samling-2') && id.endsWith(TONE));
    expect(toneCheckin?.[1]).toBe('sent');

    // The organisers' dashboard (localhost, demo mode) counts it and quotes the need.
    await page.goto(`${base}/dashboard`);
    const text = async (selector: string) => ((await page.textContent(selector)) ?? '').replace(/\s+/g, ' ').trim();
    expect(await text('[data-testid=readiness-checkin]')).toMatch(/^1 av \d+$/);
    expect(await text('[data-testid=readiness-coming]')).toBe('1');
    expect(await text('[data-testid=needs]')).toContain(`Arendal: «${NEED}»`);
    expect(await text('[data-testid=readiness] tr[data-municipality="4203"]')).toContain('1 av 4');
    // The digest as it would be sent carries it too.
    expect(await text('[data-testid=digest]')).toContain(NEED);
    await shot('4-dashboard');
    expect(errors).toEqual([]);
  }, 60_000);
});
