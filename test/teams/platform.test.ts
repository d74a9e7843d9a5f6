/**
 * TeamsPlatform (the scheduler's way out to Teams) against the fake Bot Connector: proactive
 * sends, opening a personal chat on demand, updates, and failures as DeliveryErrors the
 * delivery queue can act on.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/core/ports.ts';
import { notInRoster, throttled } from '../fakes/botConnector.ts';
import { type Harness, BOT_ID, NETWORK, PEOPLE, TEAM, cardOf, cardProblems, personalMessage, startHarness, teamInstall } from './harness.ts';

const KJETIL = 'kjetil.dahl@arendal.example.no';
const HILDE = 'hilde.vik@arendal.example.no';
const draft = { fallback: 'Hei', blocks: [{ type: 'header' as const, text: 'Hei' }, { type: 'divider' as const }, { type: 'text' as const, text: 'Påminnelse' }] };

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.post(personalMessage(h, PEOPLE.kjetil, 'hjelp'));
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.fake.reset());

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('TeamsPlatform', () => {
  it('sends a card to a person in their personal chat and updates it later', async () => {
    const sent = await h.plugin.platform.sendToPerson(KJETIL, draft);
    const [post] = h.fake.callsOf('send');
    expect(post).toMatchObject({ conversationId: `a:personal-${PEOPLE.kjetil.id}` });
    expect(post!.body).toMatchObject({ type: 'message', summary: 'Hei', from: { id: BOT_ID } });
    expect(cardProblems(cardOf(post!))).toEqual([]);
    expect(sent).toEqual({ platform: 'teams', conversation: `a:personal-${PEOPLE.kjetil.id}`, message: expect.stringMatching(/^act-/) });

    await h.plugin.platform.update(sent, { fallback: 'Oppdatert', blocks: [{ type: 'text', text: 'Oppdatert' }] });
    const [put] = h.fake.callsOf('update');
    expect(put).toMatchObject({ conversationId: sent.conversation, activityId: sent.message });
    expect(JSON.stringify(cardOf(put!))).toContain('Oppdatert');
  });

  it('maps 403 BotNotInConversationRoster to a permanent failure and records the person as unreachable', async () => {
    h.fake.failWith({ kind: 'send', times: 1, ...notInRoster() });
    const err = await failure(h.plugin.platform.sendToPerson(KJETIL, draft));
    expect(err).toMatchObject({ permanent: true, code: 'teams_bot_not_in_roster' });
    const [entry] = await h.store.listUnreachable(NETWORK);
    expect(entry).toMatchObject({ email: KJETIL, reason: 'bot_not_in_roster' });
  });

  it('maps 429 to a transient failure honouring Retry-After, and 5xx and network errors to transient ones', async () => {
    h.fake.failWith({ kind: 'send', times: 1, ...throttled(7) });
    expect(await failure(h.plugin.platform.sendToPerson(KJETIL, draft))).toMatchObject({ permanent: false, code: 'teams_throttled', retryAfterMs: 7000 });
    h.fake.failWith({ kind: 'send', times: 1, status: 502, body: { error: { code: 'ServiceError', message: 'Bad gateway' } } });
    expect(await failure(h.plugin.platform.sendToPerson(KJETIL, draft))).toMatchObject({ permanent: false, code: 'teams_unavailable' });
    await h.plugin.references.saveConversation({ conversationId: '19:gone@thread.tacv2', serviceUrl: 'http://127.0.0.1:9/', kind: 'channel', at: '2027-01-25T10:00:00Z' });
    expect(await failure(h.plugin.platform.sendToChannel('19:gone@thread.tacv2', draft))).toMatchObject({ permanent: false, code: 'teams_network' });
    // The transient ones did not mark anyone unreachable beyond the 403 above.
    expect((await h.store.listUnreachable(NETWORK)).map((u) => u.reason)).toEqual(['bot_not_in_roster']);
  });

  it('maps 404 on an update to a permanent failure', async () => {
    h.fake.failWith({ kind: 'update', times: 1, status: 404, body: { error: { code: 'ActivityNotFound', message: 'Not found' } } });
    const err = await failure(h.plugin.platform.update({ platform: 'teams', conversation: `a:personal-${PEOPLE.kjetil.id}`, message: 'act-404' }, draft));
    expect(err).toMatchObject({ permanent: true, code: 'teams_not_found' });
  });

  it('refuses, permanently and on the record, a person Samla has never seen in Teams, and an unknown channel', async () => {
    const err = await failure(h.plugin.platform.sendToPerson('marit.hauge@lyngdal.example.no', draft));
    expect(err).toMatchObject({ permanent: true, code: 'teams_no_reference' });
    expect(h.fake.calls).toEqual([]);
    expect((await h.store.listUnreachable(NETWORK)).find((u) => u.email === 'marit.hauge@lyngdal.example.no')).toMatchObject({ reason: 'no_reference', name: 'Marit Hauge' });
    expect(await failure(h.plugin.platform.sendToChannel('19:unknown@thread.tacv2', draft))).toMatchObject({ permanent: true, code: 'teams_channel_unknown' });
  });

  it('opens the personal chat first for someone seen only in a team roster', async () => {
    h.fake.addMembers([PEOPLE.hilde], TEAM.id);
    h.fake.failWith({ kind: 'createConversation', userId: PEOPLE.hilde.id, times: 1, ...notInRoster() });
    await h.post(teamInstall(h, PEOPLE.kjetil));
    await h.plugin.idle();
    expect((await h.plugin.references.person(HILDE))?.conversationId).toBeUndefined();

    h.fake.reset();
    const sent = await h.plugin.platform.sendToPerson(HILDE, draft);
    expect(h.fake.calls.map((c) => c.kind)).toEqual(['createConversation', 'send']);
    expect(sent.conversation).toBe(`a:personal-${PEOPLE.hilde.id}`);
    expect((await h.plugin.references.person(HILDE))?.conversationId).toBe(`a:personal-${PEOPLE.hilde.id}`);
  });
});
