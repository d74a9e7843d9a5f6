/**
 * Platform-neutral drafts (src/core/drafts.ts) rendered as Adaptive Cards 1.5 for Teams.
 *
 * - A MessageDraft becomes a card of TextBlocks, FactSets and ActionSets. Each button is an
 *   `Action.Submit` whose `data` carries the journey's ActionPayload under `samla`; Teams posts it
 *   back as a message activity whose `value` is that `data` (see ./submission.ts).
 * - A FormDraft (or a MessageDraft carrying `form`) becomes a card with inputs: `Input.ChoiceSet`
 *   (expanded radio buttons for up to four options, a compact drop-down for more),
 *   `Input.ChoiceSet isMultiSelect` or `Input.Toggle` (a single checkbox) for multiple choice,
 *   `Input.Text` (multi-line, length limit, prefilled) and `Input.Date`, and one `Action.Submit`.
 *   Teams merges the inputs' values into the submitted `data`, keyed by field id.
 * - FormErrors are shown in red under the field they belong to, with a line on top saying that
 *   something must be fixed; the submitted values stay in the inputs.
 */
import type { ActionPayload, DraftAction, DraftBlock, FormDraft, FormField, FormValues, MessageDraft } from '../../src/core/drafts.ts';

export const CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** The Adaptive Cards version every Samla card declares (Teams supports 1.5 on desktop, web and mobile). */
export const CARD_VERSION = '1.5';
export const CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Key of the ActionPayload inside a submit action's `data`. */
export const PAYLOAD_KEY = 'samla';
/** Ids of the form's multiple-choice fields, whose values arrive comma-separated. */
export const MULTI_KEY = 'samla_multi';
/** Where the card was shown ("tasks" for the task list), so an answer can redraw the same view. */
export const VIEW_KEY = 'samla_view';

/** Field ids a form may not use, since they carry Samla's own data in the submission. */
const RESERVED_IDS = new Set<string>([PAYLOAD_KEY, MULTI_KEY, VIEW_KEY]);

export type CardElement = Record<string, unknown>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  body: CardElement[];
  actions?: CardElement[];
  /** Shown where the card cannot be. */
  fallbackText?: string;
}

/** Texts the renderer needs for forms, in the person's language. */
export interface FormTexts {
  /** Shown on top when some field has an error ("Fix the fields marked below"). */
  fixErrors: string;
}

export interface RenderOptions {
  /** Carried in every action's data (VIEW_KEY). */
  view?: string;
}

export interface FormRenderOptions extends RenderOptions {
  /** Errors by field id, shown under the field. */
  errors?: Record<string, string>;
  /** Values to show instead of the fields' initial values (what the person submitted). */
  values?: FormValues;
  texts?: FormTexts;
}

function card(body: CardElement[], fallback: string, actions?: CardElement[]): AdaptiveCard {
  return {
    type: 'AdaptiveCard',
    $schema: CARD_SCHEMA,
    version: CARD_VERSION,
    body,
    ...(actions && actions.length ? { actions } : {}),
    fallbackText: fallback,
  };
}

/** The `data` of a submit action: the payload plus Samla's bookkeeping keys. */
export function submitData(payload: ActionPayload, opts: { multi?: string[]; view?: string } = {}): Record<string, unknown> {
  return {
    [PAYLOAD_KEY]: payload,
    ...(opts.multi && opts.multi.length ? { [MULTI_KEY]: opts.multi.join(',') } : {}),
    ...(opts.view ? { [VIEW_KEY]: opts.view } : {}),
  };
}

function button(a: DraftAction, view?: string): CardElement {
  // No `id`: a message may repeat a draft action id (one "status.open" per municipality), and
  // card ids must be unique; the payload in `data` says everything.
  return {
    type: 'Action.Submit',
    title: a.selected ? `✓ ${a.label}` : a.label,
    data: submitData(a.payload, { view }),
    associatedInputs: 'none',
    ...(a.style === 'primary' ? { style: 'positive' } : a.style === 'danger' ? { style: 'destructive' } : {}),
  };
}

/**
 * Draft text is plain text, but Teams (and Web Chat, through markdown-it with HTML and linkify
 * on) renders a TextBlock's Markdown: a participant's answer "[Logg inn](https://…)",
 * "[Logg inn][1]" with "[1]: https://…" on a line of its own, "<https://…>" or "<a href=…>"
 * would become a live link (or an image, or HTML) in an organiser's card. A zero-width space
 * breaks each form and keeps the text readable:
 *
 * - after a "]" followed by "(", "[" or ":" (inline links and images, reference links, link
 *   definitions), also with spaces between;
 * - after every "<" (autolinks, HTML tags and comments).
 *
 * A bare address stays what it is: renderers show it as a link to exactly the address shown.
 */
export function plain(text: string): string {
  return text.replace(/\](?=\s*[([:])/g, ']\u200B').replace(/</g, '<\u200B');
}

/** The card elements of draft blocks; a divider becomes a separator line above the next block. */
export function blockElements(blocks: DraftBlock[], opts: RenderOptions = {}): CardElement[] {
  const out: CardElement[] = [];
  let separate = false;
  for (const b of blocks) {
    let el: CardElement | undefined;
    switch (b.type) {
      case 'header':
        el = { type: 'TextBlock', text: plain(b.text), wrap: true, size: 'Medium', weight: 'Bolder' };
        break;
      case 'text':
        el = { type: 'TextBlock', text: plain(b.text), wrap: true };
        break;
      case 'context':
        el = { type: 'TextBlock', text: plain(b.text), wrap: true, isSubtle: true, size: 'Small' };
        break;
      case 'facts':
        el = { type: 'FactSet', facts: b.facts.map((f) => ({ title: plain(f.label), value: plain(f.value) })) };
        break;
      case 'actions':
        el = { type: 'ActionSet', actions: b.actions.map((a) => button(a, opts.view)) };
        break;
      case 'divider':
        separate = true;
        continue;
    }
    if (separate) {
      el = { ...el, separator: true, spacing: 'Medium' };
      separate = false;
    }
    out.push(el);
  }
  return out;
}

/** A message as a card; a message that carries a form (the check-in) is shown as that form. */
export function messageCard(draft: MessageDraft, opts: FormRenderOptions = {}): AdaptiveCard {
  if (draft.form) return formCard(draft.form, opts);
  return card(blockElements(draft.blocks, opts), draft.fallback);
}

/** A plain text as a card (for answers that are one sentence, shown in place of a form). */
export function textCard(text: string, extra: DraftBlock[] = []): AdaptiveCard {
  return card(blockElements([{ type: 'text', text }, ...extra]), text);
}

function initialOf(field: FormField, values: FormValues | undefined): string | string[] | undefined {
  if (values && field.id in values) return values[field.id];
  return field.initial;
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(',') : v;
}

function list(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean);
}

function input(field: FormField, values: FormValues | undefined): CardElement {
  if (RESERVED_IDS.has(field.id)) throw new Error(`Form field id "${field.id}" is reserved by the Teams renderer`);
  const value = initialOf(field, values);
  const base = { id: field.id, label: field.label };
  switch (field.kind) {
    case 'choice': {
      const v = one(value);
      return {
        type: 'Input.ChoiceSet',
        ...base,
        style: field.options.length <= 4 ? 'expanded' : 'compact',
        choices: field.options.map((o) => ({ title: o.label, value: o.value })),
        ...(v ? { value: v } : {}),
      };
    }
    case 'multi': {
      const chosen = list(value);
      if (field.options.length === 1) {
        const only = field.options[0]!;
        return {
          type: 'Input.Toggle',
          ...base,
          title: only.label,
          valueOn: only.value,
          valueOff: '',
          value: chosen.includes(only.value) ? only.value : '',
          wrap: true,
        };
      }
      return {
        type: 'Input.ChoiceSet',
        ...base,
        style: 'expanded',
        isMultiSelect: true,
        choices: field.options.map((o) => ({ title: o.label, value: o.value })),
        ...(chosen.length ? { value: chosen.join(',') } : {}),
      };
    }
    case 'text': {
      const v = one(value);
      return {
        type: 'Input.Text',
        ...base,
        ...(field.multiline ? { isMultiline: true } : {}),
        ...(field.maxLength ? { maxLength: field.maxLength } : {}),
        ...(field.placeholder ? { placeholder: field.placeholder } : {}),
        ...(v ? { value: v } : {}),
      };
    }
    case 'date': {
      const v = one(value);
      return { type: 'Input.Date', ...base, ...(v ? { value: v } : {}) };
    }
  }
}

function errorLine(text: string): CardElement {
  return { type: 'TextBlock', text, wrap: true, color: 'Attention', size: 'Small', spacing: 'Small' };
}

/**
 * A form as a card: title, intro, one input per field (each followed by its error, if any),
 * the note, and the submit button whose data carries the form's payload.
 */
export function formCard(form: FormDraft, opts: FormRenderOptions = {}): AdaptiveCard {
  const errors = opts.errors ?? {};
  const ids = new Set(form.fields.map((f) => f.id));
  const body: CardElement[] = [{ type: 'TextBlock', text: form.title, wrap: true, size: 'Medium', weight: 'Bolder' }];
  if (form.intro) body.push({ type: 'TextBlock', text: form.intro, wrap: true });
  if (Object.keys(errors).length) {
    body.push({ type: 'TextBlock', text: opts.texts?.fixErrors ?? '⚠', wrap: true, color: 'Attention', weight: 'Bolder' });
    // Errors for no field of this form (should not happen) are still shown, on top.
    for (const [id, text] of Object.entries(errors)) if (!ids.has(id)) body.push(errorLine(text));
  }
  for (const field of form.fields) {
    body.push(input(field, opts.values));
    const error = errors[field.id];
    if (error) body.push(errorLine(error));
  }
  if (form.note) body.push({ type: 'TextBlock', text: form.note, wrap: true, isSubtle: true, size: 'Small' });
  const multi = form.fields.filter((f) => f.kind === 'multi').map((f) => f.id);
  const submit: CardElement = {
    type: 'Action.Submit',
    id: `${form.id}.submit`,
    title: form.submitLabel,
    style: 'positive',
    data: submitData(form.payload, { multi, view: opts.view }),
  };
  return card(body, form.intro ?? form.title, [submit]);
}

/** The attachment that carries a card in an activity. */
export function cardAttachment(c: AdaptiveCard): { contentType: string; content: AdaptiveCard } {
  return { contentType: CARD_CONTENT_TYPE, content: c };
}
