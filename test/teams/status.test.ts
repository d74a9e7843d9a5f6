/**
 * Kjetil (prosjektleder, Arendal) logs status in Teams: real HTTP activities to /api/messages,
 * answers recorded by the fake Bot Connector, records read back from Redis.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type Harness,
  NETWORK,
  PEOPLE,
  actionsOf,
  cardInvoke,
  cardOf,
  cardProblems,
  cardSubmit,
  inputsOf,
  loadExampleNetwork,
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
beforeEach(() => {
  h.fake.reset();
  // Each test's status is the newest.
  h.clock.now = new Date(h.clock.now.getTime() + 60_000);
});

/** Sends "status" and returns the card's id (as the fake answered it) and the card. */
async function openStatusCard(text = '/STATUS') {
  const res = await h.post(personalMessage(h, PEOPLE.kjetil, text));
  expect(res.status).toBe(200);
  const reply = h.fake.lastMessage();
  return { reply, card: cardOf(reply) };
}

function submitValue(card: ReturnType<typeof cardOf>, fields: Record<string, string>) {
  const submit = actionsOf(card).at(-1)!;
  return { ...submit.data, ...fields };
}

describe('status in Teams', () => {
  it('answers "/STATUS" with the status card: Adaptive Card 1.5 with the six fields', async () => {
    const { reply, card } = await openStatusCard();
    expect(reply.kind).toBe('reply');
    expect(reply.conversationId).toBe(personalConversation(PEOPLE.kjetil).id);
    expect(card.version).toBe('1.5');
    expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
    expect(cardProblems(card)).toEqual([]);
    expect(inputsOf(card).map((i) => [i.id, i.type])).toEqual([
      ['overall', 'Input.ChoiceSet'],
      ['done', 'Input.Text'],
      ['next', 'Input.Text'],
      ['blockers', 'Input.Text'],
      ['plan_parts', 'Input.ChoiceSet'],
      ['steering_met', 'Input.ChoiceSet'],
    ]);
    expect(inputsOf(card).find((i) => i.id === 'plan_parts')?.isMultiSelect).toBe(true);
    expect(textsOf(card).join('\n')).toContain('Status for Arendal');
    // Teams asked who Kjetil is once; the answer is cached.
    expect(h.fake.callsOf('member').map((c) => c.userId)).toEqual([PEOPLE.kjetil.id]);
    await openStatusCard('status');
    expect(h.fake.callsOf('member')).toHaveLength(1);
  });

  it('stores a submitted status and updates the card in place to show what was recorded', async () => {
    const { card } = await openStatusCard();
    const value = submitValue(card, {
      overall: 'a_bit_behind',
      done: 'SWOT-analysen er gjennomført i to tjenester.',
      next: 'Legge fram analysen for styringsgruppen.',
      blockers: '',
      plan_parts: 'purpose,milestones',
      steering_met: 'yes',
    });
    h.fake.reset();
    const res = await h.post(cardSubmit(h, PEOPLE.kjetil, 'act-card-1', value));
    expect(res.status).toBe(200);

    const [report] = await h.store.listStatus(NETWORK, '4203');
    expect(report).toMatchObject({
      municipality: '4203',
      email: 'kjetil.dahl@arendal.example.no',
      overall: 'a_bit_behind',
      done: 'SWOT-analysen er gjennomført i to tjenester.',
      next: 'Legge fram analysen for styringsgruppen.',
      planParts: ['purpose', 'milestones'],
      steeringMet: true,
    });
    expect(report!.blockers).toBeUndefined();

    const [update] = h.fake.callsOf('update');
    expect(update).toMatchObject({ conversationId: personalConversation(PEOPLE.kjetil).id, activityId: 'act-card-1' });
    const updated = cardOf(update!);
    expect(cardProblems(updated)).toEqual([]);
    const shown = JSON.stringify(updated);
    expect(shown).toContain('Takk, Kjetil! Status for Arendal er lagret');
    expect(shown).toContain('Litt på etterskudd');
    expect(shown).toContain('Formål, Milepæler');
    expect(h.fake.messages()).toHaveLength(0);
  });

  it('shows the errors next to the fields and stores nothing when the submission is invalid', async () => {
    const before = await h.store.listStatus(NETWORK, '4203');
    const { card } = await openStatusCard();
    const value = submitValue(card, { overall: 'brilliant', done: '', next: 'Neste steg', steering_met: 'yes' });
    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.kjetil, 'act-card-2', value));

    expect(await h.store.listStatus(NETWORK, '4203')).toEqual(before);
    const updated = cardOf(h.fake.callsOf('update')[0]!);
    expect(cardProblems(updated)).toEqual([]);
    const body = updated.body as Record<string, unknown>[];
    const after = (id: string) => body[body.findIndex((e) => e.id === id) + 1];
    expect(after('overall')).toMatchObject({ type: 'TextBlock', color: 'Attention', text: 'Velg et av alternativene' });
    expect(after('done')).toMatchObject({ type: 'TextBlock', color: 'Attention', text: 'Må fylles ut' });
    expect(body.find((e) => e.id === 'next')).toMatchObject({ value: 'Neste steg' });
    expect(textsOf(updated)).toContain('Noe må rettes før svaret kan lagres. Se feltene merket med rødt.');
  });

  it('accepts the same form through an adaptiveCard/action invoke and answers with the updated card', async () => {
    const { card } = await openStatusCard();
    const data = submitValue(card, { overall: 'on_track', done: 'Gjort', next: 'Neste', steering_met: 'no' });
    h.fake.reset();
    const res = await h.post(cardInvoke(h, PEOPLE.kjetil, 'act-card-3', data));
    expect(res.status).toBe(200);
    const body = res.body as { statusCode: number; type: string; value: ReturnType<typeof cardOf> };
    expect(body.statusCode).toBe(200);
    expect(body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardProblems(body.value)).toEqual([]);
    expect(JSON.stringify(body.value)).toContain('I rute');
    const [latest] = await h.store.listStatus(NETWORK, '4203', 1);
    expect(latest).toMatchObject({ overall: 'on_track', steeringMet: false });
  });

  it('stores "status <text>" as a short status', async () => {
    await h.post(personalMessage(h, PEOPLE.kjetil, 'status Styringsgruppen møttes i dag'));
    const [latest] = await h.store.listStatus(NETWORK, '4203', 1);
    expect(latest).toMatchObject({ text: 'Styringsgruppen møttes i dag' });
    expect(h.fake.lastMessage().body.text).toBe('Takk! Kortstatus for Arendal er lagret: «Styringsgruppen møttes i dag»');
  });

  it('tells someone who is not project leader who is', async () => {
    await h.post(personalMessage(h, PEOPLE.tone, 'status'));
    expect(h.fake.lastMessage().body.text).toBe('Det er prosjektleder (eller kontaktperson) som melder status for Arendal. Prosjektleder hos dere er Kjetil Dahl.');
  });

  it('answers a submission it cannot read with what to do, and stores nothing', async () => {
    const before = await h.store.listStatus(NETWORK, '4203');
    await h.post(cardSubmit(h, PEOPLE.kjetil, 'act-x', { samla: { a: 'status.submit' }, overall: 'on_track' }));
    expect(h.fake.lastMessage().body.text).toBe('Jeg forstod ikke svaret fra kortet, så ingenting ble lagret. Prøv knappen i det nyeste kortet, eller skriv «hjelp».');
    await h.post(cardSubmit(h, PEOPLE.kjetil, 'act-x', { samla: { a: 'status.submit', n: 'other-network', m: '4203' }, overall: 'on_track' }));
    expect(h.fake.lastMessage().body.text).toContain('Prosjektleder hos dere er Kjetil Dahl');
    expect(await h.store.listStatus(NETWORK, '4203')).toEqual(before);
  });
});

describe('status for someone who leads several municipalities', () => {
  let h2: Harness;
  beforeAll(async () => {
    h2 = await startHarness();
    const second = { ...loadExampleNetwork(), id: 'agder-oppvekst-2027', name: 'Læringsnettverk oppvekst Agder 2027' };
    await h2.store.importNetwork(second, { now: h2.clock.now });
  });
  afterAll(async () => {
    await h2?.close();
  });

  it('asks which one first, then shows that one’s status card in place', async () => {
    await h2.post(personalMessage(h2, PEOPLE.kjetil, 'status'));
    const choose = cardOf(h2.fake.lastMessage());
    expect(cardProblems(choose)).toEqual([]);
    expect(textsOf(choose)[0]).toBe('Du er prosjektleder i flere kommuner. Hvilken vil du melde status for?');
    const buttons = actionsOf(choose);
    expect(buttons.map((b) => b.title)).toEqual(['Arendal (Læringsnettverk helse og omsorg Agder 2027)', 'Arendal (Læringsnettverk oppvekst Agder 2027)']);

    h2.fake.reset();
    await h2.post(cardSubmit(h2, PEOPLE.kjetil, 'act-choose', buttons[1]!.data));
    const form = cardOf(h2.fake.callsOf('update')[0]!);
    expect(textsOf(form)).toContain('Status for Arendal i Læringsnettverk oppvekst Agder 2027. Det tar under ett minutt.');
    await h2.post(cardSubmit(h2, PEOPLE.kjetil, 'act-choose', submitValueOf(form, { overall: 'needs_help', done: 'Lite', next: 'Mer', steering_met: 'no' })));
    expect(await h2.store.listStatus('agder-oppvekst-2027', '4203')).toHaveLength(1);
    expect(await h2.store.listStatus(NETWORK, '4203')).toHaveLength(0);
  });
});

function submitValueOf(card: ReturnType<typeof cardOf>, fields: Record<string, string>) {
  return { ...actionsOf(card).at(-1)!.data, ...fields };
}
