/**
 * The delivery queue and the fan-out rules, end to end on a fake clock with recording
 * platforms: retries and rate limits, permanent failures listed and retried from the CLI,
 * reminders only to those not done, prompts that lost their point skipped and logged, moved
 * gatherings, per-conversation pacing, and the status nudge and digest messages.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Gathering, NetworkDefinition, TaskCompletion } from '../src/core/model.ts';
import { DeliveryError } from '../src/core/ports.ts';
import { exampleNetwork, offset } from './helpers/exampleNetwork.ts';
import { draftText, type RecordedCall } from './helpers/recordingPlatform.ts';
import { oslo, schedulerHarness, testConfig, type Harness } from './helpers/scheduler.ts';

const NETWORK = 'agder-helse-2027';
const OLA = 'ola.hansen@kristiansand.example.no';
const SIRI = 'siri.lund@kristiansand.example.no';
const PER = 'per.berg@kristiansand.example.no';
const KJETIL = 'kjetil.dahl@arendal.example.no';
const LARS = 'lars.eide@flekkefjord.example.no';
const EIRIK = 'eirik.solberg@lyngdal.example.no';
const INGRID = 'ingrid.fjeld@example.no';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const header = (title: string) => (c: RecordedCall) => c.draft.blocks.some((b) => b.type === 'header' && b.text === title);
const FORANKRING = header('Avklar mandat og sammensetning for styringsgruppen');
const SWOT = header('Gjennomfør en SWOT-analyse av kompetansesituasjonen');
const REFLEKSJON_TEMA = header('Drøft i refleksjonsgruppen hva dere vil ha ut av samlingen');

function completion(email: string, municipality: string, answer: TaskCompletion['answer'], task = 'forankring', gathering = 'samling-1'): TaskCompletion {
  return { network: NETWORK, gathering, task, municipality, email, answer, at: oslo('2027-01-22T10:00').toISOString() };
}

/** The example network with samling-2 moved by `days`. */
function samling2MovedBy(days: number): NetworkDefinition {
  const def = exampleNetwork();
  const g = def.gatherings.find((x) => x.id === 'samling-2')!;
  const shift = (local: string) => {
    const d = new Date(`${local}:00Z`);
    d.setUTCDate(d.getUTCDate() + days);
    return d.toISOString().slice(0, 16);
  };
  g.starts = shift(g.starts);
  g.ends = shift(g.ends);
  return def;
}

async function cli(harness: Harness, ...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: {
      REDIS_URL: harness.url,
      SAMLA_REDIS_PREFIX: harness.prefix,
      SAMLA_DELIVERY_ATTEMPTS: '3',
      SAMLA_DELIVERY_BACKOFF_MS: '20',
      SAMLA_SLACK_RATE: '1000',
      SAMLA_TEAMS_RATE: '1000',
      SAMLA_SLACK_CONVERSATION_INTERVAL_MS: '0',
      SAMLA_TEAMS_CONVERSATION_INTERVAL_MS: '0',
      SAMLA_NUDGES: 'off',
    },
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    now: harness.clock.now,
    platforms: { slack: harness.slack, teams: harness.teams },
  });
  return { code, stdout, stderr };
}

describe('retries', () => {
  it('retries a 5xx with backoff and waits out a 429’s Retry-After, then delivers once', async () => {
    h = await schedulerHarness({ importAt: '2027-01-19T12:00' });
    h.slack.failWith = (email, _d, n) =>
      email !== OLA ? undefined : n === 0 ? new DeliveryError('Slack answered HTTP 503', false, 'http_503') : n === 1 ? new DeliveryError('Slack rate limit', false, 'ratelimited', 300) : undefined;
    await h.passAt('2027-01-20T09:00');

    const toOla = h.slack.calls.filter((c) => c.email === OLA);
    expect(toOla.map((c) => c.error ?? 'ok')).toEqual(['Slack answered HTTP 503', 'Slack rate limit', 'ok']);
    expect(toOla[2]!.realMs - toOla[1]!.realMs).toBeGreaterThanOrEqual(280); // Retry-After 300 ms
    const record = await h.runtime.schedule.get(NETWORK, `${NETWORK}:task:samling-1:forankring:4204:${OLA}`);
    expect(record).toMatchObject({ state: 'sent', attempts: 2, sentRef: { platform: 'slack', message: toOla[2]!.message } }); // the 429 used no try
    expect(h.accepted().filter(FORANKRING)).toHaveLength(8);
  });

  it('does not retry a permanent failure, lists failures in `samla deliveries failed`, and `retry` sends them again', async () => {
    h = await schedulerHarness({ importAt: '2027-01-19T12:00' });
    h.teams.failWith = (email) => (email === KJETIL ? new DeliveryError('Teams: the user is not in the roster', true, 'user_not_found') : undefined);
    h.slack.failWith = (email) => (email === LARS ? new DeliveryError('Slack answered HTTP 502', false, 'http_502') : undefined);
    await h.passAt('2027-01-20T09:00');

    expect(h.teams.calls.filter((c) => c.email === KJETIL)).toHaveLength(1); // permanent: one try
    expect(h.slack.calls.filter((c) => c.email === LARS)).toHaveLength(3); // transient: all 3 tries
    expect(h.accepted().filter(FORANKRING)).toHaveLength(6);

    const listed = await cli(h, 'deliveries', 'failed', '--json');
    expect(listed.code).toBe(0);
    const failed = JSON.parse(listed.stdout) as { occurrence: string; email: string; attempts: number; reason: string; failedAt: string }[];
    expect(failed.map((f) => [f.email, f.attempts, f.reason]).sort()).toEqual([
      [KJETIL, 1, 'Teams: the user is not in the roster'],
      [LARS, 3, 'Slack answered HTTP 502'],
    ]);
    expect(failed.every((f) => !Number.isNaN(Date.parse(f.failedAt)))).toBe(true);
    const text = await cli(h, 'deliveries', 'failed');
    expect(text.stdout).toContain('2 failed deliveries');
    expect(text.stdout).toContain(`${NETWORK}:task:samling-1:forankring:4203:${KJETIL}`);
    expect(text.stdout).toContain('reason: Teams: the user is not in the roster');

    const agenda = await cli(h, 'agenda', NETWORK, '--from', '2027-01-20', '--to', '2027-01-21');
    expect(agenda.stdout).toContain('sent 6 · failed 2');

    h.teams.failWith = undefined; // the organiser fixed the roster and the outage passed
    h.slack.failWith = undefined;
    const retried = await cli(h, 'deliveries', 'retry', `${NETWORK}:task:samling-1:forankring:4203:${KJETIL}`, '--deliver');
    expect(retried.stdout).toContain(`${KJETIL}: sent`);
    const all = await cli(h, 'deliveries', 'retry', '--all', '--deliver', '--json');
    expect(JSON.parse(all.stdout).states).toEqual([{ occurrence: `${NETWORK}:task:samling-1:forankring:4207:${LARS}`, state: 'sent' }]);
    expect(h.accepted().filter(FORANKRING)).toHaveLength(8);
    expect((await cli(h, 'deliveries', 'failed')).stdout).toBe('No failed deliveries.\n');
    expect((await cli(h, 'deliveries', 'retry')).code).toBe(2);
  });
});

describe('who gets a prompt', () => {
  it('sends a task reminder only to those who have not answered done', async () => {
    h = await schedulerHarness({ importAt: '2027-01-19T12:00' });
    await h.passAt('2027-01-20T09:00');
    await h.store.recordTaskCompletion(completion(OLA, '4204', 'done'));
    await h.store.recordTaskCompletion(completion(SIRI, '4204', 'not_yet'));
    const report = await h.passAt('2027-01-29T09:00');

    const reminders = h.accepted().filter((c) => c.draft.fallback.startsWith('Påminnelse') || c.draft.fallback.startsWith('Påminning'));
    expect(reminders.map((c) => c.email)).not.toContain(OLA);
    expect(reminders).toHaveLength(7);
    const siri = reminders.find((c) => c.email === SIRI)!;
    const notYet = siri.draft.blocks.flatMap((b) => (b.type === 'actions' ? b.actions : [])).find((a) => a.id === 'task.not_yet');
    expect(notYet?.selected).toBe(true); // her answer shows
    expect(report.networks[0]!.items.find((i) => i.kind === 'task_reminder')).toMatchObject({ enqueued: 7, skipped: { done: 1 } });
  });

  it('drops a queued reminder when the person answers done before it goes out', async () => {
    h = await schedulerHarness({ importAt: '2027-01-27T12:00', workers: false });
    await h.runtime.tick(h.clock.set('2027-01-29T09:00'));
    await h.store.recordTaskCompletion(completion(PER, '4204', 'done'));
    h.runtime.startWorkers({ slack: h.slack, teams: h.teams });
    await h.runtime.drain();
    expect(h.accepted().map((c) => c.email)).not.toContain(PER);
    expect(await h.runtime.schedule.get(NETWORK, `${NETWORK}:task_reminder:samling-1:forankring:4204:${PER}`)).toMatchObject({ state: 'skipped', reason: 'done' });
  });
});

describe('prompts that lost their point', () => {
  it('skips and logs a check-in whose gathering has started when the pass finds it', async () => {
    h = await schedulerHarness({ importAt: '2027-02-05T12:00' });
    const report = await h.passAt('2027-02-10T10:00'); // samling-1 started at 09:00; Samla was down since Friday
    expect(h.accepted().map((c) => c.email)).toEqual([INGRID]); // only Monday's digest, still useful
    const checkin = report.networks[0]!.items.find((i) => i.kind === 'checkin');
    expect(checkin).toMatchObject({ enqueued: 0, skipped: { gathering_started: 10 } });
    const logged = h.logs.filter((l) => l.msg === 'prompt skipped: it lost its point');
    expect(logged).toHaveLength(20); // the check-in and its reminder, to 10 people each
    expect(logged[0]!.obj).toMatchObject({ network: NETWORK, kind: 'checkin', reason: 'gathering_started' });
    const events = (await h.store.events(NETWORK)).filter((e) => e.type === 'prompt.skipped');
    expect(events).toHaveLength(20);
    expect(events[0]!.data).toMatchObject({ kind: 'checkin', reason: 'gathering_started' });

    const agenda = await cli(h, 'agenda', NETWORK, '--from', '2027-02-08', '--to', '2027-02-10');
    expect(agenda.stdout).toContain('skipped 10 (gathering started)');
    expect(agenda.stdout).toContain('sent 1');
  });

  it('skips a check-in still in the queue when the gathering starts', async () => {
    h = await schedulerHarness({ importAt: '2027-02-05T12:00', workers: false });
    await h.runtime.tick(h.clock.set('2027-02-08T08:00'));
    h.clock.set('2027-02-10T09:30');
    h.runtime.startWorkers({ slack: h.slack, teams: h.teams });
    await h.runtime.drain();
    expect(h.accepted().map((c) => c.email)).toEqual([INGRID]);
    const counts = (await h.runtime.schedule.counts(NETWORK)).get(`${NETWORK}:checkin:samling-1`);
    expect(counts).toMatchObject({ sent: 0, skipped: 10, skippedBy: { gathering_started: 10 } });
  });
});

describe('a moved gathering', () => {
  it('moves its future prompts and does not send again what was sent', async () => {
    h = await schedulerHarness({ importAt: '2027-03-20T10:00' });
    await h.passAt('2027-04-07T09:00');
    expect(h.accepted().filter(SWOT)).toHaveLength(8);

    await h.store.importNetwork(samling2MovedBy(7), { now: h.clock.now() }); // 2027-05-05 → 2027-05-12
    const swept = await h.passAt('2027-04-14T09:00'); // where the SWOT task now belongs
    expect(swept.networks[0]!.sweep).toBe(true);
    expect(swept.networks[0]!.items.find((i) => i.id === `${NETWORK}:task:samling-2:swot`)).toMatchObject({ enqueued: 0, already: 8 });
    expect(h.accepted().filter(SWOT)).toHaveLength(8);

    await h.passAt('2027-04-21T09:00'); // the old time of the reflection-group task
    expect(h.accepted().filter(REFLEKSJON_TEMA)).toHaveLength(0);
    await h.passAt('2027-04-28T09:00'); // its new time, a week later
    expect(h.accepted().filter(REFLEKSJON_TEMA)).toHaveLength(2);
  });

  it('sends, late, a prompt that moving the gathering earlier put before the last pass', async () => {
    h = await schedulerHarness({ importAt: '2027-03-20T10:00' });
    await h.passAt('2027-04-05T08:00');
    expect(h.accepted().filter(SWOT)).toHaveLength(0); // due 2027-04-07

    await h.store.importNetwork(samling2MovedBy(-7), { now: h.clock.now() }); // SWOT now 2027-03-31, already past
    await h.passAt('2027-04-05T10:00');
    expect(h.accepted().filter(SWOT)).toHaveLength(8);
  });
});

describe('pacing', () => {
  it('spaces several prompts to one Slack conversation by the configured interval', async () => {
    const def = exampleNetwork();
    const tett: Gathering = {
      id: 'tett',
      title: 'Tett samling',
      starts: '2027-06-16T09:00',
      ends: '2027-06-16T15:00',
      tasks: ['a', 'b', 'c'].map((id) => ({ id, title: `Oppgave ${id}`, for: ['prosjektleder'], send: offset('-14d'), due: offset('-1d') })),
    };
    def.gatherings.push(tett);
    const config = testConfig({ limits: { slack: { ratePerSecond: 1000, conversationIntervalMs: 250 }, teams: { ratePerSecond: 1000, conversationIntervalMs: 0 } } });
    h = await schedulerHarness({ def, importAt: '2027-05-31T10:00', config });
    await h.passAt('2027-06-02T09:00');
    for (const email of [OLA, LARS]) {
      const times = h.slack.to(email).map((c) => c.realMs);
      expect(times).toHaveLength(3);
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(240);
    }
    expect(h.teams.to(KJETIL)).toHaveLength(3);
  });
});

describe('the scheduler’s own messages', () => {
  it('nudges only project leaders whose municipality has no recent status, with a button to the status form', async () => {
    h = await schedulerHarness({ importAt: '2027-02-20T10:00' });
    await h.store.recordStatus({ id: 's1', network: NETWORK, municipality: '4204', email: OLA, at: oslo('2027-02-20T11:00').toISOString(), text: 'Godt i gang' });
    await h.passAt('2027-02-25T15:00');
    const nudged = h.accepted().filter((c) => c.draft.blocks.some((b) => b.type === 'actions' && b.actions.some((a) => a.payload.a === 'status.open')));
    expect(nudged.map((c) => c.email).sort()).toEqual([EIRIK, KJETIL, LARS]);
    expect(draftText(nudged.find((c) => c.email === KJETIL)!.draft)).toContain('Hei Kjetil! Arendal har ikke rapportert status ennå.');
    expect(draftText(nudged.find((c) => c.email === EIRIK)!.draft)).toContain('Hei Eirik! Lyngdal har ikkje rapportert status enno.'); // nynorsk
  });

  it('sends the organiser the lagging digest in their language: who may need support and why, and readiness for the next gathering', async () => {
    h = await schedulerHarness({ importAt: '2027-04-10T10:00' });
    await h.store.recordStatus({ id: 's1', network: NETWORK, municipality: '4204', email: OLA, at: oslo('2027-04-09T10:00').toISOString(), text: 'SWOT i gang' });
    await h.store.recordTaskCompletion(completion(OLA, '4204', 'done', 'swot', 'samling-2'));
    await h.store.recordTaskCompletion(completion(SIRI, '4204', 'done', 'swot', 'samling-2'));
    await h.passAt('2027-04-12T08:00');
    const [digest] = h.accepted().filter((c) => c.email === INGRID);
    const text = draftText(digest!.draft);
    // Ingrid reads English (her locale in the file); most serious first, each with its reasons.
    expect(digest!.draft.fallback).toBe('Weekly digest for Læringsnettverk helse og omsorg Agder 2027: 4 of 4 municipalities may need support');
    expect(text).toContain('4 municipalities · 4 may need support · 1 statuses in the last 14 days');
    const lines = text.split('\n').filter((l) => /^(Flekkefjord|Arendal|Lyngdal|Kristiansand): /.test(l));
    expect(lines).toEqual([
      'Flekkefjord: no status since the kick-off, 60 days; no steering group is registered; no reflection group is registered.',
      'Arendal: no status since the kick-off, 60 days; the steering group lacks a union representative and top management; no reflection notes for 60 days.',
      'Lyngdal: no status since the kick-off, 60 days; the steering group lacks a union representative; no reflection group is registered.',
      'Kristiansand: no reflection notes for 60 days.',
    ]);
    // Readiness counts a task as done for a municipality when someone there answered done.
    expect(text).toContain('Readiness for Nettverkssamling 2, Wednesday 5 May at 09:00 (in 23 days)');
    expect(text).toContain('Preparation: 1 of 4 tasks done');
    expect(text).toContain('Check-in: 0 of 10 answered, 0 coming');
    // What it showed is kept, so next week's digest can say what is new and what was resolved.
    expect(await h.store.lastDigestSnapshot(NETWORK)).toMatchObject({ key: `${NETWORK}:digest:2027-04-12T08:00`, snapshot: { '4204': ['reflection_silent'] } });
  });
});
