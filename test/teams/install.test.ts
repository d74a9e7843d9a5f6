/**
 * Installing Samla in a team: the roster is read page by page, network members are matched by
 * email or UPN, personal chats are opened for those who get prompts, and whoever cannot be
 * reached is recorded as unreachable, never skipped silently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notInRoster } from '../fakes/botConnector.ts';
import { type Harness, BOT_ID, NETWORK, PEOPLE, TEAM, TENANT, personalMessage, startHarness, teamInstall, teamMembersAdded } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  h.fake.addMembers([PEOPLE.kjetil, PEOPLE.hilde, PEOPLE.tone, PEOPLE.stranger], TEAM.id);
});
afterAll(async () => {
  await h?.close();
});

describe('installing Samla in a team', () => {
  it('reads the roster, opens personal chats for matched members and records the unreachable', async () => {
    h.fake.failWith({ kind: 'createConversation', userId: PEOPLE.hilde.id, ...notInRoster() });
    const res = await h.post(teamInstall(h, PEOPLE.kjetil));
    expect(res.status).toBe(200);
    // Teams also sends conversationUpdate with Samla among membersAdded: synced once only.
    await h.post({ ...teamMembersAdded(h, PEOPLE.kjetil, [{ id: BOT_ID }]), type: 'conversationUpdate' });
    await h.plugin.idle();

    // Two pages of two members each.
    const pages = h.fake.callsOf('pagedmembers');
    expect(pages.map((c) => [c.conversationId, c.query.get('continuationToken')])).toEqual([
      [TEAM.id, null],
      [TEAM.id, '2'],
    ]);

    const created = h.fake.callsOf('createConversation');
    expect(created.map((c) => c.userId)).toEqual([PEOPLE.kjetil.id, PEOPLE.hilde.id, PEOPLE.tone.id]);
    expect(created[0]!.body).toEqual({
      bot: { id: BOT_ID },
      members: [{ id: PEOPLE.kjetil.id }],
      isGroup: false,
      tenantId: TENANT,
      channelData: { tenant: { id: TENANT } },
    });

    expect(await h.plugin.references.person('kjetil.dahl@arendal.example.no')).toMatchObject({
      userId: PEOPLE.kjetil.id,
      conversationId: `a:personal-${PEOPLE.kjetil.id}`,
      serviceUrl: h.fake.url,
      tenantId: TENANT,
    });
    // Tone was matched by her UPN.
    expect(await h.plugin.references.person('tone.aas@arendal.example.no')).toMatchObject({ conversationId: `a:personal-${PEOPLE.tone.id}` });
    expect(await h.deps.identities.emailOf('teams', PEOPLE.tone.aadObjectId)).toBe('tone.aas@arendal.example.no');
    expect(await h.plugin.references.person('sara@elsewhere.example.no')).toBeUndefined();

    const unreachable = await h.store.listUnreachable(NETWORK);
    expect(unreachable.map((u) => [u.email, u.reason])).toEqual([
      ['eirik.solberg@lyngdal.example.no', 'no_reference'],
      ['hilde.vik@arendal.example.no', 'bot_not_in_roster'],
      ['marit.hauge@lyngdal.example.no', 'no_reference'],
    ]);
    expect(unreachable[1]).toMatchObject({ name: 'Hilde Vik', platform: 'teams', at: '2027-01-25T10:00:00.000Z' });
    expect(unreachable[1]!.detail).toContain('403 BotNotInConversationRoster');

    // The team was greeted once.
    const greetings = h.fake.messages().filter((m) => m.conversationId === TEAM.id);
    expect(greetings).toHaveLength(1);
    expect(greetings[0]!.body.text).toContain('Samla er lagt til i teamet');
  });

  it('clears someone from the unreachable list once they write to Samla', async () => {
    await h.post(personalMessage(h, PEOPLE.eirik, 'hjelp'));
    const emails = (await h.store.listUnreachable(NETWORK)).map((u) => u.email);
    expect(emails).toEqual(['hilde.vik@arendal.example.no', 'marit.hauge@lyngdal.example.no']);
  });

  it('opens a chat with a member who joins the team later', async () => {
    h.fake.reset();
    h.fake.clearFailures();
    await h.post(teamMembersAdded(h, PEOPLE.kjetil, [{ id: PEOPLE.hilde.id, aadObjectId: PEOPLE.hilde.aadObjectId }]));
    await h.plugin.idle();
    expect(h.fake.callsOf('member').map((c) => c.userId)).toEqual([PEOPLE.hilde.id]);
    expect(h.fake.callsOf('createConversation').map((c) => c.userId)).toEqual([PEOPLE.hilde.id]);
    expect((await h.store.listUnreachable(NETWORK)).map((u) => u.email)).toEqual(['marit.hauge@lyngdal.example.no']);
  });

  it('greets a person who adds Samla in a personal chat once, and keeps their chat', async () => {
    h.fake.reset();
    const conversation = { id: 'a:personal-new-eirik', conversationType: 'personal', tenantId: TENANT };
    const install = { ...teamInstall(h, PEOPLE.eirik), conversation, channelData: { tenant: { id: TENANT } } };
    await h.post(install);
    await h.post({ ...install, type: 'conversationUpdate', action: undefined, membersAdded: [{ id: BOT_ID }] });
    const greetings = h.fake.messages();
    expect(greetings).toHaveLength(1);
    expect(greetings[0]!.conversationId).toBe(conversation.id);
    expect(JSON.stringify(greetings[0]!.body)).toContain('Eg er Samla');
    expect((await h.plugin.references.person('eirik.solberg@lyngdal.example.no'))?.conversationId).toBe(conversation.id);
  });
});
