/**
 * Text commands in Teams (personal chat, and channels with an @mention), the steering-channel
 * link, and what happens with people and bodies Samla does not know.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { taskMessage } from '../../src/core/journeys/tasks.ts';
import { nudgeMessage } from '../../src/core/lagging/nudges.ts';
import {
  type Harness,
  NETWORK,
  PEOPLE,
  STEERING_CHANNEL,
  actionsOf,
  cardOf,
  cardProblems,
  cardSubmit,
  channelMention,
  inputsOf,
  personalConversation,
  personalMessage,
  startHarness,
  textsOf,
} from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.fake.reset());

describe('commands in a personal chat', () => {
  it('"oppgaver" lists my open tasks; Done records it and redraws the list in place', async () => {
    await h.post(personalMessage(h, PEOPLE.kjetil, 'Oppgåver'));
    const list = cardOf(h.fake.lastMessage());
    expect(cardProblems(list)).toEqual([]);
    expect(textsOf(list).join('\n')).toContain('Avklar mandat og sammensetning for styringsgruppen');
    const done = actionsOf(list).find((a) => a.title === 'Ferdig')!;
    expect(done.data).toMatchObject({ samla: { a: 'task.done', n: NETWORK, g: 'samling-1', t: 'forankring', m: '4203' }, samla_view: 'tasks' });

    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.kjetil, 'act-list', done.data));
    const [completion] = await h.store.listTaskCompletions(NETWORK, 'samling-1');
    expect(completion).toMatchObject({ task: 'forankring', municipality: '4203', email: 'kjetil.dahl@arendal.example.no', answer: 'done' });
    const [update] = h.fake.callsOf('update');
    expect(update!.activityId).toBe('act-list');
    const redrawn = cardOf(update!);
    expect(cardProblems(redrawn)).toEqual([]);
    expect(textsOf(redrawn)).toContain('Registrert: ferdig (25.01.2027 11.00)');
    expect(textsOf(redrawn)).toContain('Du har ingen åpne oppgaver.');
  });

  it('a task card sent by the scheduler: Not yet, then a comment through the comment form', async () => {
    const def = (await h.store.getNetwork(NETWORK))!;
    const g = def.gatherings[0]!;
    const draft = taskMessage(h.deps.journeys, def, g, g.tasks[0]!, { name: 'Kjetil Dahl', municipality: '4203', locale: 'nb' });
    const sent = await h.plugin.platform.sendToPerson('kjetil.dahl@arendal.example.no', draft);
    expect(sent).toMatchObject({ platform: 'teams', conversation: personalConversation(PEOPLE.kjetil).id });
    const card = cardOf(h.fake.callsOf('send')[0]!);
    expect(cardProblems(card)).toEqual([]);
    const notYet = actionsOf(card).find((a) => a.title === 'Ikke ennå')!;
    await h.post(cardSubmit(h, PEOPLE.kjetil, sent.message, notYet.data));
    expect((await h.store.listTaskCompletions(NETWORK, 'samling-1'))[0]).toMatchObject({ answer: 'not_yet' });
    expect(textsOf(cardOf(h.fake.callsOf('update')[0]!))).toContain('Registrert: ikke ennå (25.01.2027 11.00)');

    h.fake.reset();
    const comment = actionsOf(card).find((a) => a.title === 'Kommentar')!;
    await h.post(cardSubmit(h, PEOPLE.kjetil, sent.message, comment.data));
    const form = cardOf(h.fake.callsOf('update')[0]!);
    expect(cardProblems(form)).toEqual([]);
    const submit = actionsOf(form).at(-1)!;
    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.kjetil, sent.message, { ...submit.data, answer: 'not_yet', comment: 'Styringsgruppen møtes den 4.' }));
    expect((await h.store.listTaskCompletions(NETWORK, 'samling-1'))[0]).toMatchObject({ answer: 'not_yet', comment: 'Styringsgruppen møtes den 4.' });
    const updated = cardOf(h.fake.callsOf('update')[0]!);
    expect(textsOf(updated)).toContain('Kommentar: Styringsgruppen møtes den 4.');
  });

  it('"neste" names the next gathering, "hjelp" lists the commands, anything else hints at "hjelp"', async () => {
    await h.post(personalMessage(h, PEOPLE.kjetil, 'NESTE'));
    expect(textsOf(cardOf(h.fake.lastMessage()))).toEqual(['Neste samling: Oppstartssamling, onsdag 10. februar kl. 09.00, Kristiansand']);
    await h.post(personalMessage(h, PEOPLE.kjetil, '/hjelp'));
    const help = cardOf(h.fake.lastMessage());
    expect(cardProblems(help)).toEqual([]);
    expect(textsOf(help)[0]).toBe('Jeg er Samla, nettverkets hjelper mellom samlingene. Dette kan du skrive til meg:');
    await h.post(personalMessage(h, PEOPLE.kjetil, 'help'));
    expect(cardOf(h.fake.lastMessage())).toEqual(help);
    await h.post(personalMessage(h, PEOPLE.kjetil, 'hva skjer'));
    expect(h.fake.lastMessage().body.text).toBe('Det forstod jeg ikke. Skriv «hjelp» for å se hva jeg kan.');
  });

  it('matches by UPN when the mail address differs from the network file', async () => {
    await h.post(personalMessage(h, PEOPLE.tone, 'neste'));
    expect(textsOf(cardOf(h.fake.lastMessage()))[0]).toContain('Oppstartssamling');
  });

  it('tells someone Samla does not know who the organisers are, and remembers nothing about them', async () => {
    await h.post(personalMessage(h, PEOPLE.stranger, 'status'));
    expect(h.fake.lastMessage().body.text).toBe('Jeg kjenner deg ikke igjen ennå. Ta kontakt med arrangøren av nettverket: Ingrid Fjeld (ingrid.fjeld@example.no).');
    expect(await h.deps.identities.emailOf('teams', PEOPLE.stranger.aadObjectId)).toBeUndefined();
  });

  it('refuses "link steering" in a personal chat: it belongs in the channel', async () => {
    await h.post(personalMessage(h, PEOPLE.kjetil, 'link steering 4203'));
    expect(h.fake.lastMessage().body.text).toContain('i den kanalen, ikke i en privat chat');
    expect(await h.store.steeringLinks(NETWORK)).toEqual({});
  });
});

describe('in a channel', () => {
  it('"@Samla link steering 4203" by the project leader links the steering group to the channel', async () => {
    const res = await h.post(channelMention(h, PEOPLE.kjetil, 'link steering 4203'));
    expect(res.status).toBe(200);
    const reply = h.fake.lastMessage();
    expect(reply.conversationId).toBe(`${STEERING_CHANNEL.id};messageid=1700000000000`);
    expect(reply.body.text).toBe('Styringsgruppen i Arendal er nå koblet til denne kanalen. Påminnelser til styringsgruppen kommer her.');
    expect((await h.store.steeringLinks(NETWORK))['4203']).toMatchObject({
      platform: 'teams',
      channel: STEERING_CHANNEL.id,
      linkedBy: 'kjetil.dahl@arendal.example.no',
    });

    // The channel is now reachable for steering-group nudges.
    h.fake.reset();
    const sent = await h.plugin.platform.sendToChannel(STEERING_CHANNEL.id, { fallback: 'Påminnelse', blocks: [{ type: 'text', text: 'Styringsgruppen har ikke møttes siden samling 1.' }] });
    expect(sent.conversation).toBe(STEERING_CHANNEL.id);
    const [post] = h.fake.callsOf('send');
    expect(post!.conversationId).toBe(STEERING_CHANNEL.id);
    expect(cardProblems(cardOf(post!))).toEqual([]);
  });

  it('a steering-group nudge in the channel: "we met" opens the form in place and logs the meeting', async () => {
    const def = (await h.store.getNetwork(NETWORK))!;
    const arendal = def.municipalities.find((m) => m.id === '4203')!;
    const nudge = nudgeMessage(h.deps.journeys.texts, 'nb', def, { municipality: arendal, level: 'steering', signals: [], channel: STEERING_CHANNEL.id, recipients: [] });
    const sent = await h.plugin.platform.sendToChannel(STEERING_CHANNEL.id, nudge);
    const card = cardOf(h.fake.callsOf('send')[0]!);
    expect(cardProblems(card)).toEqual([]);
    const weMet = actionsOf(card).find((a) => a.title === 'Vi har hatt møte')!;

    const click = { ...channelMention(h, PEOPLE.hilde, ''), text: undefined, entities: undefined, replyToId: sent.message, value: weMet.data };
    await h.post(click);
    const form = cardOf(h.fake.callsOf('update')[0]!);
    expect(cardProblems(form)).toEqual([]);
    expect(inputsOf(form).map((i) => [i.id, i.type])).toEqual([
      ['date', 'Input.Date'],
      ['attendees', 'Input.Toggle'],
    ]);
    h.fake.reset();
    // A new activity (its own id): the submit of the form, not a redelivery of the click.
    await h.post({ ...click, id: `${click.id}-submit`, value: { ...actionsOf(form).at(-1)!.data, date: '2027-01-20', attendees: 'hilde.vik@arendal.example.no' } });
    const [meeting] = await h.store.listSteeringMeetings(NETWORK, '4203');
    expect(meeting).toMatchObject({ date: '2027-01-20', attendees: [{ name: 'Hilde Vik', party: 'politiker' }], loggedBy: 'hilde.vik@arendal.example.no' });
    expect(textsOf(cardOf(h.fake.callsOf('update')[0]!))).toEqual(['Takk! Møtet 2027-01-20 er registrert med 1 deltakere.']);
  });

  it('refuses the link for someone who is neither organiser nor project leader there', async () => {
    await h.post(channelMention(h, PEOPLE.tone, 'link steering 9999'));
    expect(h.fake.lastMessage().body.text).toBe('Finner ingen kommune med nummer 9999 i nettverkene dine. Bruk kommunenummeret, f.eks. 4204.');
    await h.post(channelMention(h, PEOPLE.tone, 'link steering 4203'));
    expect(h.fake.lastMessage().body.text).toBe('Bare arrangøren eller prosjektleder i Arendal kan koble styringsgruppen til en kanal.');
  });

  it('answers commands with an @mention, and ignores channel chatter without one', async () => {
    await h.post(channelMention(h, PEOPLE.kjetil, 'neste'));
    expect(textsOf(cardOf(h.fake.lastMessage()))[0]).toContain('Oppstartssamling');
    h.fake.reset();
    const chatter = channelMention(h, PEOPLE.kjetil, 'neste');
    chatter.text = 'vi tar det på neste møte';
    chatter.entities = [];
    expect((await h.post(chatter)).status).toBe(200);
    expect(h.fake.messages()).toEqual([]);
  });
});

describe('bad requests', () => {
  it('answers 400 to a body that is not an activity, and to malformed JSON, without crashing', async () => {
    const noServiceUrl = personalMessage(h, PEOPLE.kjetil, 'status') as Record<string, unknown>;
    delete noServiceUrl.serviceUrl;
    const res = await h.post(noServiceUrl);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'invalid_activity' });
    expect((await h.post('{"type": "message",')).status).toBe(400);
    const pathTrick = personalMessage(h, PEOPLE.kjetil, 'status', { conversation: { id: 'a:x/../../v3/conversations', conversationType: 'personal' } });
    expect((await h.post(pathTrick)).status).toBe(400);
    expect(h.fake.calls).toEqual([]);
    // Still serving.
    await h.post(personalMessage(h, PEOPLE.kjetil, 'neste'));
    expect(h.fake.messages()).toHaveLength(1);
  });

  it('answers 413 to a body over the limit', async () => {
    const res = await h.post(personalMessage(h, PEOPLE.kjetil, 'x'.repeat(300_000)));
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'body_too_large' });
  });
});
