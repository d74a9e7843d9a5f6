/**
 * Tone Aas (refleksjonsgruppe and deltaker, Arendal) answers the check-in and writes a
 * reflection note in Teams, on cards the scheduler sends through TeamsPlatform.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answerCheckin, checkinMessage } from '../../src/core/journeys/checkin.ts';
import { whoAmI } from '../../src/core/journeys/context.ts';
import { reflectionMessage } from '../../src/core/journeys/reflection.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import { type Harness, NETWORK, PEOPLE, actionsOf, cardOf, cardProblems, cardSubmit, inputsOf, personalMessage, startHarness, textsOf } from './harness.ts';

const TONE = 'tone.aas@arendal.example.no';
let h: Harness;
let def: NetworkDefinition;

beforeAll(async () => {
  h = await startHarness({ now: new Date('2027-02-07T09:00:00Z') });
  def = (await h.store.getNetwork(NETWORK))!;
  // Tone has written to Samla once, so Samla has her personal chat.
  await h.post(personalMessage(h, PEOPLE.tone, 'hjelp'));
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => h.fake.reset());

async function checkinCard() {
  const g = def.gatherings[0]!;
  const sent = await h.plugin.platform.sendToPerson(TONE, checkinMessage(h.deps.journeys, def, g, { municipality: '4203', locale: 'nb' }));
  const card = cardOf(h.fake.callsOf('send').at(-1)!);
  return { sent, card };
}

describe('check-in in Teams', () => {
  it('is one form card; answers are stored, shown in place, and a second answer edits them', async () => {
    const { sent, card } = await checkinCard();
    expect(cardProblems(card)).toEqual([]);
    expect(inputsOf(card).map((i) => [i.id, i.type])).toEqual([
      ['attending', 'Input.ChoiceSet'],
      ['prepared', 'Input.ChoiceSet'],
      ['need', 'Input.Text'],
    ]);
    expect(textsOf(card)[1]).toBe('Oppstartssamling begynner onsdag 10. februar kl. 09.00 i Kristiansand. Noen korte spørsmål, så vet arrangørene hva dere trenger:');
    const submit = actionsOf(card).at(-1)!;

    await h.post(cardSubmit(h, PEOPLE.tone, sent.message, { ...submit.data, attending: 'ja', prepared: 'delvis', need: 'Eksempler fra andre kommuner' }));
    const first = await h.store.listCheckins(NETWORK, 'samling-1');
    expect(first).toEqual([
      {
        network: NETWORK,
        gathering: 'samling-1',
        municipality: '4203',
        email: TONE,
        answers: { attending: 'ja', prepared: 'delvis', need: 'Eksempler fra andre kommuner' },
        at: '2027-02-07T09:00:00.000Z',
      },
    ]);
    const shown = cardOf(h.fake.callsOf('update')[0]!);
    expect(h.fake.callsOf('update')[0]!.activityId).toBe(sent.message);
    expect(cardProblems(shown)).toEqual([]);
    expect(inputsOf(shown).map((i) => i.value)).toEqual(['ja', 'delvis', 'Eksempler fra andre kommuner']);
    expect(textsOf(shown)).toContain('Takk! Svarene dine er lagret. Du kan endre dem fram til samlingen begynner.');

    h.clock.now = new Date('2027-02-08T12:00:00Z');
    await h.post(cardSubmit(h, PEOPLE.tone, sent.message, { ...actionsOf(shown).at(-1)!.data, attending: 'nei', prepared: '', need: '' }));
    const edited = await h.store.listCheckins(NETWORK, 'samling-1');
    expect(edited).toHaveLength(1);
    expect(edited[0]).toMatchObject({ answers: { attending: 'nei', prepared: 'delvis', need: 'Eksempler fra andre kommuner' }, at: '2027-02-08T12:00:00.000Z' });
  });

  it('is the same record the other platforms write: one answer per person and gathering', async () => {
    // What the Slack adapter does with a check-in button: the same core journey, the same store.
    const me = (await whoAmI(h.deps.journeys, TONE))!;
    await answerCheckin(h.deps.journeys, me, { a: 'checkin.answer', n: NETWORK, g: 'samling-1', m: '4203', q: 'prepared', v: 'ja' }, { prepared: 'ja' });
    const all = await h.store.listCheckins(NETWORK, 'samling-1');
    expect(all).toHaveLength(1);
    expect(all[0]!.answers).toEqual({ attending: 'nei', prepared: 'ja', need: 'Eksempler fra andre kommuner' });
  });

  it('shows an invalid choice next to the question and stores nothing', async () => {
    const before = await h.store.listCheckins(NETWORK, 'samling-1');
    const { sent, card } = await checkinCard();
    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.tone, sent.message, { ...actionsOf(card).at(-1)!.data, attending: 'kanskje' }));
    expect(await h.store.listCheckins(NETWORK, 'samling-1')).toEqual(before);
    const shown = cardOf(h.fake.callsOf('update')[0]!);
    const body = shown.body as Record<string, unknown>[];
    expect(body[body.findIndex((e) => e.id === 'attending') + 1]).toMatchObject({ color: 'Attention', text: 'Velg et av alternativene' });
  });

  it('is refused once the gathering has started', async () => {
    const { sent, card } = await checkinCard();
    const before = await h.store.listCheckins(NETWORK, 'samling-1');
    h.clock.now = new Date('2027-02-10T08:00:00Z'); // 09:00 in Oslo
    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.tone, sent.message, { ...actionsOf(card).at(-1)!.data, attending: 'ja' }));
    expect(h.fake.lastMessage().body.text).toBe('Samlingen har begynt, så innsjekken er stengt.');
    expect(h.fake.callsOf('update')).toEqual([]);
    expect(await h.store.listCheckins(NETWORK, 'samling-1')).toEqual(before);
    h.clock.now = new Date('2027-02-08T12:00:00Z');
  });

  it('refuses someone who is not asked, in their own language (nynorsk)', async () => {
    const { card } = await checkinCard();
    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.eirik, 'act-z', { ...actionsOf(card).at(-1)!.data, attending: 'ja' }));
    expect(h.fake.lastMessage().body.text).toBe('Du er ikkje på deltakarlista til samling-1, så svaret vart ikkje lagra.');
  });
});

describe('reflection notes in Teams', () => {
  async function noteForm() {
    const g = def.gatherings[0]!;
    const sent = await h.plugin.platform.sendToPerson(TONE, reflectionMessage(h.deps.journeys, def, g, { name: 'Tone Aas', municipality: '4203', locale: 'nb' }));
    const message = cardOf(h.fake.callsOf('send').at(-1)!);
    expect(cardProblems(message)).toEqual([]);
    const write = actionsOf(message).find((a) => a.title === 'Skriv notat')!;
    await h.post(cardSubmit(h, PEOPLE.tone, sent.message, write.data));
    const form = cardOf(h.fake.callsOf('update').at(-1)!);
    expect(cardProblems(form)).toEqual([]);
    expect(inputsOf(form).map((i) => i.id)).toEqual(['topic', 'discussed', 'will_try', 'share']);
    return { sent, form };
  }

  it('asks to confirm a note that seems to hold a fødselsnummer before storing it', async () => {
    const { sent, form } = await noteForm();
    const note = { topic: 'Turnus', discussed: 'Saken til bruker 150890 00030 ble drøftet.', will_try: 'Faste møter', share: 'anonymised' };
    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.tone, sent.message, { ...actionsOf(form).at(-1)!.data, ...note }));
    expect(await h.store.listReflections(NETWORK, '4203')).toEqual([]);
    const confirm = cardOf(h.fake.callsOf('update')[0]!);
    expect(cardProblems(confirm)).toEqual([]);
    expect(textsOf(confirm)).toContain(
      'Notatet ser ut til å inneholde et fødselsnummer. Fjern det før du lagrer, eller bekreft at det ikke er et fødselsnummer.',
    );
    const toggle = inputsOf(confirm).find((i) => i.id === 'confirm')!;
    expect(toggle).toMatchObject({ type: 'Input.Toggle', valueOn: 'no_personal_number' });
    expect(inputsOf(confirm).find((i) => i.id === 'discussed')!.value).toBe(note.discussed);

    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.tone, sent.message, { ...actionsOf(confirm).at(-1)!.data, ...note, confirm: 'no_personal_number' }));
    const [stored] = await h.store.listReflections(NETWORK, '4203');
    expect(stored).toMatchObject({ email: TONE, topic: 'Turnus', discussed: note.discussed, willTry: 'Faste møter', share: 'anonymised', gathering: 'samling-1' });
    expect(textsOf(cardOf(h.fake.callsOf('update')[0]!))).toEqual(['Takk! Notatet er lagret og deles anonymisert med nettverket.']);
  });

  it('shows missing fields next to them and stores nothing', async () => {
    const before = await h.store.listReflections(NETWORK, '4203');
    const { sent, form } = await noteForm();
    h.fake.reset();
    await h.post(cardSubmit(h, PEOPLE.tone, sent.message, { ...actionsOf(form).at(-1)!.data, topic: 'Tema', discussed: '', will_try: 'Noe' }));
    expect(await h.store.listReflections(NETWORK, '4203')).toEqual(before);
    const shown = cardOf(h.fake.callsOf('update')[0]!);
    const body = shown.body as Record<string, unknown>[];
    expect(body[body.findIndex((e) => e.id === 'discussed') + 1]).toMatchObject({ color: 'Attention', text: 'Må fylles ut' });
  });

  it('refuses a note from someone outside the reflection group', async () => {
    await h.post(cardSubmit(h, PEOPLE.kjetil, 'act-q', { samla: { a: 'reflection.submit', n: NETWORK, g: 'samling-1', m: '4203' }, topic: 'a', discussed: 'b', will_try: 'c' }));
    expect(h.fake.lastMessage().body.text).toBe('Refleksjonsnotater skrives av refleksjonsgruppen i Arendal.');
  });
});
