/**
 * Preparation tasks, check-ins and reflection notes answered in Slack: the DM arrives through
 * SlackPlatform, the person clicks (signed `block_actions`) or submits a modal (signed
 * `view_submission`), Samla records and updates the message in place.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SlackPlatform } from '../../adapters/slack/platform.ts';
import { checkinMessage } from '../../src/core/journeys/checkin.ts';
import { reflectionMessage } from '../../src/core/journeys/reflection.ts';
import { taskMessage } from '../../src/core/journeys/tasks.ts';
import type { SentRef } from '../../src/core/ports.ts';
import { isNationalIdentityNumber } from '../../src/core/personalNumber.ts';
import { BOT_TOKEN, button, click, openedView, spoken, startHarness, submit, USERS, type Harness } from './harness.ts';

let h: Harness;
let slack: SlackPlatform;
beforeAll(async () => {
  h = await startHarness(new Date('2027-01-25T10:00:00Z'));
  slack = SlackPlatform.create({ botToken: BOT_TOKEN, signingSecret: 'unused-here', apiUrl: h.fake.apiUrl }, h.identities, h.deps.logger);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(() => {
  h.clock.now = new Date(h.clock.now.getTime() + 60_000);
});

const gathering = (id: string) => h.network.gatherings.find((g) => g.id === id)!;

/** Sends a draft to a person and returns where it landed and the blocks Slack got. */
async function dm(email: string, draft: Parameters<SlackPlatform['sendToPerson']>[1]): Promise<{ ref: SentRef; blocks: unknown }> {
  const from = h.fake.mark();
  const ref = await slack.sendToPerson(email, draft);
  const posted = await h.fake.waitFor('chat.postMessage', undefined, { from });
  return { ref, blocks: posted.args.blocks };
}

describe('preparation tasks', () => {
  it('records Done from the DM button and updates the message in place', async () => {
    const g = gathering('samling-1');
    const draft = taskMessage(h.deps.journeys, h.network, g, g.tasks[0]!, { name: 'Ola Hansen', municipality: '4204', locale: 'nb' });
    const { ref, blocks } = await dm(USERS.ola.email, draft);
    expect(ref).toMatchObject({ platform: 'slack', conversation: 'D0OLA' });
    expect(h.fake.calls('users.lookupByEmail').length).toBe(1);

    const from = h.fake.mark();
    const res = await click(h, USERS.ola, button(blocks, 'task.done'), { channel: ref.conversation, ts: ref.message });
    expect(res.status).toBe(200);
    const update = await h.fake.waitFor('chat.update', undefined, { from });
    expect(update.args).toMatchObject({ channel: ref.conversation, ts: ref.message });
    const done = button(update.args.blocks, 'task.done');
    const updated = (update.args.blocks as { type: string; elements?: { action_id: string; text: { text: string }; style?: string }[] }[]).flatMap((b) => b.elements ?? []);
    expect(updated.find((e) => e.action_id === done.action_id)).toMatchObject({ text: { text: '✓ Ferdig' }, style: 'primary' });
    expect(spoken(update)).toContain('Registrert: ferdig');

    const [completion] = (await h.store.listTaskCompletions(h.network.id, 'samling-1')).filter((c) => c.email === USERS.ola.email);
    expect(completion).toMatchObject({ task: 'forankring', municipality: '4204', answer: 'done' });
  });

  it('opens the comment modal and records "not yet" with the comment, updating the message', async () => {
    const g = gathering('samling-1');
    const draft = taskMessage(h.deps.journeys, h.network, g, g.tasks[0]!, { name: 'Ola Hansen', municipality: '4204', locale: 'nb' });
    const { ref, blocks } = await dm(USERS.ola.email, draft);
    const from = h.fake.mark();
    await click(h, USERS.ola, button(blocks, 'task.comment'), { channel: ref.conversation, ts: ref.message });
    const view = await openedView(h, from);
    expect(view).toMatchObject({ callback_id: 'task.comment' });
    expect(JSON.parse(view.private_metadata as string).origin).toEqual({ channel: ref.conversation, ts: ref.message });

    const tooLong = await submit(h, USERS.ola, view, { answer: 'not_yet', comment: 'x'.repeat(2001) });
    expect(tooLong.json).toMatchObject({ response_action: 'errors', errors: { comment: 'Høyst 2000 tegn' } });

    const res = await submit(h, USERS.ola, view, { answer: 'not_yet', comment: 'Styringsgruppen møtes den 4.' });
    expect(res.status).toBe(200);
    expect(res.text).toBe(''); // the modal closes
    const update = await h.fake.waitFor('chat.update', undefined, { from });
    expect(spoken(update)).toContain('Kommentar: Styringsgruppen møtes den 4.');
    const [completion] = (await h.store.listTaskCompletions(h.network.id, 'samling-1')).filter((c) => c.email === USERS.ola.email);
    expect(completion).toMatchObject({ answer: 'not_yet', comment: 'Styringsgruppen møtes den 4.' });
  });

  it('refuses a task that is not for the person, and records nothing', async () => {
    const g = gathering('samling-1');
    const draft = taskMessage(h.deps.journeys, h.network, g, g.tasks[0]!, { name: 'Anne Moe', municipality: '4204', locale: 'nb' });
    const { ref, blocks } = await dm(USERS.anne.email, draft);
    const res = await click(h, USERS.anne, button(blocks, 'task.done'), { channel: ref.conversation, ts: ref.message });
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl!).pathname);
    expect(spoken(answer)).toContain('Denne oppgaven er ikke til deg i Kristiansand');
    expect((await h.store.listTaskCompletions(h.network.id, 'samling-1')).filter((c) => c.email === USERS.anne.email)).toEqual([]);
  });

  it('answers a button with a tampered value with what went wrong, and stores nothing', async () => {
    const res = await click(h, USERS.ola, { action_id: 'task.done', value: '{"a":"task.done"' });
    expect(res.status).toBe(200);
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl!).pathname);
    expect(spoken(answer)).toContain('ingenting ble lagret');
  });
});

describe('check-in', () => {
  it('records a choice, lets it be changed, takes a text answer by modal, and refuses once the gathering has started', async () => {
    const g = gathering('samling-1');
    const { ref, blocks } = await dm(USERS.anne.email, checkinMessage(h.deps.journeys, h.network, g, { municipality: '4204', locale: 'nb' }));

    let from = h.fake.mark();
    await click(h, USERS.anne, button(blocks, 'checkin.answer', 'ja'), { channel: ref.conversation, ts: ref.message });
    let update = await h.fake.waitFor('chat.update', undefined, { from });
    const mine = async () => (await h.store.listCheckins(h.network.id, 'samling-1')).find((a) => a.email === USERS.anne.email);
    expect((await mine())?.answers).toEqual({ attending: 'ja' });
    const labels = (u: typeof update) => (u.args.blocks as { elements?: { text: { text: string } }[] }[]).flatMap((b) => b.elements ?? []).map((e) => e.text.text);
    expect(labels(update)).toContain('✓ ja');

    from = h.fake.mark();
    await click(h, USERS.anne, button(update.args.blocks, 'checkin.answer', 'usikker'), { channel: ref.conversation, ts: ref.message });
    update = await h.fake.waitFor('chat.update', undefined, { from });
    expect((await mine())?.answers).toEqual({ attending: 'usikker' });
    expect(labels(update)).toContain('✓ usikker');
    expect(labels(update)).not.toContain('✓ ja');

    from = h.fake.mark();
    await click(h, USERS.anne, button(update.args.blocks, 'checkin.text'), { channel: ref.conversation, ts: ref.message });
    const view = await openedView(h, from);
    expect(view.blocks.filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual(['need']);
    const empty = await submit(h, USERS.anne, view, { need: '' });
    expect(empty.json).toMatchObject({ response_action: 'errors', errors: { need: 'Må fylles ut' } });
    const sent = await submit(h, USERS.anne, view, { need: 'Eksempler fra andre kommuner' });
    expect(sent.text).toBe('');
    update = await h.fake.waitFor('chat.update', undefined, { from });
    expect((await mine())?.answers).toEqual({ attending: 'usikker', need: 'Eksempler fra andre kommuner' });

    const before = await mine();
    h.clock.now = new Date('2027-02-10T08:00:00Z'); // 09:00 in Oslo: samling 1 starts
    const late = await click(h, USERS.anne, button(blocks, 'checkin.answer', 'nei'), { channel: ref.conversation, ts: ref.message });
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(late.responseUrl!).pathname);
    expect(spoken(answer)).toContain('Samlingen har begynt, så innsjekken er stengt.');
    expect(await mine()).toEqual(before);
    h.clock.now = new Date('2027-01-26T10:00:00Z');
  });
});

/** A synthetic fødselsnummer for 1 January 1990 with valid check digits. */
function validIdentityNumber(): string {
  const w1 = [3, 7, 6, 1, 8, 9, 4, 5, 2];
  const w2 = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
  const check = (d: number[], w: number[]) => {
    const k = 11 - (w.reduce((s, x, i) => s + x * d[i]!, 0) % 11);
    return k === 11 ? 0 : k;
  };
  for (let individual = 100; individual < 500; individual++) {
    const d = [...`010190${individual}`].map(Number);
    const k1 = check(d, w1);
    if (k1 === 10) continue;
    const k2 = check([...d, k1], w2);
    if (k2 === 10) continue;
    const n = `010190${individual}${k1}${k2}`;
    if (isNationalIdentityNumber(n)) return n;
  }
  throw new Error('no number found');
}

describe('reflection notes', () => {
  it('asks for confirmation when a note holds a fødselsnummer, and stores only when confirmed', async () => {
    const fnr = validIdentityNumber();
    const g = gathering('samling-1');
    const { ref, blocks } = await dm(USERS.anne.email, reflectionMessage(h.deps.journeys, h.network, g, { name: 'Anne Moe', municipality: '4204', locale: 'nb' }));
    const from = h.fake.mark();
    await click(h, USERS.anne, button(blocks, 'reflection.write'), { channel: ref.conversation, ts: ref.message });
    const view = await openedView(h, from);
    expect(view).toMatchObject({ callback_id: 'reflection' });
    const note = { topic: 'Brukermedvirkning', discussed: `Saken til bruker ${fnr} ble drøftet`, will_try: 'Faste møter', share: 'anonymised' };

    const warned = await submit(h, USERS.anne, view, note);
    expect(warned.json).toMatchObject({ response_action: 'update', view: { type: 'modal', callback_id: 'reflection' } });
    const warning = (warned.json as { view: { blocks: Record<string, unknown>[]; private_metadata: string } }).view;
    expect(JSON.stringify(warning.blocks)).toContain('ser ut til å inneholde et fødselsnummer');
    expect(warning.blocks.find((b) => b.block_id === 'discussed')).toMatchObject({ element: { initial_value: note.discussed } });
    expect(await h.store.listReflections(h.network.id, '4204')).toEqual([]);

    const confirmed = await submit(h, USERS.anne, { ...warning, id: 'V0MODAL' }, { ...note, confirm: ['no_personal_number'] });
    expect(JSON.stringify(confirmed.json)).toContain('Notatet er lagret og deles anonymisert med nettverket');
    const notes = await h.store.listReflections(h.network.id, '4204');
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ email: USERS.anne.email, topic: 'Brukermedvirkning', share: 'anonymised', gathering: 'samling-1' });
  });

  it('tells someone outside the reflection group that the group writes the notes', async () => {
    const g = gathering('samling-1');
    const draft = reflectionMessage(h.deps.journeys, h.network, g, { name: 'Per Berg', municipality: '4204', locale: 'nb' });
    const { ref, blocks } = await dm(USERS.per.email, draft);
    const from = h.fake.mark();
    const res = await click(h, USERS.per, button(blocks, 'reflection.write'), { channel: ref.conversation, ts: ref.message });
    const answer = await h.fake.waitFor('response_url', (c) => c.args.url === new URL(res.responseUrl!).pathname);
    expect(spoken(answer)).toContain('Refleksjonsnotater skrives av refleksjonsgruppen i Kristiansand');
    expect(h.fake.calls('views.open').filter((c) => c.n >= from)).toEqual([]);
  });
});
