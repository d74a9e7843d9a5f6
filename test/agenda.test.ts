import { describe, expect, it } from 'vitest';
import { planAgenda, type AgendaItem } from '../src/core/agenda.ts';
import { instantToLocal, localToInstant } from '../src/core/calendar.ts';
import type { Gathering, NetworkDefinition } from '../src/core/model.ts';
import { exampleNetwork, offset } from './helpers/exampleNetwork.ts';

const OSLO = 'Europe/Oslo';
const at = (local: string): Date => localToInstant(local, OSLO);
const YEAR = { from: at('2026-06-01T00:00'), to: at('2028-06-01T00:00') };

function find(items: AgendaItem[], id: string): AgendaItem {
  const item = items.find((i) => i.id === id);
  if (!item) throw new Error(`no item ${id} in ${items.map((i) => i.id).join(', ')}`);
  return item;
}

const names = (item: AgendaItem): string[] => item.recipients.map((r) => r.name);
const ID = 'agder-helse-2027';

/** The example network with one more gathering, to place a task exactly where a test needs it. */
function withGathering(g: Partial<Gathering> & { starts: string }): NetworkDefinition {
  const def = exampleNetwork();
  def.gatherings.push({
    id: 'ekstra',
    title: 'Ekstra samling',
    ends: g.starts,
    tasks: [],
    ...g,
  });
  return def;
}

describe('the example network agenda', () => {
  const items = planAgenda(exampleNetwork(), YEAR);

  it('sends the forankring task for samling-1 at 09:00 on 2027-01-20 to project leaders and steering groups', () => {
    const task = find(items, `${ID}:task:samling-1:forankring`);
    expect(task.kind).toBe('task');
    expect(task.local).toBe('2027-01-20T09:00');
    expect(task.at.toISOString()).toBe('2027-01-20T08:00:00.000Z');
    expect(task.planned).toEqual(task.at);
    expect(task.moved).toBeUndefined();
    expect(task.dueLocal).toBe('2027-02-07T09:00');
    expect(task.gathering).toBe('samling-1');
    expect(task.task).toBe('forankring');
    expect(task.title).toBe('Avklar mandat og sammensetning for styringsgruppen');
    expect(names(task)).toEqual([
      'Ola Hansen',
      'Siri Lund',
      'Per Berg',
      'Kjetil Dahl',
      'Hilde Vik',
      'Eirik Solberg',
      'Marit Hauge',
      'Lars Eide',
    ]);
    expect(task.recipients[0]).toEqual({
      email: 'ola.hansen@kristiansand.example.no',
      name: 'Ola Hansen',
      municipality: '4204',
      roles: ['prosjektleder', 'kontaktperson'],
    });
  });

  it('reminds halfway between send and due, to the same people', () => {
    const reminder = find(items, `${ID}:task_reminder:samling-1:forankring`);
    expect(reminder.local).toBe('2027-01-29T09:00');
    expect(reminder.dueLocal).toBe('2027-02-07T09:00');
    expect(names(reminder)).toEqual(names(find(items, `${ID}:task:samling-1:forankring`)));
  });

  it('moves the samling-1 check-in from Sunday 2027-02-07 to Monday 08:00, to everyone with a seat or a task', () => {
    const checkin = find(items, `${ID}:checkin:samling-1`);
    expect(instantToLocal(checkin.planned, OSLO)).toBe('2027-02-07T09:00');
    expect(checkin.local).toBe('2027-02-08T08:00');
    expect(checkin.moved).toEqual({ reason: 'weekend' });
    expect(checkin.title).toBe('Check-in: Oppstartssamling');
    expect(names(checkin)).toEqual([
      'Ola Hansen',
      'Siri Lund',
      'Per Berg',
      'Anne Moe',
      'Kjetil Dahl',
      'Hilde Vik',
      'Tone Aas',
      'Eirik Solberg',
      'Marit Hauge',
      'Lars Eide',
    ]);
  });

  it('reminds of the check-in the next working day, before the gathering', () => {
    expect(find(items, `${ID}:checkin_reminder:samling-1`).local).toBe('2027-02-09T08:00');
    // samling-3's check-in has no task for the steering group: leaders and participants only
    expect(names(find(items, `${ID}:checkin:samling-3`))).toEqual([
      'Ola Hansen',
      'Anne Moe',
      'Kjetil Dahl',
      'Tone Aas',
      'Eirik Solberg',
      'Lars Eide',
    ]);
  });

  it('asks the reflection groups a week after samling-1 ends, at 15:00 on 2027-02-18', () => {
    const reflection = find(items, `${ID}:reflection:samling-1`);
    expect(reflection.local).toBe('2027-02-18T15:00');
    expect(reflection.moved).toBeUndefined();
    expect(names(reflection)).toEqual(['Anne Moe', 'Tone Aas']);
  });

  it('sends the digest on Mondays at 08:00 to Ingrid Fjeld, from 28 days before the first prompt', () => {
    const digests = items.filter((i) => i.kind === 'digest');
    expect(digests[0]?.local).toBe('2026-12-28T08:00'); // first prompt 2027-01-20 09:00, minus 28 days: 2026-12-23
    expect(digests.at(-1)?.local).toBe('2027-11-22T08:00'); // last gathering ends 2027-10-27, plus 28 days: 2027-11-24
    for (const d of digests) {
      expect(d.recipients).toEqual([{ email: 'ingrid.fjeld@example.no', name: 'Ingrid Fjeld', roles: ['organiser'] }]);
      expect(d.local.slice(11)).toBe('08:00');
      expect(localToInstant(d.local, OSLO).getTime()).toBe(d.at.getTime());
    }
    const onMonday = digests.filter((d) => d.at.getTime() === d.planned.getTime());
    expect(onMonday.every((d) => new Date(d.local.slice(0, 10)).getUTCDay() === 1)).toBe(true);
  });

  it('keeps the digest at 08:00 local across both DST switches', () => {
    const local = (id: string) => find(items, `${ID}:digest:${id}`);
    expect(local('2027-03-22T08:00').at.toISOString()).toBe('2027-03-22T07:00:00.000Z');
    // Easter Monday 2027-03-29 is a holiday: Tuesday 08:00, now summer time
    const easter = local('2027-03-29T08:00');
    expect(easter.local).toBe('2027-03-30T08:00');
    expect(easter.at.toISOString()).toBe('2027-03-30T06:00:00.000Z');
    expect(easter.moved).toEqual({ reason: 'holiday', holiday: 'Andre påskedag' });
    expect(local('2027-10-25T08:00').at.toISOString()).toBe('2027-10-25T06:00:00.000Z');
    expect(local('2027-11-01T08:00').at.toISOString()).toBe('2027-11-01T07:00:00.000Z');
  });

  it('nudges each project leader every 14 days from the end of samling-1 until samling-3 starts', () => {
    const nudges = items.filter((i) => i.kind === 'status_nudge' && i.municipality === '4204');
    expect(nudges[0]?.id).toBe(`${ID}:status_nudge:4204:2027-02-25`);
    expect(nudges[0]?.local).toBe('2027-02-25T15:00');
    expect(nudges[0]?.title).toBe('Status nudge: Kristiansand');
    expect(nudges.every((n) => names(n).join() === 'Ola Hansen')).toBe(true);
    expect(nudges.at(-1)?.id).toBe(`${ID}:status_nudge:4204:2027-10-21`);
    expect(nudges).toHaveLength(18);
    const munis = new Set(items.filter((i) => i.kind === 'status_nudge').map((i) => i.municipality));
    expect([...munis].sort()).toEqual(['4203', '4204', '4207', '4225']);
    // Skjærtorsdag 2027-03-25: the nudge waits until after Easter
    const easter = find(items, `${ID}:status_nudge:4204:2027-03-25`);
    expect(easter.local).toBe('2027-03-30T08:00');
    expect(easter.moved).toEqual({ reason: 'holiday', holiday: 'Skjærtorsdag' });
  });

  it('is sorted by time, then id, with unique ids', () => {
    for (let i = 1; i < items.length; i++) {
      const [a, b] = [items[i - 1]!, items[i]!];
      expect(a.at.getTime() < b.at.getTime() || (a.at.getTime() === b.at.getTime() && a.id < b.id)).toBe(true);
    }
    expect(new Set(items.map((i) => i.id)).size).toBe(items.length);
  });
});

describe('planAgenda', () => {
  it('gives the same ids for the same input, and keeps them when a gathering moves', () => {
    const first = planAgenda(exampleNetwork(), YEAR);
    expect(planAgenda(exampleNetwork(), YEAR).map((i) => [i.id, i.at.toISOString()])).toEqual(
      first.map((i) => [i.id, i.at.toISOString()]),
    );
    const moved = exampleNetwork();
    moved.gatherings[1]!.starts = '2027-05-12T09:00';
    moved.gatherings[1]!.ends = '2027-05-12T15:30';
    const second = planAgenda(moved, YEAR);
    const gathering2 = (items: AgendaItem[]) => items.filter((i) => i.gathering === 'samling-2');
    expect(gathering2(second).map((i) => i.id).sort()).toEqual(gathering2(first).map((i) => i.id).sort());
    expect(find(second, `${ID}:task:samling-2:swot`).local).toBe('2027-04-14T09:00');
    expect(find(second, `${ID}:task:samling-1:forankring`).at).toEqual(find(first, `${ID}:task:samling-1:forankring`).at);
  });

  it('returns only items sent in [from, to)', () => {
    const all = planAgenda(exampleNetwork(), YEAR);
    const from = at('2027-02-08T08:00');
    const to = at('2027-02-18T15:00');
    const window = planAgenda(exampleNetwork(), { from, to });
    expect(window.map((i) => i.id)).toEqual(
      all.filter((i) => i.at >= from && i.at < to).map((i) => i.id),
    );
    expect(window.map((i) => i.id)).toContain(`${ID}:checkin:samling-1`); // at == from: included
    expect(window.map((i) => i.id)).not.toContain(`${ID}:reflection:samling-1`); // at == to: excluded
    expect(window.length).toBeGreaterThan(2);
    expect(planAgenda(exampleNetwork(), { from: to, to: from })).toEqual([]);
  });

  it('keeps 09:00 local for a -21d task across the switch to summer time', () => {
    const def = withGathering({
      starts: '2027-04-07T09:00',
      tasks: [{ id: 'vår', title: 'Vår', for: ['prosjektleder'], send: offset('-21d'), due: offset('-2d') }],
    });
    const task = find(planAgenda(def, YEAR), `${ID}:task:ekstra:vår`);
    expect(task.local).toBe('2027-03-17T09:00');
    expect(task.at.toISOString()).toBe('2027-03-17T08:00:00.000Z');
    expect(at('2027-04-07T09:00').toISOString()).toBe('2027-04-07T07:00:00.000Z');
    expect(task.dueLocal).toBe('2027-04-05T09:00'); // Easter Monday: a due time is not moved
  });

  it('keeps 09:00 local for a -7d task across the switch back to winter time', () => {
    const def = withGathering({
      starts: '2027-11-03T09:00',
      tasks: [{ id: 'høst', title: 'Høst', for: ['prosjektleder'], send: offset('-7d'), due: offset('-1d') }],
    });
    const task = find(planAgenda(def, YEAR), `${ID}:task:ekstra:høst`);
    expect(task.local).toBe('2027-10-27T09:00');
    expect(task.at.toISOString()).toBe('2027-10-27T07:00:00.000Z');
  });

  it('moves a task on Kristi himmelfartsdag (2027-05-06) to Friday 2027-05-07 08:00', () => {
    const def = withGathering({
      starts: '2027-05-10T09:00',
      tasks: [{ id: 'kh', title: 'KH', for: ['prosjektleder'], send: offset('-4d'), due: offset('-1d') }],
    });
    const task = find(planAgenda(def, YEAR), `${ID}:task:ekstra:kh`);
    expect(instantToLocal(task.planned, OSLO)).toBe('2027-05-06T09:00');
    expect(task.local).toBe('2027-05-07T08:00');
    expect(task.moved).toEqual({ reason: 'holiday', holiday: 'Kristi himmelfartsdag' });
  });

  it('moves a prompt back when moving it forward would reach the gathering start', () => {
    // gathering on Monday 08:00: a check-in planned for Sunday would move to the gathering itself
    const def = withGathering({ starts: '2027-03-01T08:00', ends: '2027-03-01T15:00', checkin: { send: offset('-1d') } });
    const items = planAgenda(def, YEAR);
    const checkin = find(items, `${ID}:checkin:ekstra`);
    expect(instantToLocal(checkin.planned, OSLO)).toBe('2027-02-28T08:00');
    expect(checkin.local).toBe('2027-02-26T15:59');
    expect(checkin.moved).toEqual({ reason: 'weekend' });
    // its reminder would come on Monday 15:59, after the start: left out
    expect(items.some((i) => i.id === `${ID}:checkin_reminder:ekstra`)).toBe(false);
  });

  it('moves quiet-hours prompts to 08:00: 17:00 to the next morning, 07:00 to the same morning', () => {
    const def = withGathering({
      starts: '2027-03-10T09:00',
      tasks: [
        { id: 'kveld', title: 'Kveld', for: ['prosjektleder'], send: offset('-16h'), due: offset('-1h') },
        { id: 'morgen', title: 'Morgen', for: ['prosjektleder'], send: offset('-26h'), due: offset('-1h') },
      ],
    });
    const items = planAgenda(def, YEAR);
    const evening = find(items, `${ID}:task:ekstra:kveld`);
    expect(instantToLocal(evening.planned, OSLO)).toBe('2027-03-09T17:00');
    expect(evening.local).toBe('2027-03-10T08:00');
    expect(evening.moved).toEqual({ reason: 'quiet_hours' });
    const morning = find(items, `${ID}:task:ekstra:morgen`);
    expect(instantToLocal(morning.planned, OSLO)).toBe('2027-03-09T07:00');
    expect(morning.local).toBe('2027-03-09T08:00');
  });

  it('moves a Saturday prompt to Monday 08:00', () => {
    const def = withGathering({
      starts: '2027-02-17T10:00',
      tasks: [{ id: 'lørdag', title: 'Lørdag', for: ['prosjektleder'], send: offset('-4d'), due: offset('-1d') }],
    });
    const task = find(planAgenda(def, YEAR), `${ID}:task:ekstra:lørdag`);
    expect(task.local).toBe('2027-02-15T08:00');
    expect(task.moved).toEqual({ reason: 'weekend' });
  });

  it('places the reminder by facts.reminderFraction', () => {
    const items = planAgenda(exampleNetwork(), YEAR, { reminderFraction: 0.25 });
    // 18 days from 2027-01-20 09:00 to 2027-02-07 09:00: a quarter is 4.5 days, Sunday 21:00 → Monday 08:00
    const reminder = find(items, `${ID}:task_reminder:samling-1:forankring`);
    expect(reminder.local).toBe('2027-01-25T08:00');
    expect(() => planAgenda(exampleNetwork(), YEAR, { reminderFraction: 1 })).toThrow(/reminderFraction/);
  });

  it('counts status nudges from the last status when there is one', () => {
    const items = planAgenda(exampleNetwork(), YEAR, { lastStatus: { '4204': at('2027-03-01T10:30') } });
    const nudges = items.filter((i) => i.kind === 'status_nudge' && i.municipality === '4204');
    expect(nudges[0]?.id).toBe(`${ID}:status_nudge:4204:2027-03-15`);
    expect(nudges[0]?.local).toBe('2027-03-15T10:30');
    expect(nudges[1]?.local).toBe('2027-03-30T08:00'); // 2027-03-29 is Easter Monday
    const arendal = items.filter((i) => i.kind === 'status_nudge' && i.municipality === '4203');
    expect(arendal[0]?.local).toBe('2027-02-25T15:00');
  });

  it('does not nudge a municipality without a project leader', () => {
    const def = exampleNetwork();
    def.municipalities[3]!.members[0]!.roles = ['kontaktperson'];
    const items = planAgenda(def, YEAR);
    expect(items.some((i) => i.municipality === '4207')).toBe(false);
  });

  it('gives a person in two municipalities one recipient per municipality', () => {
    const def = exampleNetwork();
    def.municipalities[1]!.members.push({ name: 'Ola Hansen', email: 'Ola.Hansen@kristiansand.example.no', roles: ['styringsgruppe'] });
    const task = find(planAgenda(def, YEAR), `${ID}:task:samling-1:forankring`);
    const ola = task.recipients.filter((r) => r.email === 'ola.hansen@kristiansand.example.no');
    expect(ola.map((r) => [r.municipality, r.roles])).toEqual([
      ['4204', ['prosjektleder', 'kontaktperson']],
      ['4203', ['styringsgruppe']],
    ]);
  });

  it('does not depend on the order of gatherings in the file', () => {
    const def = exampleNetwork();
    def.gatherings.reverse();
    expect(planAgenda(def, YEAR).map((i) => i.id)).toEqual(planAgenda(exampleNetwork(), YEAR).map((i) => i.id));
  });

  it('plans a network of 400 municipalities and 50,000 people, each participant once per item', () => {
    const def = exampleNetwork();
    def.municipalities = Array.from({ length: 400 }, (_, i) => ({
      id: String(1000 + i),
      name: `Kommune ${i}`,
      platform: 'slack' as const,
      members: Array.from({ length: 125 }, (_, j) => ({
        name: `P ${j}`,
        email: `p${j}@k${i}.example.no`,
        roles: [j === 0 ? ('prosjektleder' as const) : ('deltaker' as const)],
      })),
    }));
    const items = planAgenda(def, YEAR);
    expect(find(items, `${ID}:checkin:samling-1`).recipients).toHaveLength(50_000);
    expect(find(items, `${ID}:task:samling-1:forankring`).recipients).toHaveLength(400);
    expect(items.filter((i) => i.kind === 'status_nudge')).toHaveLength(400 * 18);
  });
});
