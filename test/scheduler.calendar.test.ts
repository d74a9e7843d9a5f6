/**
 * The scheduler on a fake clock: prompts go out at their local time across both Europe/Oslo
 * daylight-saving switches, move off a public holiday (Kristi himmelfartsdag 2027-05-06), a
 * weekend and quiet hours, and a catch-up after downtime waits for working hours.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MessageDraft } from '../src/core/drafts.ts';
import type { Gathering, NetworkDefinition } from '../src/core/model.ts';
import { exampleNetwork, offset } from './helpers/exampleNetwork.ts';
import type { RecordedCall } from './helpers/recordingPlatform.ts';
import { schedulerHarness, type Harness } from './helpers/scheduler.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The example network plus gatherings whose single-task prompts land where a test needs them. */
function withGatherings(...extra: Gathering[]): NetworkDefinition {
  const def = exampleNetwork();
  def.gatherings.push(...extra);
  return def;
}

function gathering(id: string, starts: string, tasks: { id: string; send: string; due: string }[]): Gathering {
  return {
    id,
    title: `Samling ${id}`,
    starts,
    ends: starts.replace(/T\d\d:\d\d$/, 'T15:00'),
    tasks: tasks.map((t) => ({ id: t.id, title: `Oppgåve ${t.id}`, for: ['prosjektleder'], send: offset(t.send), due: offset(t.due) })),
  };
}

const isTask = (title: string) => (c: RecordedCall) => c.draft.blocks.some((b) => b.type === 'header' && b.text === title);
const isCheckin = (d: MessageDraft) => d.blocks.some((b) => b.type === 'actions' && b.actions.some((a) => a.payload.a === 'checkin.answer'));
const sentAt = (calls: RecordedCall[]) => [...new Set(calls.map((c) => c.at.toISOString()))];

describe('daylight-saving switches (Europe/Oslo)', () => {
  it('sends a 09:00 prompt at 09:00 local before and after the spring switch (2027-03-28)', async () => {
    const def = withGatherings(
      gathering('var', '2027-04-14T09:00', [
        { id: 'for-sommartid', send: '-21d', due: '-1d' }, // 2027-03-24 09:00 CET
        { id: 'etter-sommartid', send: '-14d', due: '-1d' }, // 2027-03-31 09:00 CEST
      ]),
    );
    h = await schedulerHarness({ def, importAt: '2027-03-20T10:00' });
    await h.passAt('2027-03-24T08:59');
    expect(h.accepted().filter(isTask('Oppgåve for-sommartid'))).toEqual([]);
    await h.passAt('2027-03-24T09:00');
    const before = h.accepted().filter(isTask('Oppgåve for-sommartid'));
    expect(before).toHaveLength(4); // the four project leaders
    expect(sentAt(before)).toEqual(['2027-03-24T08:00:00.000Z']); // 09:00 CET

    await h.passAt('2027-03-31T08:59');
    expect(h.accepted().filter(isTask('Oppgåve etter-sommartid'))).toEqual([]);
    await h.passAt('2027-03-31T09:00');
    const after = h.accepted().filter(isTask('Oppgåve etter-sommartid'));
    expect(after).toHaveLength(4);
    expect(sentAt(after)).toEqual(['2027-03-31T07:00:00.000Z']); // 09:00 CEST
  });

  it('sends a 09:00 prompt at 09:00 local before and after the autumn switch (2027-10-31)', async () => {
    const def = withGatherings(
      gathering('haust', '2027-11-17T09:00', [
        { id: 'for-vintertid', send: '-21d', due: '-1d' }, // 2027-10-27 09:00 CEST
        { id: 'etter-vintertid', send: '-14d', due: '-1d' }, // 2027-11-03 09:00 CET
      ]),
    );
    h = await schedulerHarness({ def, importAt: '2027-10-20T10:00' });
    await h.passAt('2027-10-27T08:59');
    expect(h.accepted().filter(isTask('Oppgåve for-vintertid'))).toEqual([]);
    await h.passAt('2027-10-27T09:00');
    expect(sentAt(h.accepted().filter(isTask('Oppgåve for-vintertid')))).toEqual(['2027-10-27T07:00:00.000Z']);
    await h.passAt('2027-11-03T08:59');
    expect(h.accepted().filter(isTask('Oppgåve etter-vintertid'))).toEqual([]);
    await h.passAt('2027-11-03T09:00');
    const after = h.accepted().filter(isTask('Oppgåve etter-vintertid'));
    expect(after).toHaveLength(4);
    expect(sentAt(after)).toEqual(['2027-11-03T08:00:00.000Z']);
  });
});

describe('days off and quiet hours', () => {
  it('moves a prompt off Kristi himmelfartsdag (Thu 2027-05-06) to 08:00 on the next working day', async () => {
    const def = withGatherings(gathering('ekstra', '2027-05-20T09:00', [{ id: 'himmelfart', send: '-14d', due: '-1d' }]));
    h = await schedulerHarness({ def, importAt: '2027-05-03T10:00' });
    const onHoliday = await h.passAt('2027-05-06T09:00');
    expect(onHoliday.networks[0]!.held).toBe('quiet_time');
    await h.passAt('2027-05-07T07:59');
    expect(h.accepted().filter(isTask('Oppgåve himmelfart'))).toEqual([]);
    await h.passAt('2027-05-07T08:00');
    const sent = h.accepted().filter(isTask('Oppgåve himmelfart'));
    expect(sent).toHaveLength(4);
    expect(sentAt(sent)).toEqual(['2027-05-07T06:00:00.000Z']); // Friday 08:00 CEST
  });

  it('moves the check-in planned for Sunday 2027-02-07 09:00 to Monday 08:00', async () => {
    h = await schedulerHarness({ importAt: '2027-02-05T10:00' });
    const sunday = await h.passAt('2027-02-07T09:00');
    expect(sunday.networks[0]!.held).toBe('quiet_time');
    expect(h.accepted().filter((c) => isCheckin(c.draft))).toEqual([]);
    await h.passAt('2027-02-08T08:00');
    const checkins = h.accepted().filter((c) => isCheckin(c.draft));
    expect(checkins).toHaveLength(10);
    expect(sentAt(checkins)).toEqual(['2027-02-08T07:00:00.000Z']);
  });

  it('moves a prompt planned at 17:00 to 08:00 the next morning', async () => {
    const def = withGatherings(gathering('kveld', '2027-06-10T09:00', [{ id: 'kveldsoppgave', send: '-16h', due: '-30m' }]));
    h = await schedulerHarness({ def, importAt: '2027-06-07T10:00' });
    expect((await h.passAt('2027-06-09T17:00')).networks[0]!.held).toBe('quiet_time');
    expect(h.accepted().filter(isTask('Oppgåve kveldsoppgave'))).toEqual([]);
    await h.passAt('2027-06-10T08:00');
    expect(sentAt(h.accepted().filter(isTask('Oppgåve kveldsoppgave')))).toEqual(['2027-06-10T06:00:00.000Z']);
  });

  it('holds a catch-up found in the evening until 08:00 the next working day', async () => {
    h = await schedulerHarness({ importAt: '2027-01-15T10:00' });
    const forankring = isTask('Avklar mandat og sammensetning for styringsgruppen');
    // every process was down over the task's send time (Wed 2027-01-20 09:00)
    expect((await h.passAt('2027-01-20T22:00')).networks[0]!.held).toBe('quiet_time');
    expect(h.accepted().filter(forankring)).toEqual([]);
    const morning = await h.passAt('2027-01-21T08:00');
    expect(morning.networks[0]!.items.find((i) => i.kind === 'task')).toMatchObject({ enqueued: 8 });
    expect(sentAt(h.accepted().filter(forankring))).toEqual(['2027-01-21T07:00:00.000Z']);
  });

  it('still runs a pass a few minutes after the allowed hours end, so a coarse tick does not hold a prompt overnight', async () => {
    h = await schedulerHarness({ importAt: '2027-01-19T10:00' });
    const forankring = isTask('Avklar mandat og sammensetning for styringsgruppen');
    await h.passAt('2027-01-20T08:55');
    expect(h.accepted().filter(forankring)).toEqual([]);
    const late = await h.passAt('2027-01-20T16:05'); // the 09:00 task, found by the next (coarse) tick
    expect(late.networks[0]!.held).toBeUndefined();
    expect(sentAt(h.accepted().filter(forankring))).toEqual(['2027-01-20T15:05:00.000Z']);
    expect((await h.passAt('2027-01-20T16:30')).networks[0]!.held).toBe('quiet_time');
  });
});
