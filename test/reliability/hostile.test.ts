/**
 * Hostile input, with generated cases (fast-check): network files, form values in the journeys,
 * Slack slash commands, button clicks and modal submissions (signed), forged signatures, and
 * Teams activities. Whatever comes in: no crash (only a SamlaError / JourneyRefusal, or a 4xx),
 * no partial write (the network's keys are compared before and after), and a clear answer.
 * Fixed cases for forged and stale Slack signatures and unsigned Teams activities in production
 * mode live in test/slack/channel.test.ts and test/teams/config.test.ts; oversized bodies in
 * ./ops.test.ts.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../adapters/redis/store.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { SamlaError } from '../../src/core/errors.ts';
import type { ActionPayload, FormValues } from '../../src/core/drafts.ts';
import { answerCheckin } from '../../src/core/journeys/checkin.ts';
import { JourneyRefusal, whoAmI, type JourneyContext, type Me } from '../../src/core/journeys/context.ts';
import { submitReflection } from '../../src/core/journeys/reflection.ts';
import { submitStatus } from '../../src/core/journeys/status.ts';
import { parseNetworkFile } from '../../src/core/networkFile.ts';
import { snapshot, testRedis, type TestRedis } from '../helpers/redis.ts';
import * as slackH from '../slack/harness.ts';
import * as teamsH from '../teams/harness.ts';
import { EXAMPLE } from './helpers.ts';

const NETWORK = 'agder-helse-2027';
const EXAMPLE_TEXT = readFileSync(EXAMPLE, 'utf8');
const RUNS = Number(process.env.FC_RUNS ?? 60);

/** Only the network's own keys (hash tag), not caches such as identities or redelivery marks. */
async function networkKeys(redis: TestRedis['redis'], prefix: string) {
  const all = await snapshot(redis, prefix);
  return Object.fromEntries(Object.entries(all).filter(([k]) => k.includes(`{${NETWORK}}`)));
}

/** Text that goes where an id or a value goes: short garbage, unicode, injection-looking, huge. */
const nasty = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '{x}', '}', '*', '../../etc', '\u0000', '<!channel>', '"; DROP', 'ola.hansen@kristiansand.example.no', '4204', 'samling-1', '💥'.repeat(50)),
  fc.string({ minLength: 3000, maxLength: 5000 }),
);

describe('network files', () => {
  it('a mutated network file parses or is refused with INVALID_INPUT and what to fix, never anything else', () => {
    const lines = EXAMPLE_TEXT.split('\n');
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), at: fc.nat(lines.length - 1) }),
      fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(lines.length - 1) }),
      fc.record({ kind: fc.constant('replace' as const), at: fc.nat(lines.length - 1), text: nasty }),
      fc.record({ kind: fc.constant('char' as const), at: fc.nat(EXAMPLE_TEXT.length - 1), text: fc.constantFrom(':', '-', ' ', '\t', '"', "'", '[', '{', '#', '&', '*', '!', '\n', 'x', '9') }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(EXAMPLE_TEXT.length - 1) }),
      fc.record({ kind: fc.constant('swap' as const), at: fc.nat(lines.length - 2) }),
    );
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        let text = EXAMPLE_TEXT;
        for (const m of mutations) {
          const ls = text.split('\n');
          if (m.kind === 'delete') ls.splice(m.at % ls.length, 1);
          else if (m.kind === 'duplicate') ls.splice(m.at % ls.length, 0, ls[m.at % ls.length] ?? '');
          else if (m.kind === 'replace') ls[m.at % ls.length] = m.text;
          else if (m.kind === 'swap') [ls[m.at % ls.length], ls[(m.at + 1) % ls.length]] = [ls[(m.at + 1) % ls.length] ?? '', ls[m.at % ls.length] ?? ''];
          text = ls.join('\n');
          if (m.kind === 'char') text = text.slice(0, m.at) + m.text + text.slice(m.at + 1);
          if (m.kind === 'truncate') text = text.slice(0, m.at);
        }
        try {
          parseNetworkFile(text, 'network.yaml');
          accepted++;
        } catch (err) {
          expect(err).toBeInstanceOf(SamlaError);
          expect((err as SamlaError).code).toBe('INVALID_INPUT');
          expect((err as SamlaError).message.length + (err as SamlaError).details.join('').length).toBeGreaterThan(10);
          refused++;
        }
      }),
      { numRuns: RUNS * 5 },
    );
    expect(refused).toBeGreaterThan(0);
    console.log(`[hostile] network files: ${accepted} mutated files still valid, ${refused} refused with INVALID_INPUT`);
  });

  it('arbitrary text is refused with INVALID_INPUT, never a crash', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 2000 }), fc.json().map((j) => j), fc.constantFrom('a: &a [*a]', '!!js/function "x"', '---\n---', '{'.repeat(5000))), (text) => {
        try {
          parseNetworkFile(text, 'x.yaml');
        } catch (err) {
          expect(err).toBeInstanceOf(SamlaError);
          expect((err as SamlaError).code).toBe('INVALID_INPUT');
        }
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

describe('form values in the journeys', () => {
  let t: TestRedis;
  let ctx: JourneyContext;
  let ola: Me;
  let anne: Me;
  beforeAll(async () => {
    t = await testRedis();
    const store = new RedisStore(t.redis, { prefix: t.prefix });
    await store.importNetwork(teamsH.loadExampleNetwork(), { now: new Date('2027-01-01T10:00:00Z') });
    ctx = { store, texts: loadTexts(), now: () => new Date('2027-02-01T10:00:00Z') };
    ola = (await whoAmI(ctx, 'ola.hansen@kristiansand.example.no'))!;
    anne = (await whoAmI(ctx, 'anne.moe@kristiansand.example.no'))!;
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  const value = fc.oneof(fc.constant(undefined), nasty, fc.array(nasty, { maxLength: 4 }), fc.constantFrom('on_track', 'needs_help', 'yes', 'no', 'ja', 'nei', 'delvis', 'anonymised', 'purpose'));
  const values: fc.Arbitrary<FormValues> = fc.dictionary(
    fc.oneof(fc.constantFrom('overall', 'done', 'next', 'blockers', 'plan_parts', 'steering_met', 'attending', 'prepared', 'need', 'topic', 'discussed', 'will_try', 'share', 'confirm', '__proto__', 'constructor'), fc.string({ maxLength: 10 })),
    value,
    { maxKeys: 10 },
  );
  const payload = (a: string, valid: ActionPayload): fc.Arbitrary<ActionPayload> =>
    fc.oneof(
      fc.constant(valid),
      fc.record({ a: fc.constant(a), n: fc.oneof(fc.constant(valid.n), nasty), g: fc.option(nasty, { nil: undefined }), m: fc.oneof(fc.constant(valid.m), nasty), q: fc.option(nasty, { nil: undefined }) }) as fc.Arbitrary<ActionPayload>,
    );

  /** Runs a journey: a refusal or invalid answer writes nothing; a saved one writes. */
  async function check(run: () => Promise<{ kind: string }>): Promise<string> {
    const before = await networkKeys(t.redis, t.prefix);
    let kind: string;
    try {
      kind = (await run()).kind;
    } catch (err) {
      expect(err instanceof JourneyRefusal || (err instanceof SamlaError && err.isUserError), String(err)).toBe(true);
      kind = 'refused';
    }
    const after = await networkKeys(t.redis, t.prefix);
    if (kind === 'saved') expect(after).not.toEqual(before);
    else expect(after).toEqual(before);
    return kind;
  }

  it('submitStatus, answerCheckin and submitReflection: write exactly when saved, else refuse or point at the field', async () => {
    const seen: Record<string, number> = {};
    const count = (k: string) => void (seen[k] = (seen[k] ?? 0) + 1);
    await fc.assert(
      fc.asyncProperty(payload('status.submit', { a: 'status.submit', n: NETWORK, m: '4204' }), values, async (p, v) => {
        count(`status:${await check(() => submitStatus(ctx, ola, p, v))}`);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(payload('checkin.submit', { a: 'checkin.submit', n: NETWORK, g: 'samling-1', m: '4204' }), values, async (p, v) => {
        count(`checkin:${await check(() => answerCheckin(ctx, anne, p, v))}`);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(payload('reflection.submit', { a: 'reflection.submit', n: NETWORK, g: 'samling-1', m: '4204' }), values, async (p, v) => {
        count(`reflection:${await check(() => submitReflection(ctx, anne, p, v))}`);
      }),
      { numRuns: RUNS },
    );
    console.log(`[hostile] journeys: ${JSON.stringify(seen)}`);
    expect(Object.keys(seen).some((k) => k.endsWith(':invalid'))).toBe(true);
    expect(Object.keys(seen).some((k) => k.endsWith(':refused'))).toBe(true);
  }, 60_000);
});

describe('Slack requests', () => {
  let h: slackH.Harness;
  beforeAll(async () => {
    h = await slackH.startHarness(new Date('2027-02-01T10:00:00Z'));
  });
  afterAll(async () => {
    await h?.close();
  });
  const FORM = 'application/x-www-form-urlencoded';
  const cannotWrite = fc.constantFrom<{ id: string }>(slackH.USERS.per, slackH.USERS.stranger, { id: 'U0NOBODY' }, { id: 'W0ENTERPRISE' });

  it('slash commands with hostile fields are answered (200 and a reply) and write nothing', async () => {
    const before = await networkKeys(h.db.redis, h.db.prefix);
    let answered = 0;
    await fc.assert(
      fc.asyncProperty(cannotWrite, fc.constantFrom('/status', '/samla', '/ukjent'), fc.oneof(nasty, fc.constantFrom('link steering 4204', 'status Alt bra', 'neste', 'oppgaver', 'help')), async (user, command, text) => {
        const res = await slackH.slash(h, user, command, text);
        expect(res.status).toBe(200);
        const reply = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname, { timeoutMs: 3000 });
        expect(slackH.spoken(reply).trim().length).toBeGreaterThan(0);
        answered++;
      }),
      { numRuns: RUNS },
    );
    expect(await networkKeys(h.db.redis, h.db.prefix)).toEqual(before);
    expect(answered).toBe(RUNS);
  }, 60_000);

  it('button clicks with tampered values are answered and write nothing', async () => {
    const before = await networkKeys(h.db.redis, h.db.prefix);
    const tampered = fc.oneof(
      nasty,
      fc.json(),
      fc.record({ a: fc.constantFrom('task.done', 'task.not_yet', 'checkin.answer', 'status.short', 'status.open', 'reflection.write', 'x'), n: nasty, g: nasty, t: nasty, m: nasty, q: nasty, v: nasty }).map((p) => JSON.stringify(p)),
      fc.record({ a: fc.constantFrom('task.done', 'checkin.answer'), n: fc.constant(NETWORK), g: nasty, t: nasty, m: nasty, v: nasty }).map((p) => JSON.stringify(p)),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(slackH.USERS.ola, slackH.USERS.anne, slackH.USERS.stranger), tampered, async (user, value) => {
        const from = h.fake.mark();
        const res = await slackH.click(h, user, { action_id: 'samla.x', value: value.slice(0, 2000) });
        expect(res.status).toBe(200);
        // Told in the conversation, or (a form button) shown a modal that says why.
        const reply = await Promise.any([
          h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl!).pathname, { from, timeoutMs: 3000 }),
          h.fake.waitFor('views.open', undefined, { from, timeoutMs: 3000 }),
        ]);
        expect(reply).toBeDefined();
      }),
      { numRuns: RUNS },
    );
    expect(await networkKeys(h.db.redis, h.db.prefix)).toEqual(before);
  }, 60_000);

  it('modal submissions with hostile values get an answer in the acknowledgement; only a "saved" one writes', async () => {
    const outcomes: Record<string, number> = {};
    const statusView = (meta: string) => ({
      id: 'V0MODAL',
      callback_id: 'status',
      private_metadata: meta,
      blocks: ['overall', 'done', 'next', 'blockers', 'steering_met'].map((id) => ({ type: 'input', block_id: id, element: { type: id === 'overall' || id === 'steering_met' ? 'radio_buttons' : 'plain_text_input', action_id: id } })),
    });
    const validMeta = JSON.stringify({ payload: { a: 'status.submit', n: NETWORK, m: '4204' } });
    const meta = fc.oneof({ arbitrary: fc.constant(validMeta), weight: 4 }, nasty, fc.json(), fc.record({ payload: fc.record({ a: nasty, n: nasty, m: nasty }) }).map((p) => JSON.stringify(p)));
    const answer = fc.oneof(fc.constant(undefined), nasty, { arbitrary: fc.constantFrom('on_track', 'yes', 'no'), weight: 4 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(slackH.USERS.ola, slackH.USERS.per, slackH.USERS.stranger), meta, answer, answer, answer, answer, async (user, m, overall, done, next, met) => {
        const before = await networkKeys(h.db.redis, h.db.prefix);
        const res = await slackH.submit(h, user, statusView(m.slice(0, 3000)), { overall, done, next, steering_met: met });
        expect(res.status).toBe(200);
        const ack = res.json as { response_action?: string; view?: unknown; errors?: Record<string, string> } | undefined;
        const saved = JSON.stringify(ack ?? '').includes('er lagret');
        const kind = ack?.response_action === 'errors' ? 'errors' : saved ? 'saved' : ack?.response_action === 'update' ? 'notice' : 'closed';
        outcomes[kind] = (outcomes[kind] ?? 0) + 1;
        expect(kind).not.toBe('closed'); // every submission is told something
        const after = await networkKeys(h.db.redis, h.db.prefix);
        if (saved) expect(after).not.toEqual(before);
        else expect(after).toEqual(before);
      }),
      { numRuns: RUNS * 2 },
    );
    console.log(`[hostile] Slack modal submissions: ${JSON.stringify(outcomes)}`);
  }, 60_000);

  it('forged signatures and timestamps are refused with 401 and write nothing', async () => {
    const before = await snapshot(h.db.redis, h.db.prefix);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.record({ signature: fc.oneof(fc.string(), fc.stringMatching(/^v0=[0-9a-f]{64}$/)), timestamp: fc.constant(undefined) }),
          fc.record({ signature: fc.constant(undefined), timestamp: fc.oneof(fc.integer({ min: 0, max: Math.floor(Date.now() / 1000) - 301 }), fc.constant(Number.NaN)) }),
        ),
        async ({ signature, timestamp }) => {
          const ts = timestamp ?? Math.floor(Date.now() / 1000);
          const body = new URLSearchParams({ command: '/status', text: 'Forfalsket', user_id: 'U0OLA', channel_id: 'D0OLA', trigger_id: '1.2.3' }).toString();
          const res = await slackH.post(h, body, FORM, { timestamp: ts, ...(signature !== undefined ? { signature } : {}) });
          expect(res.status).toBe(401);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await snapshot(h.db.redis, h.db.prefix)).toEqual(before);
  }, 60_000);
});

describe('Teams activities', () => {
  let h: teamsH.Harness;
  beforeAll(async () => {
    h = await teamsH.startHarness({ now: new Date('2027-02-01T10:00:00Z') });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('mutated activities are answered with 200 or 400, never a crash, and write nothing', async () => {
    const before = await networkKeys(h.redis.redis, h.redis.prefix);
    const statuses: Record<number, number> = {};
    const who = fc.constantFrom(teamsH.PEOPLE.hilde, teamsH.PEOPLE.stranger);
    const field = fc.constantFrom('type', 'id', 'channelId', 'serviceUrl', 'from', 'recipient', 'conversation', 'text', 'value', 'replyToId', 'locale', 'entities', 'channelData', 'name', 'membersAdded');
    await fc.assert(
      fc.asyncProperty(who, fc.oneof(nasty, fc.constantFrom('status Alt bra', 'link steering 4203', 'hjelp')), fc.array(fc.tuple(field, fc.oneof(fc.anything(), nasty)), { maxLength: 3 }), fc.boolean(), async (person, text, mutations, asSubmit) => {
        const activity: Record<string, unknown> = asSubmit
          ? teamsH.cardSubmit(h, person, 'card-1', { samla: { a: 'checkin.submit', n: NETWORK, g: 'samling-1', m: '4203' }, attending: text })
          : teamsH.personalMessage(h, person, text);
        for (const [k, v] of mutations) activity[k] = k === 'serviceUrl' && typeof v === 'string' && /^https?:/.test(v) ? h.fake.url : v; // never let Samla call out
        const res = await h.post(activity);
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        expect([200, 400]).toContain(res.status);
      }),
      { numRuns: RUNS * 2 },
    );
    expect(await networkKeys(h.redis.redis, h.redis.prefix)).toEqual(before);
    console.log(`[hostile] Teams activities by HTTP status: ${JSON.stringify(statuses)}`);
  }, 60_000);
});
