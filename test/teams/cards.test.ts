/**
 * The Adaptive Card renderer and the parsing of what cards send back, without a server.
 */
import { describe, expect, it } from 'vitest';
import { commandText, inboundActivitySchema } from '../../adapters/teams/activity.ts';
import { formCard, messageCard } from '../../adapters/teams/cards.ts';
import { retryAfterMs } from '../../adapters/teams/connector.ts';
import { parseSubmission } from '../../adapters/teams/submission.ts';
import type { FormDraft } from '../../src/core/drafts.ts';
import { cardProblems, inputsOf } from './harness.ts';

const form: FormDraft = {
  id: 'steering.met',
  title: 'Møte i styringsgruppen',
  submitLabel: 'Lagre',
  intro: 'Når møttes dere?',
  note: 'Lagret.',
  payload: { a: 'steering.met_submit', n: 'net', m: '4203' },
  fields: [
    { kind: 'date', id: 'date', label: 'Dato', initial: '2027-03-01' },
    { kind: 'choice', id: 'room', label: 'Rom', options: ['a', 'b', 'c', 'd', 'e'].map((v) => ({ value: v, label: v.toUpperCase() })) },
    { kind: 'multi', id: 'parties', label: 'Hvem var med?', options: [{ value: 'politiker', label: 'Politiker' }, { value: 'tillitsvalgt', label: 'Tillitsvalgt' }], initial: ['politiker'] },
    { kind: 'multi', id: 'ok', label: 'Bekreft', options: [{ value: 'yes', label: 'Ja' }] },
    { kind: 'text', id: 'notes', label: 'Notat', multiline: true, maxLength: 500, placeholder: 'Kort', initial: 'Utkast' },
  ],
};

describe('cards', () => {
  it('renders every kind of field as a valid Adaptive Card 1.5', () => {
    const card = formCard(form, { errors: { notes: 'For langt' }, texts: { fixErrors: 'Rett feltene' } });
    expect(cardProblems(card)).toEqual([]);
    expect(inputsOf(card)).toEqual([
      { type: 'Input.Date', id: 'date', label: 'Dato', value: '2027-03-01' },
      expect.objectContaining({ type: 'Input.ChoiceSet', id: 'room', style: 'compact' }),
      expect.objectContaining({ type: 'Input.ChoiceSet', id: 'parties', isMultiSelect: true, style: 'expanded', value: 'politiker' }),
      expect.objectContaining({ type: 'Input.Toggle', id: 'ok', title: 'Ja', valueOn: 'yes', valueOff: '' }),
      expect.objectContaining({ type: 'Input.Text', id: 'notes', isMultiline: true, maxLength: 500, placeholder: 'Kort', value: 'Utkast' }),
    ]);
    expect(card.actions).toEqual([
      expect.objectContaining({ type: 'Action.Submit', title: 'Lagre', data: { samla: form.payload, samla_multi: 'parties,ok' } }),
    ]);
  });

  it('renders messages with headers, facts, dividers and styled, selected buttons', () => {
    const card = messageCard({
      fallback: 'f',
      blocks: [
        { type: 'header', text: 'H' },
        { type: 'facts', facts: [{ label: 'A', value: 'B' }] },
        { type: 'divider' },
        { type: 'context', text: 'c' },
        { type: 'actions', actions: [{ id: 'x', label: 'Ja', payload: { a: 'checkin.answer', n: 'n', q: 'attending', v: 'ja' }, style: 'primary', selected: true }] },
      ],
    });
    expect(cardProblems(card)).toEqual([]);
    expect(card.body[2]).toMatchObject({ separator: true, isSubtle: true });
    expect(card.body[3]).toMatchObject({ type: 'ActionSet', actions: [{ title: '✓ Ja', style: 'positive', data: { samla: { a: 'checkin.answer', v: 'ja' } } }] });
  });
});

describe('submissions', () => {
  it('reads the payload (object or JSON string), lists for multi fields, and drops empty inputs', () => {
    const r = parseSubmission({ samla: JSON.stringify({ a: 'status.submit', n: 'net', m: '4203' }), samla_multi: 'plan_parts', plan_parts: 'purpose,milestones', done: 'x', blockers: '', n: 3 });
    expect(r).toEqual({ ok: true, submission: { payload: { a: 'status.submit', n: 'net', m: '4203' }, values: { plan_parts: ['purpose', 'milestones'], done: 'x', n: '3' } } });
  });

  it('refuses a submission without a valid payload', () => {
    expect(parseSubmission({ overall: 'x' }).ok).toBe(false);
    expect(parseSubmission({ samla: '{not json' }).ok).toBe(false);
    expect(parseSubmission({ samla: { a: 'Status Submit!', n: 'x' } }).ok).toBe(false);
    expect(parseSubmission('text').ok).toBe(false);
  });
});

describe('activities', () => {
  it('removes the @mention of Samla (and markup) from a channel message', () => {
    const a = inboundActivitySchema.parse({
      type: 'message',
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/emea/',
      from: { id: '29:x' },
      recipient: { id: '28:bot' },
      conversation: { id: '19:c@thread.tacv2;messageid=1' },
      text: '<at>Samla</at>&nbsp;Link  Steering <b>4203</b>\n',
      entities: [{ type: 'mention', text: '<at>Samla</at>', mentioned: { id: '28:bot', name: 'Samla' } }],
    });
    expect(commandText(a)).toBe('Link Steering 4203');
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('12')).toBe(12_000);
    expect(retryAfterMs('Mon, 25 Jan 2027 10:00:30 GMT', Date.parse('2027-01-25T10:00:00Z'))).toBe(30_000);
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});

describe('user text in cards', () => {
  it('never becomes a live Markdown link', async () => {
    const { blockElements, plain } = await import('../../adapters/teams/cards.ts');
    const hostile = '[Samla: logg inn på nytt her](https://evil.example/phish)';
    expect(plain(hostile)).not.toMatch(/\]\(/);
    expect(plain(hostile)).toContain('logg inn på nytt her');
    const [el] = blockElements([{ type: 'context', text: `Arendal: «${hostile}»` }]);
    expect((el as { text: string }).text).not.toMatch(/\]\(/);
  });
});
