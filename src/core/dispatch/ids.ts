/**
 * Every action and form Samla's messages can carry, as string-literal unions: a button's or a
 * form's payload names one of these, and the dispatcher (./dispatcher.ts) routes on it, so a
 * renamed id fails to compile wherever it is built or handled.
 */

/** Buttons, and the submit action of every form (`<form>.submit`). */
export const ACTION_IDS = [
  'task.done',
  'task.not_yet',
  'task.comment',
  'task.comment_submit',
  'checkin.answer',
  'checkin.text',
  'checkin.open',
  'checkin.submit',
  'status.open',
  'status.short',
  'status.submit',
  'reflection.write',
  'reflection.submit',
  'steering.met',
  'steering.met_submit',
] as const;

export type ActionId = (typeof ACTION_IDS)[number];

/** Forms (a Slack modal's callback_id, a Teams card's submit button id prefix). */
export const FORM_IDS = ['status', 'reflection', 'task.comment', 'checkin', 'steering.met'] as const;

export type FormId = (typeof FORM_IDS)[number];

/** The action a form's submit button carries. */
export const FORM_SUBMIT: { readonly [F in FormId]: ActionId } = {
  status: 'status.submit',
  reflection: 'reflection.submit',
  'task.comment': 'task.comment_submit',
  checkin: 'checkin.submit',
  'steering.met': 'steering.met_submit',
};

const ACTIONS: ReadonlySet<string> = new Set(ACTION_IDS);
const FORMS: ReadonlySet<string> = new Set(FORM_IDS);

export function isActionId(s: string): s is ActionId {
  return ACTIONS.has(s);
}

export function isFormId(s: string): s is FormId {
  return FORMS.has(s);
}
