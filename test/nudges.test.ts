/**
 * Steering-group nudges: who is asked, when, and how it escalates; and the "we met" action.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../adapters/redis/store.ts';
import { loadTexts } from '../src/app/prompts.ts';
import { readSchedulerConfig } from '../src/app/schedulerConfig.ts';
import { WorkingCalendar } from '../src/core/calendar.ts';
import { whoAmI, JourneyRefusal, type JourneyContext } from '../src/core/journeys/context.ts';
import { logSteeringMeeting, openSteeringMetForm } from '../src/core/journeys/steeringMeeting.ts';
import { countingDaysBetween, isFellesferie, nextNudge, nudgeMessage, type NudgeRecord } from '../src/core/lagging/nudges.ts';
import { signalsFor, emptyRecords } from '../src/core/lagging/signals.ts';
import { parseNetworkFile } from '../src/core/networkFile.ts';
import { testRedis, type TestRedis } from './helpers/redis.ts';

const def = parseNetworkFile(readFileSync(new URL('../examples/network.yaml', import.meta.url), 'utf8'), 'network.yaml');
const calendar = new WorkingCalendar(def.quiet, def.timezone);
const texts = loadTexts();
const lyngdal = def.municipalities.find((m) => m.id === '4225')!;
const flekkefjord = def.municipalities.find((m) => m.id === '4207')!;
const monday = new Date('2027-04-26T08:00:00Z'); // 10:00 in Oslo
const signals = signalsFor(def, lyngdal, emptyRecords(), monday);
const record = (level: NudgeRecord['level'], at: string): NudgeRecord => ({ municipality: '4225', level, at, signals: ['status_stale'] });

describe('escalation', () => {
  it('asks the project leader first', () => {
    const n = nextNudge(def, lyngdal, signals, [], monday, calendar)!;
    expect(n.level).toBe('prosjektleder');
    expect(n.recipients.map((r) => r.name)).toEqual(['Eirik Solberg']);
  });

  it('waits for the grace period, then asks the steering group in its channel, naming the chair', () => {
    const history = [record('prosjektleder', '2027-04-19T08:00:00Z')];
    expect(nextNudge(def, lyngdal, signals, [record('prosjektleder', '2027-04-22T08:00:00Z')], monday, calendar)).toBeUndefined();
    const n = nextNudge(def, lyngdal, signals, history, monday, calendar, undefined, '19:abc@thread.tacv2')!;
    expect(n.level).toBe('steering');
    expect(n.channel).toBe('19:abc@thread.tacv2');
    const msg = nudgeMessage(texts, 'nn', def, n);
    expect(msg.blocks[0]).toEqual({ type: 'text', text: 'Hei, styringsgruppa i Lyngdal! Her er eit forslag til agenda for neste møte. Marit Hauge, kan du setje det opp?' });
    expect(msg.blocks.some((b) => b.type === 'actions' && b.actions[0]!.payload.a === 'steering.met')).toBe(true);
    expect(msg.blocks.filter((b) => b.type === 'text' && /^\d\. /.test(b.text)).length).toBe(n.signals.length);
  });

  it('then the organisers, and then stops (the weekly digest keeps them informed)', () => {
    const history = [record('steering', '2027-04-19T08:00:00Z'), record('prosjektleder', '2027-04-12T08:00:00Z')];
    const n = nextNudge(def, lyngdal, signals, history, monday, calendar)!;
    expect(n.level).toBe('organiser');
    expect(n.recipients.map((r) => r.name)).toEqual(['Ingrid Fjeld']);
    expect(nudgeMessage(texts, 'en', def, n).blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(nextNudge(def, lyngdal, signals, [record('organiser', '2027-04-19T08:00:00Z'), ...history], monday, calendar)).toBeUndefined();
  });

  it('sends at most one nudge a week, never on weekends, outside hours or in fellesferie', () => {
    expect(nextNudge(def, lyngdal, signals, [record('prosjektleder', '2027-04-21T08:00:00Z')], new Date('2027-04-27T08:00:00Z'), calendar)).toBeUndefined();
    expect(nextNudge(def, lyngdal, signals, [], new Date('2027-04-24T08:00:00Z'), calendar)).toBeUndefined(); // Saturday
    expect(nextNudge(def, lyngdal, signals, [], new Date('2027-04-26T15:30:00Z'), calendar)).toBeUndefined(); // 17:30
    expect(isFellesferie(new Date('2027-07-20T08:00:00Z'), def.timezone)).toBe(true);
    expect(nextNudge(def, lyngdal, signals, [], new Date('2027-07-20T08:00:00Z'), calendar)).toBeUndefined();
    // Grace days do not run in fellesferie (weeks 28-30): from Friday 9 July only Monday 2 and Tuesday 3 August count.
    expect(countingDaysBetween(new Date('2027-07-09T08:00:00Z'), new Date('2027-08-03T08:00:00Z'), calendar)).toBe(2);
    // By local date: the switch to summer time (28 March) loses no day. Easter 2027: 25, 26 and 29 March are holidays.
    expect(countingDaysBetween(new Date('2027-03-22T09:00:00Z'), new Date('2027-04-01T08:00:00Z'), calendar)).toBe(5);
  });

  it('skips a step the municipality cannot take: no steering group means the organisers come next', () => {
    const s = signalsFor(def, flekkefjord, emptyRecords(), monday);
    const n = nextNudge(def, flekkefjord, s, [{ municipality: '4207', level: 'prosjektleder', at: '2027-04-12T08:00:00Z', signals: [] }], monday, calendar)!;
    expect(n.level).toBe('organiser');
  });

  it('says nothing when nothing is open', () => {
    expect(nextNudge(def, lyngdal, [], [], monday, calendar)).toBeUndefined();
  });
});

describe('we met', () => {
  let t: TestRedis;
  let ctx: JourneyContext;
  beforeAll(async () => {
    t = await testRedis();
    const store = new RedisStore(t.redis, { prefix: t.prefix });
    await store.importNetwork(def);
    ctx = { store, texts, now: () => monday };
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it('logs a meeting with who attended by party, for the steering group', async () => {
    const marit = (await whoAmI(ctx, 'marit.hauge@lyngdal.example.no'))!;
    const payload = { a: 'steering.met' as const, n: def.id, m: '4225' };
    const form = openSteeringMetForm(ctx, marit, payload);
    expect(form.fields.map((f) => f.id)).toEqual(['date', 'attendees']);
    expect(form.fields[0]).toMatchObject({ initial: '2027-04-26' });
    const bad = await logSteeringMeeting(ctx, marit, payload, { date: '2027-05-30', attendees: [] });
    expect(bad).toEqual({ kind: 'invalid', errors: { date: 'Skriv ein dato som 2027-03-30, ikkje fram i tid.' } });
    const ok = await logSteeringMeeting(ctx, marit, payload, { date: '2027-04-23', attendees: ['marit.hauge@lyngdal.example.no'] });
    expect(ok.kind).toBe('saved');
    const meetings = await ctx.store.listSteeringMeetings(def.id, '4225');
    expect(meetings).toEqual([expect.objectContaining({ date: '2027-04-23', attendees: [{ name: 'Marit Hauge', party: 'administrasjon' }] })]);
    // The steering_silent signal is gone once a meeting after the last gathering is logged.
    const records = { ...emptyRecords(), steeringMeetings: meetings };
    expect(signalsFor(def, lyngdal, records, monday).map((s) => s.kind)).not.toContain('steering_silent');
  });

  it('is refused for someone outside the steering group', async () => {
    const anne = (await whoAmI(ctx, 'anne.moe@kristiansand.example.no'))!;
    await expect(logSteeringMeeting(ctx, anne, { a: 'steering.met', n: def.id, m: '4225' }, { date: '2027-04-23' })).rejects.toBeInstanceOf(JourneyRefusal);
  });
});

describe('configuration', () => {
  it('reads the escalation rules from the environment, with defaults, and can turn nudges off', () => {
    expect(readSchedulerConfig({}).nudges).toEqual({ rules: { graceDays: 5, minIntervalDays: 7, episodeDays: 30 }, everyMs: 900_000 });
    expect(readSchedulerConfig({ SAMLA_NUDGE_GRACE_DAYS: '3', SAMLA_NUDGE_MIN_INTERVAL_DAYS: '14', SAMLA_NUDGE_EPISODE_DAYS: '60', SAMLA_NUDGE_CHECK_EVERY_MS: '60000' }).nudges).toEqual({
      rules: { graceDays: 3, minIntervalDays: 14, episodeDays: 60 },
      everyMs: 60_000,
    });
    expect(readSchedulerConfig({ SAMLA_NUDGES: 'off' }).nudges).toBeUndefined();
    expect(() => readSchedulerConfig({ SAMLA_NUDGE_MIN_INTERVAL_DAYS: '0' })).toThrow(/scheduler settings/);
  });

  it('a longer minimum interval holds the next step back', () => {
    const history = [record('prosjektleder', '2027-04-19T08:00:00Z')];
    expect(nextNudge(def, lyngdal, signals, history, monday, calendar, { graceDays: 5, minIntervalDays: 7, episodeDays: 30 })?.level).toBe('steering');
    expect(nextNudge(def, lyngdal, signals, history, monday, calendar, { graceDays: 5, minIntervalDays: 14, episodeDays: 30 })).toBeUndefined();
    expect(nextNudge(def, lyngdal, signals, history, monday, calendar, { graceDays: 6, minIntervalDays: 7, episodeDays: 30 })).toBeUndefined();
  });
});

describe('nobody to ask first', () => {
  it('does not tell the organisers that reminders went unanswered when none could be sent', () => {
    const empty = { ...flekkefjord, members: [] };
    const s = signalsFor(def, empty, emptyRecords(), monday);
    expect(s.length).toBeGreaterThan(0);
    expect(nextNudge(def, empty, s, [], monday, calendar)).toBeUndefined();
  });
});

describe('people Samla cannot reach', () => {
  it('goes past an unreachable project leader to the steering group instead of asking in vain every week', () => {
    const n = nextNudge(def, lyngdal, signals, [], monday, calendar, undefined, undefined, new Set(['eirik.solberg@lyngdal.example.no']))!;
    expect(n.level).toBe('steering');
    expect(n.recipients.map((r) => r.name)).toEqual(['Marit Hauge']);
  });
});
