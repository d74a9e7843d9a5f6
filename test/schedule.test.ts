/**
 * The schedule facts (src/core/schedule.ts): where offsets put prompts in Europe/Oslo, across
 * both daylight-saving switches (last Sunday of March and of October, in 2027 the 28th and the
 * 31st), the check-in window, and who is asked what. Expected instants are written in UTC, so a
 * wrong time-zone rule cannot agree with itself.
 */
import { describe, expect, it } from 'vitest';
import { planAgenda } from '../src/core/agenda.ts';
import { instantToLocal, localToInstant } from '../src/core/calendar.ts';
import type { Gathering, MemberRole, NetworkDefinition, Task } from '../src/core/model.ts';
import {
  CHECKIN_ROLES,
  checkinClosesAt,
  checkinRoles,
  gatheringEnd,
  gatheringSpan,
  gatheringStart,
  gatheringsAround,
  gatheringsByStart,
  isAskedToCheckIn,
  isAskedToReflect,
  isCheckinOpen,
  isTaskFor,
  nextGathering,
  offsetTime,
  plannedTimes,
  tasksSentBy,
} from '../src/core/schedule.ts';
import { exampleNetwork, offset } from './helpers/exampleNetwork.ts';

const OSLO = { timezone: 'Europe/Oslo' };
const iso = (d: Date | undefined): string | undefined => d?.toISOString();
const local = (d: Date): string => instantToLocal(d, OSLO.timezone);

function gathering(starts: string, ends: string, extra: Partial<Gathering> = {}): Gathering {
  return { id: `g-${starts}`, title: `Samling ${starts}`, starts, ends, tasks: [], ...extra };
}

function task(id: string, roles: MemberRole[], send: string, due: string): Task {
  return { id, title: `Oppgave ${id}`, for: roles, send: offset(send), due: offset(due) };
}

describe('a gathering in time', () => {
  it('starts and ends at its local times in the network zone, summer time or not', () => {
    const winter = gathering('2027-02-10T09:00', '2027-02-11T15:00');
    const summer = gathering('2027-06-09T09:00', '2027-06-09T15:30');
    expect(iso(gatheringStart(OSLO, winter))).toBe('2027-02-10T08:00:00.000Z');
    expect(iso(gatheringEnd(OSLO, winter))).toBe('2027-02-11T14:00:00.000Z');
    expect(iso(gatheringStart(OSLO, summer))).toBe('2027-06-09T07:00:00.000Z');
    expect(iso(gatheringEnd(OSLO, summer))).toBe('2027-06-09T13:30:00.000Z');
    expect(iso(gatheringStart({ timezone: 'UTC' }, winter))).toBe('2027-02-10T09:00:00.000Z');
  });
});

describe('offsetTime', () => {
  const twoDays = gathering('2027-02-10T09:00', '2027-02-11T15:00');

  it('counts a negative offset from the start and a positive one from the end', () => {
    expect(local(offsetTime(OSLO, twoDays, offset('-1d')))).toBe('2027-02-09T09:00');
    expect(local(offsetTime(OSLO, twoDays, offset('+1d')))).toBe('2027-02-12T15:00');
    expect(local(offsetTime(OSLO, twoDays, offset('-2h')))).toBe('2027-02-10T07:00');
    expect(local(offsetTime(OSLO, twoDays, offset('+30m')))).toBe('2027-02-11T15:30');
  });

  it('reads an offset without a sign as positive, from the end', () => {
    expect(local(offsetTime(OSLO, twoDays, offset('14d')))).toBe('2027-02-25T15:00');
  });

  it('keeps 09:00 for day and week offsets back across the spring switch (28 March 2027)', () => {
    const april = gathering('2027-04-07T09:00', '2027-04-07T15:00');
    expect(iso(gatheringStart(OSLO, april))).toBe('2027-04-07T07:00:00.000Z'); // summer time
    expect(iso(offsetTime(OSLO, april, offset('-21d')))).toBe('2027-03-17T08:00:00.000Z'); // winter time, still 09:00
    expect(iso(offsetTime(OSLO, april, offset('-3w')))).toBe('2027-03-17T08:00:00.000Z');
  });

  it('keeps the wall-clock time for day offsets forward across the autumn switch (31 October 2027)', () => {
    const example = exampleNetwork().gatherings.find((g) => g.id === 'samling-3')!;
    // ends 15:00 summer time; a week later it is winter time, and still 15:00
    expect(iso(gatheringEnd(OSLO, example))).toBe('2027-10-27T13:00:00.000Z');
    expect(iso(offsetTime(OSLO, example, offset('+7d')))).toBe('2027-11-03T14:00:00.000Z');
    const november = gathering('2027-11-03T09:00', '2027-11-03T15:00');
    expect(iso(offsetTime(OSLO, november, offset('-7d')))).toBe('2027-10-27T07:00:00.000Z');
  });

  it('counts hours and minutes as exact elapsed time across a switch, unlike days', () => {
    const sundayNoon = gathering('2027-03-28T12:00', '2027-03-28T16:00'); // 10:00Z, summer time since 03:00
    expect(iso(offsetTime(OSLO, sundayNoon, offset('-24h')))).toBe('2027-03-27T10:00:00.000Z');
    expect(local(offsetTime(OSLO, sundayNoon, offset('-24h')))).toBe('2027-03-27T11:00');
    expect(iso(offsetTime(OSLO, sundayNoon, offset('-1d')))).toBe('2027-03-27T11:00:00.000Z');
    expect(local(offsetTime(OSLO, sundayNoon, offset('-1d')))).toBe('2027-03-27T12:00');
    expect(iso(offsetTime(OSLO, sundayNoon, offset('-600m')))).toBe('2027-03-28T00:00:00.000Z'); // 01:00 winter time
    const autumnNoon = gathering('2027-10-31T12:00', '2027-10-31T16:00'); // 11:00Z, winter time since 03:00
    expect(iso(offsetTime(OSLO, autumnNoon, offset('-24h')))).toBe('2027-10-30T11:00:00.000Z'); // 13:00 summer time
    expect(iso(offsetTime(OSLO, autumnNoon, offset('-1d')))).toBe('2027-10-30T10:00:00.000Z'); // 12:00 summer time
  });

  it('moves a day offset that lands in the spring gap forward by the gap, and one in the autumn overlap to its first occurrence', () => {
    const early = gathering('2027-03-29T02:30', '2027-03-29T04:00');
    expect(iso(offsetTime(OSLO, early, offset('-1d')))).toBe('2027-03-28T01:30:00.000Z'); // 03:30 summer time
    const twice = gathering('2027-11-01T02:30', '2027-11-01T04:00');
    expect(iso(offsetTime(OSLO, twice, offset('-1d')))).toBe('2027-10-31T00:30:00.000Z'); // the first 02:30
  });
});

describe('plannedTimes', () => {
  it('gives every task, the check-in and the reflection of a gathering where their offsets put them', () => {
    const g = exampleNetwork().gatherings.find((x) => x.id === 'samling-2')!;
    const t = plannedTimes(OSLO, g);
    expect(iso(t.start)).toBe('2027-05-05T07:00:00.000Z');
    expect(iso(t.end)).toBe('2027-05-05T13:30:00.000Z');
    expect(t.tasks.map((p) => [p.task.id, local(p.send), local(p.due)])).toEqual([
      ['swot', '2027-04-07T09:00', '2027-04-30T09:00'],
      ['refleksjon-tema', '2027-04-21T09:00', '2027-05-03T09:00'],
    ]);
    expect(local(t.checkin!)).toBe('2027-05-02T09:00');
    expect(local(t.reflection!)).toBe('2027-05-12T15:30');
  });

  it('leaves out the check-in and reflection a gathering does not have', () => {
    const t = plannedTimes(OSLO, gathering('2027-02-10T09:00', '2027-02-10T15:00'));
    expect(t.tasks).toEqual([]);
    expect(t.checkin).toBeUndefined();
    expect(t.reflection).toBeUndefined();
  });
});

describe('the check-in window', () => {
  const g = gathering('2027-02-10T09:00', '2027-02-11T15:00', { checkin: { send: offset('-3d') } });

  it('closes when the gathering starts', () => {
    expect(iso(checkinClosesAt(OSLO, g))).toBe('2027-02-10T08:00:00.000Z');
  });

  it('accepts answers up to the last millisecond before the start, and none from the start on', () => {
    expect(isCheckinOpen(OSLO, g, new Date('2027-02-07T08:00:00.000Z'))).toBe(true);
    expect(isCheckinOpen(OSLO, g, new Date('2027-02-10T07:59:59.999Z'))).toBe(true);
    expect(isCheckinOpen(OSLO, g, new Date('2027-02-10T08:00:00.000Z'))).toBe(false);
    expect(isCheckinOpen(OSLO, g, new Date('2027-02-10T12:00:00.000Z'))).toBe(false);
  });

  it('closes at the local start also when summer time began the same night', () => {
    const sunday = gathering('2027-03-28T09:00', '2027-03-28T15:00');
    expect(isCheckinOpen(OSLO, sunday, new Date('2027-03-28T06:59:00.000Z'))).toBe(true); // 08:59 summer time
    expect(isCheckinOpen(OSLO, sunday, new Date('2027-03-28T07:00:00.000Z'))).toBe(false); // 09:00 summer time
  });
});

describe('who is asked', () => {
  const def = exampleNetwork();
  const [samling1, samling2] = def.gatherings as [Gathering, Gathering];
  const bare = gathering('2027-09-01T09:00', '2027-09-01T15:00');

  it('asks project leaders and participants to check in to every gathering, with or without tasks', () => {
    expect(CHECKIN_ROLES).toEqual(['prosjektleder', 'deltaker']);
    for (const g of [samling1, samling2, bare]) {
      expect(isAskedToCheckIn(g, ['prosjektleder'])).toBe(true);
      expect(isAskedToCheckIn(g, ['deltaker'])).toBe(true);
    }
  });

  it('asks other roles only to gatherings where they have a task', () => {
    // samling-1's task is for project leaders and steering groups; samling-2 also has one for the reflection group
    expect(isAskedToCheckIn(samling1, ['styringsgruppe'])).toBe(true);
    expect(isAskedToCheckIn(samling1, ['refleksjonsgruppe'])).toBe(false);
    expect(isAskedToCheckIn(samling2, ['refleksjonsgruppe'])).toBe(true);
    expect(isAskedToCheckIn(bare, ['styringsgruppe'])).toBe(false);
    expect(isAskedToCheckIn(samling2, ['kontaktperson'])).toBe(false);
    expect(isAskedToCheckIn(samling2, [])).toBe(false);
    expect(isAskedToCheckIn(samling1, ['kontaktperson', 'styringsgruppe'])).toBe(true);
  });

  it('lists the check-in roles of a gathering once each', () => {
    expect(checkinRoles(samling2)).toEqual(['prosjektleder', 'deltaker', 'styringsgruppe', 'refleksjonsgruppe']);
    expect(checkinRoles(bare)).toEqual(['prosjektleder', 'deltaker']);
  });

  it('sends the check-in to exactly those who may answer it', () => {
    const items = planAgenda(def, { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2029-01-01T00:00:00Z') });
    for (const g of def.gatherings) {
      const item = items.find((i) => i.kind === 'checkin' && i.gathering === g.id)!;
      const sent = item.recipients.map((r) => `${r.municipality}/${r.email}`).sort();
      const mayAnswer = def.municipalities
        .flatMap((m) => m.members.filter((p) => isAskedToCheckIn(g, p.roles)).map((p) => `${m.id}/${p.email.toLowerCase()}`))
        .sort();
      expect(sent.length).toBeGreaterThan(0);
      expect(sent).toEqual([...new Set(mayAnswer)]);
    }
  });

  it('sends a task to anyone holding one of its roles', () => {
    const t = task('t', ['prosjektleder', 'styringsgruppe'], '-7d', '-1d');
    expect(isTaskFor(t, ['styringsgruppe'])).toBe(true);
    expect(isTaskFor(t, ['kontaktperson', 'prosjektleder'])).toBe(true);
    expect(isTaskFor(t, ['deltaker', 'refleksjonsgruppe'])).toBe(false);
    expect(isTaskFor(t, [])).toBe(false);
  });

  it('asks the reflection group, and only it, to write reflection notes', () => {
    expect(isAskedToReflect(['refleksjonsgruppe'])).toBe(true);
    expect(isAskedToReflect(['prosjektleder', 'deltaker', 'styringsgruppe', 'kontaktperson'])).toBe(false);
  });
});

describe('tasksSentBy', () => {
  const g = gathering('2027-04-07T09:00', '2027-04-07T15:00', {
    tasks: [task('early', ['prosjektleder'], '-21d', '-3d'), task('late', ['prosjektleder'], '-2d', '-1d'), task('other', ['refleksjonsgruppe'], '-21d', '-3d')],
  });

  it('counts a task as sent from its planned send time on, for the roles it is for', () => {
    const send = localToInstant('2027-03-17T09:00', OSLO.timezone);
    const ids = (at: Date, roles: string[]) => tasksSentBy(OSLO, g, at, roles).map((t) => t.id);
    expect(ids(new Date(send.getTime() - 1), ['prosjektleder'])).toEqual([]);
    expect(ids(send, ['prosjektleder'])).toEqual(['early']);
    expect(ids(localToInstant('2027-04-05T09:00', OSLO.timezone), ['prosjektleder'])).toEqual(['early', 'late']);
    expect(ids(localToInstant('2027-04-05T09:00', OSLO.timezone), ['prosjektleder', 'refleksjonsgruppe'])).toEqual(['early', 'late', 'other']);
    expect(ids(localToInstant('2027-04-05T09:00', OSLO.timezone), ['deltaker'])).toEqual([]);
  });
});

describe('gatherings around an instant', () => {
  // In the file out of order: the autumn one first.
  const autumn = gathering('2027-10-27T09:00', '2027-10-27T15:00');
  const winter = gathering('2027-02-10T09:00', '2027-02-11T15:00');
  const spring = gathering('2027-05-05T09:00', '2027-05-05T15:30');
  const def: Pick<NetworkDefinition, 'timezone' | 'gatherings'> = { ...OSLO, gatherings: [autumn, winter, spring] };

  it('orders gatherings by start, not by their place in the file', () => {
    expect(gatheringsByStart(def)).toEqual([winter, spring, autumn]);
    expect(def.gatherings).toEqual([autumn, winter, spring]);
  });

  it('finds the next gathering as the first that has not started; one starting now has begun', () => {
    expect(nextGathering(def, new Date('2027-01-01T00:00:00Z'))).toBe(winter);
    expect(nextGathering(def, new Date('2027-02-10T07:59:59.999Z'))).toBe(winter);
    expect(nextGathering(def, new Date('2027-02-10T08:00:00.000Z'))).toBe(spring);
    expect(nextGathering(def, new Date('2027-06-01T00:00:00Z'))).toBe(autumn);
    expect(nextGathering(def, new Date('2027-10-27T07:00:00.000Z'))).toBeUndefined();
  });

  it('takes the last gathering to be the latest that has ended, counting one ending now', () => {
    expect(gatheringsAround(def, new Date('2027-02-11T13:59:59.999Z'))).toEqual({ last: undefined, next: spring });
    expect(gatheringsAround(def, new Date('2027-02-11T14:00:00.000Z'))).toEqual({ last: winter, next: spring });
    expect(gatheringsAround(def, new Date('2027-05-05T10:00:00.000Z'))).toEqual({ last: winter, next: autumn }); // during spring
    expect(gatheringsAround(def, new Date('2028-01-01T00:00:00Z'))).toEqual({ last: autumn, next: undefined });
  });

  it('spans the network from the first start to the last end, and has no span without gatherings', () => {
    const span = gatheringSpan(def)!;
    expect(iso(span.firstStart)).toBe('2027-02-10T08:00:00.000Z');
    expect(iso(span.lastStart)).toBe('2027-10-27T07:00:00.000Z');
    expect(iso(span.lastEnd)).toBe('2027-10-27T13:00:00.000Z');
    expect(gatheringSpan({ ...OSLO, gatherings: [] })).toBeUndefined();
  });
});
