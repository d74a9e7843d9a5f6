/**
 * Platform-neutral drafts (src/core/drafts.ts) → Slack Block Kit.
 *
 * - `renderMessage`: a MessageDraft as `{ text, blocks }` for chat.postMessage / chat.update.
 *   Every text is escaped (see ./mrkdwn.ts) and cut to its limit; a button's `value` is the JSON
 *   of its ActionPayload, its `action_id` the draft action's id, made unique within the message
 *   by appending ":<n>"; a chosen action is shown with a ✓ and the primary style.
 * - `renderForm`: a FormDraft as a modal (`callback_id` = form id, `private_metadata` = the JSON
 *   of a ViewMetadata). Each field is an input block whose block_id and action_id are the field
 *   id, so FormErrors map straight onto Slack's `response_action: "errors"`.
 * - `renderHome`: a MessageDraft as the App Home view.
 * - `renderNotice`: a modal that only says something (a refusal, "try again in a minute").
 */
import type { types } from '@slack/bolt';
import type { ActionPayload, DraftAction, DraftBlock, FormDraft, FormErrors, FormField, MessageDraft } from '../../src/core/drafts.ts';
import { LIMITS } from './limits.ts';
import { ELLIPSIS, escapeMrkdwn, mrkdwn, truncate } from './mrkdwn.ts';

type KnownBlock = types.KnownBlock;
type Button = types.Button;
type PlainTextOption = types.PlainTextOption;
type InputBlock = types.InputBlock;

/** What a modal carries through Slack and back: the payload, and the message it came from. */
export interface ViewMetadata {
  payload: ActionPayload;
  /** The message whose button opened the form, to update it in place after the submission. */
  origin?: { channel: string; ts: string };
}

export interface RenderedMessage {
  text: string;
  blocks: KnownBlock[];
}

const plain = (text: string, max: number): types.PlainTextElement => ({ type: 'plain_text', text: truncate(text, max), emoji: true });

/** The JSON a button carries; throws when it would not fit Slack's 2,000 characters (a bug). */
export function actionValue(payload: ActionPayload): string {
  const json = JSON.stringify(payload);
  if (json.length >= LIMITS.buttonValue) {
    throw new Error(`The action payload "${payload.a}" is ${json.length} characters; a Slack button value holds under ${LIMITS.buttonValue}.`);
  }
  return json;
}

function buttons(actions: DraftAction[], usedIds: Set<string>): Button[] {
  const anySelected = actions.some((a) => a.selected);
  return actions.map((a) => {
    let id = truncate(a.id, LIMITS.actionId - 6);
    if (usedIds.has(id)) {
      let n = 1;
      while (usedIds.has(`${id}:${n}`)) n++;
      id = `${id}:${n}`;
    }
    usedIds.add(id);
    const style = anySelected ? (a.selected ? 'primary' : a.style === 'danger' ? 'danger' : undefined) : a.style;
    const label = a.selected ? `✓ ${a.label}` : a.label;
    return {
      type: 'button',
      action_id: id,
      text: plain(label, LIMITS.buttonText),
      value: actionValue(a.payload),
      ...(style ? { style } : {}),
    };
  });
}

/** One draft block as one or more Slack blocks (an actions block over 25 buttons is split). */
function renderBlock(b: DraftBlock, blockId: () => string, usedIds: Set<string>): KnownBlock[] {
  switch (b.type) {
    case 'header':
      return [{ type: 'header', block_id: blockId(), text: plain(b.text, LIMITS.headerText) }];
    case 'text':
      return [{ type: 'section', block_id: blockId(), text: { type: 'mrkdwn', text: mrkdwn(b.text, LIMITS.sectionText), verbatim: true } }];
    case 'context':
      return [{ type: 'context', block_id: blockId(), elements: [{ type: 'mrkdwn', text: mrkdwn(b.text, LIMITS.contextText), verbatim: true }] }];
    case 'facts': {
      const out: KnownBlock[] = [];
      for (let i = 0; i < b.facts.length; i += LIMITS.fields) {
        out.push({
          type: 'section',
          block_id: blockId(),
          fields: b.facts.slice(i, i + LIMITS.fields).map((f) => ({
            type: 'mrkdwn' as const,
            text: truncate(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, LIMITS.fieldText),
            verbatim: true,
          })),
        });
      }
      return out;
    }
    case 'actions': {
      const out: KnownBlock[] = [];
      for (let i = 0; i < b.actions.length; i += LIMITS.actionsElements) {
        out.push({ type: 'actions', block_id: blockId(), elements: buttons(b.actions.slice(i, i + LIMITS.actionsElements), usedIds) });
      }
      return out;
    }
    case 'divider':
      return [{ type: 'divider', block_id: blockId() }];
  }
}

/** Renders blocks within `max`; when more, the last block says how many were left out. */
function renderBlocks(draftBlocks: DraftBlock[], max: number): KnownBlock[] {
  let n = 0;
  const blockId = () => `b${n++}`;
  const usedIds = new Set<string>();
  const all = draftBlocks.flatMap((b) => renderBlock(b, blockId, usedIds));
  if (all.length <= max) return all;
  const kept = all.slice(0, max - 1);
  kept.push({ type: 'context', block_id: 'truncated', elements: [{ type: 'mrkdwn', text: `${ELLIPSIS} (+${all.length - kept.length})` }] });
  return kept;
}

/** A message for chat.postMessage / chat.update: escaped fallback text and at most 50 blocks. */
export function renderMessage(draft: MessageDraft): RenderedMessage {
  return { text: mrkdwn(draft.fallback, LIMITS.fallbackText), blocks: renderBlocks(draft.blocks, LIMITS.messageBlocks) };
}

/** The App Home tab (views.publish): at most 100 blocks. */
export function renderHome(draft: MessageDraft): types.HomeView {
  return { type: 'home', blocks: renderBlocks(draft.blocks, LIMITS.viewBlocks) };
}

function option(o: { value: string; label: string }): PlainTextOption {
  return { text: plain(o.label, LIMITS.optionText), value: truncate(o.value, LIMITS.optionValue) };
}

/** A form field as an input block; block_id and action_id are the field id. */
function inputBlock(f: FormField): InputBlock {
  const base = { type: 'input' as const, block_id: f.id, label: plain(f.label, LIMITS.inputLabel), optional: f.optional ?? false };
  switch (f.kind) {
    case 'choice': {
      const shown = f.options.slice(0, LIMITS.selectOptions);
      const options = shown.map(option);
      const chosen = shown.find((o) => o.value === f.initial);
      const initial = chosen ? option(chosen) : undefined;
      const radio = options.length <= 5;
      return {
        ...base,
        element: radio
          ? { type: 'radio_buttons', action_id: f.id, options, ...(initial ? { initial_option: initial } : {}) }
          : { type: 'static_select', action_id: f.id, options, ...(initial ? { initial_option: initial } : {}) },
      };
    }
    case 'multi': {
      const shown = f.options.slice(0, LIMITS.selectOptions);
      const options = shown.map(option);
      const initial = shown.filter((o) => f.initial?.includes(o.value)).map(option);
      const withInitial = initial.length ? { initial_options: initial } : {};
      return {
        ...base,
        element:
          options.length <= LIMITS.checkboxOptions
            ? { type: 'checkboxes', action_id: f.id, options, ...withInitial }
            : { type: 'multi_static_select', action_id: f.id, options, ...withInitial },
      };
    }
    case 'text': {
      const max = Math.min(f.maxLength ?? LIMITS.textInputMax, LIMITS.textInputMax);
      return {
        ...base,
        element: {
          type: 'plain_text_input',
          action_id: f.id,
          multiline: f.multiline ?? false,
          max_length: max,
          ...(f.initial ? { initial_value: f.initial.slice(0, max) } : {}),
          ...(f.placeholder ? { placeholder: plain(f.placeholder, LIMITS.placeholder) } : {}),
        },
      };
    }
    case 'date':
      return {
        ...base,
        element: { type: 'datepicker', action_id: f.id, ...(f.initial && /^\d{4}-\d{2}-\d{2}$/.test(f.initial) ? { initial_date: f.initial } : {}) },
      };
  }
}

/** Serialises the metadata; throws when it would not fit Slack's 3,000 characters (a bug). */
export function viewMetadata(meta: ViewMetadata): string {
  const json = JSON.stringify(meta);
  if (json.length > LIMITS.privateMetadata) throw new Error(`The form metadata is ${json.length} characters; Slack holds ${LIMITS.privateMetadata}.`);
  return json;
}

/** A form as a modal for views.open / views.update / `response_action: "update"`. */
export function renderForm(form: FormDraft, origin?: ViewMetadata['origin']): types.ModalView {
  const blocks: KnownBlock[] = [];
  if (form.intro) blocks.push({ type: 'section', block_id: 'intro', text: { type: 'mrkdwn', text: mrkdwn(form.intro, LIMITS.sectionText), verbatim: true } });
  const room = LIMITS.viewBlocks - blocks.length - (form.note ? 1 : 0);
  for (const f of form.fields.slice(0, room)) blocks.push(inputBlock(f));
  if (form.note) blocks.push({ type: 'context', block_id: 'note', elements: [{ type: 'mrkdwn', text: mrkdwn(form.note, LIMITS.contextText), verbatim: true }] });
  return {
    type: 'modal',
    callback_id: form.id.slice(0, LIMITS.callbackId),
    title: plain(form.title, LIMITS.viewTitle),
    submit: plain(form.submitLabel, LIMITS.viewButton),
    private_metadata: viewMetadata({ payload: form.payload, ...(origin ? { origin } : {}) }),
    blocks,
  };
}

/**
 * A view for the Web API's `view` argument as the JSON-encoded string Slack's form-encoded
 * methods take (views.open: "This must be a JSON-encoded string"): the same request the
 * WebClient would send for the object, which it would first copy whole (to redact tokens for a
 * debug line it builds at every log level, WebClient.makeRequest) and JSON-encode twice (that
 * copy for the line, the view for the body). A modal's JSON is a few kilobytes; so is the work.
 */
export function viewArgument(view: types.View): types.View {
  return JSON.stringify(view) as unknown as types.View;
}

/** A modal with one message and no inputs (Slack shows only its close button). */
export function renderNotice(title: string, text: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: 'notice',
    title: plain(title, LIMITS.viewTitle),
    blocks: [{ type: 'section', block_id: 'notice', text: { type: 'mrkdwn', text: mrkdwn(text, LIMITS.sectionText), verbatim: true } }],
  };
}

/**
 * FormErrors as the answer to a view_submission. An error for a field the modal does not show
 * (`inputs` lists the input block ids it does) goes to the first input instead, so it is seen.
 */
export function renderErrors(e: FormErrors, inputs?: readonly string[]): { response_action: 'errors'; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  for (const [field, message] of Object.entries(e.errors)) {
    const target = !inputs || inputs.length === 0 || inputs.includes(field) ? field : inputs[0]!;
    errors[target] = errors[target] ? `${errors[target]} ${message}` : truncate(message, LIMITS.inputLabel);
  }
  return { response_action: 'errors', errors };
}
