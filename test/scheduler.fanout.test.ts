/**
 * The fan-out rules and small pure parts of the scheduler, without Redis: who gets a prompt,
 * which prompts lost their point, occurrence and job ids, backoff and the rate limiter.
 */
import { describe, expect, it } from 'vitest';
import { deliveryBackoff } from '../src/app/deliveryBackoff.ts';
import { limiterFor } from '../src/app/deliveryWorker.ts';
import { planAgenda } from '../src/core/agenda.ts';
import { DeliveryError } from '../src/core/ports.ts';
import { fanOut, reachIndex, type FanOutFacts } from '../src/core/scheduler/fanOut.ts';
import { jobIdOf, occurrenceId, occurrenceOfJobId } from '../src/core/scheduler/occurrence.ts';
import { exampleNetwork } from './helpers/exampleNetwork.ts';
import { oslo } from './helpers/scheduler.ts';

const def = exampleNetwork();
const facts = (now: string, extra: Partial<FanOutFacts> = {}): FanOutFacts => ({
  now: oslo(now),
  taskCompletions: new Map(),
  checkins: new Map(),
  lastStatus: {},
  ...extra,
});
const window = (from: string, to: string) => planAgenda(def, { from: oslo(from), to: new Date(oslo(to).getTime() + 1) });

describe('fanOut', () => {
  it('makes one occurrence per item and recipient, with the recipient’s platform and language', () => {
    const requests = fanOut(def, window('2027-01-20T09:00', '2027-01-20T09:00'), facts('2027-01-20T09:00'));
    expect(requests).toHaveLength(8);
    const eirik = requests.find((r) => r.occurrence.email === 'eirik.solberg@lyngdal.example.no')!;
    expect(eirik).toEqual({
      occurrence: expect.objectContaining({
        id: 'agder-helse-2027:task:samling-1:forankring:4225:eirik.solberg@lyngdal.example.no',
        kind: 'task',
        municipality: '4225',
        platform: 'teams',
        locale: 'nn',
        deadline: oslo('2027-02-10T09:00').toISOString(),
        deadlineReason: 'gathering_started',
      }),
    });
    expect(reachIndex(def).get('ingrid.fjeld@example.no')).toEqual({ platform: 'slack', locale: 'en' });
  });

  it('keeps only the newest digest and status nudge of a catch-up, and drops what lost its point', () => {
    const items = window('2027-02-15T00:00', '2027-03-12T10:00'); // digests 15/2, 22/2, 1/3, 8/3; reflection 18/2; nudges 25/2, 11/3
    const requests = fanOut(def, items, facts('2027-03-12T10:00'));
    const byKind = (kind: string) => requests.filter((r) => r.occurrence.kind === kind);
    expect(byKind('digest').map((r) => [r.occurrence.item.split(':').at(-2), r.skip])).toEqual([
      ['2027-02-15T08', 'superseded'],
      ['2027-02-22T08', 'superseded'],
      ['2027-03-01T08', 'superseded'],
      ['2027-03-08T08', undefined],
    ]);
    expect(byKind('reflection').map((r) => r.skip)).toEqual(['too_late', 'too_late']); // 18/2 + 7 days < 12/3
    const nudges = byKind('status_nudge');
    expect(nudges.filter((r) => !r.skip).map((r) => r.occurrence.item.slice(-10))).toEqual(['2027-03-11', '2027-03-11', '2027-03-11', '2027-03-11']);
    expect(nudges.filter((r) => r.skip === 'superseded')).toHaveLength(4);
  });

  it('drops reminders for those done or checked in, and a nudge after a recent status', () => {
    const reminder = window('2027-01-29T09:00', '2027-01-29T09:00');
    const done = { network: def.id, gathering: 'samling-1', task: 'forankring', municipality: '4204', email: 'ola.hansen@kristiansand.example.no', answer: 'done' as const, at: '' };
    const r1 = fanOut(def, reminder, facts('2027-01-29T09:00', { taskCompletions: new Map([['samling-1', [done, { ...done, email: 'siri.lund@kristiansand.example.no', answer: 'not_yet' as const }]]]) }));
    expect(r1.filter((r) => r.skip).map((r) => [r.occurrence.email, r.skip])).toEqual([['ola.hansen@kristiansand.example.no', 'done']]);

    const checkinReminder = window('2027-02-09T08:00', '2027-02-09T08:00');
    const answer = { network: def.id, gathering: 'samling-1', municipality: '4203', email: 'tone.aas@arendal.example.no', answers: { attending: 'ja' }, at: '' };
    const r2 = fanOut(def, checkinReminder, facts('2027-02-09T08:00', { checkins: new Map([['samling-1', [answer]]]) }));
    expect(r2.filter((r) => r.skip).map((r) => [r.occurrence.email, r.skip])).toEqual([['tone.aas@arendal.example.no', 'answered']]);

    const nudge = window('2027-02-25T15:00', '2027-02-25T15:00').filter((i) => i.municipality === '4204');
    const r3 = fanOut(def, nudge, facts('2027-02-25T15:00', { lastStatus: { '4204': oslo('2027-02-20T10:00') } }));
    expect(r3.map((r) => r.skip)).toEqual(['status_recent']);
  });

  it('drops a task reminder after the due time, and a task or check-in once the gathering began', () => {
    const late = fanOut(def, window('2027-01-20T09:00', '2027-02-09T08:00'), facts('2027-02-10T09:00'));
    const skips = new Map(late.map((r) => [r.occurrence.kind, r.skip]));
    expect(Object.fromEntries(skips)).toMatchObject({ task: 'gathering_started', task_reminder: 'past_due', checkin: 'gathering_started', checkin_reminder: 'gathering_started' });
  });
});

describe('ids', () => {
  it('makes job ids BullMQ accepts and maps them back', () => {
    const id = occurrenceId('net%1:task:g:t', '4204', ' Ola.Hansen@Example.no ');
    expect(id).toBe('net%1:task:g:t:4204:ola.hansen@example.no');
    const job = jobIdOf(id);
    expect(job).not.toContain(':');
    expect(occurrenceOfJobId(job)).toBe(id);
    expect(occurrenceOfJobId('12')).toBeUndefined();
  });
});

describe('delivery pacing settings', () => {
  it('backs off exponentially with jitter, never sooner than Retry-After', () => {
    const low = deliveryBackoff(1000, 60_000, () => 0);
    const high = deliveryBackoff(1000, 60_000, () => 1);
    expect([1, 2, 3, 4].map((n) => low(n))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => high(n))).toEqual([1000, 2000, 4000, 8000]);
    expect(high(20)).toBe(60_000);
    expect(low(1, 'x', new DeliveryError('503', false, 'http_503', 7000))).toBe(7000);
  });

  it('turns a platform rate into a BullMQ limiter that never exceeds it in any sliding second', () => {
    expect(limiterFor(250)).toEqual({ max: 6, duration: 25 });
    expect(limiterFor(30)).toEqual({ max: 1, duration: 35 });
    expect(limiterFor(10)).toEqual({ max: 1, duration: 112 });
    expect(limiterFor(1)).toEqual({ max: 1, duration: 2000 });
    for (const rate of [3, 7, 10, 30, 50, 250, 1000]) {
      const { max, duration } = limiterFor(rate);
      expect(max * (Math.ceil(1000 / duration) + 1)).toBeLessThanOrEqual(rate); // worst case
      if (rate >= 7) expect((1000 * max) / duration).toBeGreaterThanOrEqual(rate * 0.85); // and not needlessly slow
    }
  });
});
