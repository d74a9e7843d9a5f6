/**
 * The Block Kit renderer: valid shapes within Slack's limits, escaping, visible truncation,
 * unique ids, and the forms the journeys build, rendered as modals.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../adapters/slack/limits.ts';
import { escapeMrkdwn, truncate } from '../../adapters/slack/mrkdwn.ts';
import { readFormValues } from '../../adapters/slack/formValues.ts';
import { renderErrors, renderForm, renderHome, renderMessage, renderNotice } from '../../adapters/slack/render.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import type { DraftBlock, FormDraft, MessageDraft } from '../../src/core/drafts.ts';
import { checkinForm, checkinMessage } from '../../src/core/journeys/checkin.ts';
import type { JourneyContext } from '../../src/core/journeys/context.ts';
import { reflectionForm, reflectionMessage } from '../../src/core/journeys/reflection.ts';
import { taskCommentForm, taskMessage } from '../../src/core/journeys/tasks.ts';
import { exampleNetwork } from '../helpers/exampleNetwork.ts';

type Obj = Record<string, unknown>;
type Block = Obj & { type: string; block_id?: string };

/** Checks what Slack checks on a message or view: block and action ids, counts and text lengths. */
function expectValidBlocks(blocks: Block[], maxBlocks: number): void {
  expect(blocks.length).toBeLessThanOrEqual(maxBlocks);
  const blockIds = blocks.map((b) => b.block_id).filter(Boolean);
  expect(new Set(blockIds).size).toBe(blockIds.length);
  const actionIds: string[] = [];
  for (const b of blocks) {
    expect(b.block_id!.length).toBeLessThanOrEqual(LIMITS.blockId);
    const textOf = (t: unknown) => (t as { text: string }).text;
    if (b.type === 'section' && b.text) expect(textOf(b.text).length).toBeLessThanOrEqual(LIMITS.sectionText);
    if (b.type === 'header') expect(textOf(b.text).length).toBeLessThanOrEqual(LIMITS.headerText);
    if (b.type === 'context') for (const e of b.elements as Obj[]) expect(textOf(e).length).toBeLessThanOrEqual(LIMITS.contextText);
    if (b.type === 'actions') {
      const els = b.elements as (Obj & { action_id: string; value: string; text: { text: string } })[];
      expect(els.length).toBeLessThanOrEqual(LIMITS.actionsElements);
      for (const e of els) {
        actionIds.push(e.action_id);
        expect(e.text.text.length).toBeLessThanOrEqual(LIMITS.buttonText);
        expect(e.value.length).toBeLessThan(LIMITS.buttonValue);
        expect(() => JSON.parse(e.value)).not.toThrow();
      }
    }
    if (b.type === 'input') {
      const el = b.element as Obj & { action_id: string; options?: { text: { text: string }; value: string }[] };
      actionIds.push(`${b.block_id}/${el.action_id}`);
      expect(textOf(b.label).length).toBeLessThanOrEqual(LIMITS.inputLabel);
      for (const o of el.options ?? []) expect(o.text.text.length).toBeLessThanOrEqual(LIMITS.optionText);
      if (el.type === 'radio_buttons' || el.type === 'checkboxes') expect(el.options!.length).toBeLessThanOrEqual(10);
    }
  }
  expect(new Set(actionIds).size).toBe(actionIds.length);
}

const texts = loadTexts();
const ctx = { texts, now: () => new Date('2027-01-25T10:00:00Z') } as unknown as JourneyContext;
const def = exampleNetwork();
const g1 = def.gatherings[0]!;

describe('renderMessage', () => {
  it('renders the journeys’ messages as valid Block Kit', () => {
    const drafts: MessageDraft[] = [
      taskMessage(ctx, def, g1, g1.tasks[0]!, { name: 'Ola Hansen', municipality: '4204', locale: 'nb' }),
      checkinMessage(ctx, def, g1, { municipality: '4204', locale: 'nn' }, { network: def.id, gathering: g1.id, municipality: '4204', email: 'a@b.no', answers: { attending: 'ja' }, at: '2027-01-20T10:00:00Z' }),
      reflectionMessage(ctx, def, g1, { name: 'Anne Moe', municipality: '4204', locale: 'en' }),
    ];
    for (const d of drafts) {
      const r = renderMessage(d);
      expect(r.text.length).toBeGreaterThan(0);
      expectValidBlocks(r.blocks as Block[], LIMITS.messageBlocks);
    }
  });

  it('shows the chosen answer with a ✓ and the primary style, the others plain', () => {
    const draft = checkinMessage(ctx, def, g1, { municipality: '4204', locale: 'nb' }, { network: def.id, gathering: g1.id, municipality: '4204', email: 'a@b.no', answers: { attending: 'nei' }, at: '2027-01-20T10:00:00Z' });
    const buttons = (renderMessage(draft).blocks as Block[]).filter((b) => b.type === 'actions').flatMap((b) => b.elements as Obj[]);
    expect(buttons.find((b) => (b.text as Obj).text === '✓ nei')).toMatchObject({ style: 'primary' });
    expect(buttons.find((b) => (b.text as Obj).text === 'ja')).not.toHaveProperty('style');
  });

  it('escapes &, < and > so typed text cannot mention anyone or link', () => {
    expect(escapeMrkdwn('<!channel> <@U1> & <http://x|y>')).toBe('&lt;!channel&gt; &lt;@U1&gt; &amp; &lt;http://x|y&gt;');
    const r = renderMessage({ fallback: 'Hei <!here>', blocks: [{ type: 'text', text: '<!everyone>' }, { type: 'facts', facts: [{ label: '<b>', value: '<@U2>' }] }] });
    expect(r.text).toBe('Hei &lt;!here&gt;');
    expect(JSON.stringify(r.blocks)).not.toMatch(/<!|<@/);
  });

  it('cuts text and blocks over Slack’s limits visibly', () => {
    const blocks: DraftBlock[] = [{ type: 'header', text: 'H'.repeat(400) }, { type: 'text', text: '&'.repeat(2000) }];
    for (let i = 0; i < 80; i++) blocks.push({ type: 'context', text: `linje ${i}` });
    const r = renderMessage({ fallback: 'x'.repeat(50_000), blocks });
    expect(r.blocks).toHaveLength(50);
    expect(r.blocks.at(-1)).toMatchObject({ type: 'context', elements: [{ text: '… (+33)' }] });
    const header = (r.blocks[0] as { text: { text: string } }).text.text;
    expect(header).toHaveLength(150);
    expect(header.endsWith('…')).toBe(true);
    const section = (r.blocks[1] as { text: { text: string } }).text.text;
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section).toMatch(/(&amp;)+…$/); // never half an entity
    expect(r.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
    expectValidBlocks(r.blocks as Block[], 50);
  });

  it('never splits a surrogate pair when cutting', () => {
    expect(truncate('ab😀😀', 4)).toBe('ab…');
  });

  it('makes action ids unique within a message and splits more than 25 buttons', () => {
    const actions = Array.from({ length: 30 }, (_, i) => ({ id: 'status.open', label: `Kommune ${i}`, payload: { a: 'status.open' as const, n: 'net', m: String(4200 + i) } }));
    const r = renderMessage({ fallback: 'velg', blocks: [{ type: 'actions', actions }] });
    expect(r.blocks.map((b) => b.type)).toEqual(['actions', 'actions']);
    expectValidBlocks(r.blocks as Block[], 50);
    const ids = (r.blocks as Block[]).flatMap((b) => (b.elements as { action_id: string }[]).map((e) => e.action_id));
    expect(ids.slice(0, 3)).toEqual(['status.open', 'status.open:1', 'status.open:2']);
  });

  it('refuses a button payload Slack could not carry', () => {
    expect(() => renderMessage({ fallback: 'x', blocks: [{ type: 'actions', actions: [{ id: 'a', label: 'a', payload: { a: 'status.short', n: 'n', v: 'x'.repeat(2000) } }] }] })).toThrow(/under 2000/);
  });
});

describe('renderForm', () => {
  it('renders the journeys’ forms as modals whose ids match their field ids', () => {
    const me = { email: 'ola@x.no', name: 'Ola', locale: 'nb' as const, seats: [], organiserOf: [] };
    const forms: FormDraft[] = [
      taskCommentForm(ctx, me, { a: 'task.comment', n: def.id, g: g1.id, t: 'forankring', m: '4204' }),
      checkinForm(ctx, def, g1, 'nb', '4204'),
      reflectionForm(ctx, 'nn', { a: 'reflection.write', n: def.id, m: '4204' }, {}, true),
    ];
    for (const f of forms) {
      const view = renderForm(f, { channel: 'D1', ts: '1.2' });
      expect(view).toMatchObject({ type: 'modal', callback_id: f.id });
      expect((view.title as { text: string }).text.length).toBeLessThanOrEqual(24);
      expect(JSON.parse(view.private_metadata!)).toEqual({ payload: f.payload, origin: { channel: 'D1', ts: '1.2' } });
      expectValidBlocks(view.blocks as Block[], 100);
      expect((view.blocks as Block[]).filter((b) => b.type === 'input').map((b) => b.block_id)).toEqual(f.fields.map((x) => x.id));
    }
  });

  it('picks the input element for each kind of field, with initial values and limits', () => {
    const form: FormDraft = {
      id: 'status',
      title: 'Et altfor langt skjemanavn som må kuttes',
      submitLabel: 'Lagre',
      intro: 'Om <skjemaet>',
      note: 'Svarene er lagret',
      payload: { a: 'status.submit', n: 'net' },
      fields: [
        { kind: 'choice', id: 'few', label: 'Få', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], initial: 'b' },
        { kind: 'choice', id: 'many', label: 'Mange', options: Array.from({ length: 8 }, (_, i) => ({ value: `v${i}`, label: `V${i}` })), initial: 'v3', optional: true },
        { kind: 'multi', id: 'parts', label: 'Deler', options: [{ value: 'x', label: 'X' }, { value: 'y', label: 'Y' }], initial: ['y'] },
        { kind: 'text', id: 'long', label: 'Tekst', multiline: true, maxLength: 10_000, initial: 'før', placeholder: 'skriv' },
        { kind: 'date', id: 'when', label: 'Dato', initial: '2027-02-10' },
      ],
    };
    const view = renderForm(form);
    expect((view.title as { text: string }).text).toHaveLength(24);
    const el = (id: string) => (view.blocks as Block[]).find((b) => b.block_id === id)!.element as Obj;
    expect(el('few')).toMatchObject({ type: 'radio_buttons', action_id: 'few', initial_option: { value: 'b' } });
    expect(el('many')).toMatchObject({ type: 'static_select', initial_option: { value: 'v3' } });
    expect(el('parts')).toMatchObject({ type: 'checkboxes', initial_options: [{ value: 'y' }] });
    expect(el('long')).toMatchObject({ type: 'plain_text_input', multiline: true, max_length: 3000, initial_value: 'før', placeholder: { text: 'skriv' } });
    expect(el('when')).toMatchObject({ type: 'datepicker', initial_date: '2027-02-10' });
    expect((view.blocks as Block[])[0]).toMatchObject({ type: 'section', text: { text: 'Om &lt;skjemaet&gt;' } });
    expect((view.blocks as Block[]).at(-1)).toMatchObject({ type: 'context', block_id: 'note' });
    expect((view.blocks as Block[]).find((b) => b.block_id === 'many')).toMatchObject({ optional: true });
  });

  it('keeps a modal to 100 blocks', () => {
    const fields = Array.from({ length: 150 }, (_, i) => ({ kind: 'text' as const, id: `f${i}`, label: `F${i}` }));
    const view = renderForm({ id: 'checkin', title: 'Stor', submitLabel: 'OK', intro: 'x', fields, payload: { a: 'checkin.submit', n: 'n' } });
    expectValidBlocks(view.blocks as Block[], 100);
    expect(view.blocks).toHaveLength(100);
  });

  it('reads submitted values back by field id, for every element type', () => {
    expect(
      readFormValues({
        few: { few: { type: 'radio_buttons', selected_option: { value: 'b' } } },
        many: { many: { type: 'static_select', selected_option: null } },
        parts: { parts: { type: 'checkboxes', selected_options: [{ value: 'x' }, { value: 'y' }] } },
        long: { long: { type: 'plain_text_input', value: 'tekst' } },
        when: { when: { type: 'datepicker', selected_date: '2027-02-10' } },
      }),
    ).toEqual({ few: 'b', many: undefined, parts: ['x', 'y'], long: 'tekst', when: '2027-02-10' });
  });
});

describe('renderErrors, renderNotice, renderHome', () => {
  it('puts each error under its field, and one for a field not shown under the first input', () => {
    expect(renderErrors({ errors: { done: 'Må fylles ut', attending: 'Velg' } }, ['need', 'done'])).toEqual({
      response_action: 'errors',
      errors: { done: 'Må fylles ut', need: 'Velg' },
    });
  });

  it('renders a notice without inputs and a Home view within 100 blocks', () => {
    const notice = renderNotice('Samla', 'Ingenting ble lagret <!here>');
    expect(notice).toMatchObject({ type: 'modal', callback_id: 'notice' });
    expect(notice).not.toHaveProperty('submit');
    const home = renderHome({ fallback: 'x', blocks: Array.from({ length: 130 }, (_, i) => ({ type: 'text' as const, text: `${i}` })) });
    expect(home.type).toBe('home');
    expectValidBlocks(home.blocks as Block[], 100);
  });
});
