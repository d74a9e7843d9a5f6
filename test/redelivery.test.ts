/**
 * One path, one de-duplication: a request a platform delivers again (Slack's retry with
 * X-Slack-Retry-Num, Teams posting the same activity again) changes the records once, whichever
 * platform it came from. Real HTTP against both endpoints; records read back from Redis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as slack from './slack/harness.ts';
import * as teams from './teams/harness.ts';

describe('Teams: an activity delivered again', () => {
  let h: teams.Harness;
  beforeAll(async () => {
    h = await teams.startHarness({ now: new Date('2027-02-07T09:00:00Z') });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stores one short status when the same message activity arrives three times', async () => {
    const activity = teams.personalMessage(h, teams.PEOPLE.kjetil, 'status Tre ganger sendt');
    for (let i = 0; i < 3; i++) expect((await h.post(activity)).status).toBe(200);
    const stored = (await h.store.listStatus(teams.NETWORK, '4203')).filter((s) => s.text === 'Tre ganger sendt');
    expect(stored).toHaveLength(1);
    // One answer: the redeliveries are not answered again.
    expect(h.fake.messages().filter((c) => JSON.stringify(c.body).includes('Tre ganger sendt'))).toHaveLength(1);
  });

  it('stores one private reflection note when its submission is posted twice', async () => {
    const before = (await h.store.listReflections(teams.NETWORK, '4203')).length;
    const submitNote = teams.cardSubmit(h, teams.PEOPLE.tone, 'act-note', {
      samla: { a: 'reflection.submit', n: teams.NETWORK, g: 'samling-1', m: '4203' },
      topic: 'Turnus',
      discussed: 'Vi snakket om faste møter.',
      will_try: 'Prøve ukesmøter',
      share: 'no',
    });
    await h.post(submitNote);
    await h.post(submitNote);
    expect(await h.store.listReflections(teams.NETWORK, '4203')).toHaveLength(before + 1);
    // A new activity with the same content is a new note: only the delivery id counts.
    await h.post({ ...submitNote, id: `${submitNote.id}-again` });
    expect(await h.store.listReflections(teams.NETWORK, '4203')).toHaveLength(before + 2);
  });

  it('answers a redelivered invoke (Action.Execute) without storing again', async () => {
    const invoke = teams.cardInvoke(h, teams.PEOPLE.kjetil, 'act-x', { samla: { a: 'status.short', n: teams.NETWORK, m: '4203', v: 'Via invoke' } });
    expect((await h.post(invoke)).status).toBe(200);
    const again = await h.post(invoke);
    expect(again.status).toBe(200);
    expect(JSON.stringify(again.body)).toContain('allerede tatt imot');
    expect((await h.store.listStatus(teams.NETWORK, '4203')).filter((s) => s.text === 'Via invoke')).toHaveLength(1);
  });
});

describe('Slack: a request retried', () => {
  let h: slack.Harness;
  beforeAll(async () => {
    h = await slack.startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('stores one status when a modal submission is retried with the same trigger', async () => {
    const from = h.fake.mark();
    await slack.slash(h, slack.USERS.ola, '/status');
    const view = await slack.openedView(h, from);
    const count = async () => (await h.store.listStatus(h.network.id, '4204')).filter((s) => s.done === 'Levert to ganger?').length;
    const first = await slack.submit(h, slack.USERS.ola, view, { overall: 'on_track', done: 'Levert to ganger?', next: 'Neste steg', steering_met: 'no' });
    expect(first.status).toBe(200);
    expect(await count()).toBe(1);
    const again = await slack.post(h, first.body, first.contentType, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(again.status).toBe(200);
    expect(await count()).toBe(1);
  });

  it('records a button click once when Slack delivers it again', async () => {
    const res = await slack.slash(h, slack.USERS.ola, '/status', 'Knapp én gang');
    await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl).pathname);
    const count = async () => (await h.store.listStatus(h.network.id, '4204')).filter((s) => s.text === 'Knapp én gang').length;
    expect(await count()).toBe(1);
    const again = await slack.post(h, res.body, res.contentType, { headers: { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' } });
    expect(again.status).toBe(200);
    await new Promise((r) => setTimeout(r, 100));
    expect(await count()).toBe(1);
  });
});
