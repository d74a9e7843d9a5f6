/**
 * Platform-neutral messages and forms. The core's journeys build these; one renderer turns
 * them into Slack Block Kit, another into Adaptive Cards. No platform detail belongs here.
 */

import type { ActionId, FormId } from './dispatch/ids.ts';

/** What a button or form carries back to Samla: which journey, and where in the network. */
export interface ActionPayload {
  /** The action (./dispatch/ids.ts): "task.done", "task.not_yet", "checkin.answer", "status.submit", ... */
  a: ActionId;
  /** Network id. */
  n: string;
  /** Gathering id. */
  g?: string;
  /** Task id. */
  t?: string;
  /** Municipality (kommunenummer). */
  m?: string;
  /** Check-in question id. */
  q?: string;
  /** A chosen value (a check-in option, a municipality). */
  v?: string;
}

export interface DraftAction {
  /** Stable action id; also the payload's `a`. */
  id: string;
  label: string;
  payload: ActionPayload;
  style?: 'primary' | 'danger';
  /** The button opens a form (a Slack modal; inline inputs in Teams). */
  opensForm?: boolean;
  /** Shown as chosen (e.g. the check-in option already answered). */
  selected?: boolean;
}

export type DraftBlock =
  | { type: 'header'; text: string }
  | { type: 'text'; text: string }
  | { type: 'facts'; facts: { label: string; value: string }[] }
  | { type: 'context'; text: string }
  | { type: 'actions'; actions: DraftAction[] }
  | { type: 'divider' };

/** A message: blocks plus a plain-text fallback for notifications and screen readers. */
export interface MessageDraft {
  fallback: string;
  blocks: DraftBlock[];
  /**
   * The same message as one form, for platforms that show inputs inside a message (Teams shows
   * it as an Adaptive Card with inputs instead of the blocks). Slack ignores it and shows the blocks.
   */
  form?: FormDraft;
}

export interface ChoiceOption {
  value: string;
  label: string;
}

export type FormField =
  | { kind: 'choice'; id: string; label: string; options: ChoiceOption[]; initial?: string; optional?: boolean }
  | { kind: 'multi'; id: string; label: string; options: ChoiceOption[]; initial?: string[]; optional?: boolean }
  | {
      kind: 'text';
      id: string;
      label: string;
      multiline?: boolean;
      initial?: string;
      optional?: boolean;
      maxLength?: number;
      placeholder?: string;
    }
  | { kind: 'date'; id: string; label: string; initial?: string; optional?: boolean };

/** A form: a Slack modal, or an Adaptive Card with inputs. */
export interface FormDraft {
  /** Which form (./dispatch/ids.ts): "status", "reflection", "task.comment", "checkin", "steering.met". */
  id: FormId;
  title: string;
  submitLabel: string;
  intro?: string;
  /** A line under the fields, e.g. what was recorded ("Your answers are saved"). */
  note?: string;
  fields: FormField[];
  /** Carried through the form and back with the submission. */
  payload: ActionPayload;
}

/** Values submitted from a form, by field id, before validation. */
export type FormValues = Record<string, string | string[] | undefined>;

/** A form submission that did not validate: an error text per field, shown next to it. */
export interface FormErrors {
  errors: Record<string, string>;
}

export function text(t: string): DraftBlock {
  return { type: 'text', text: t };
}

export function message(fallback: string, ...blocks: DraftBlock[]): MessageDraft {
  return { fallback, blocks };
}

/** A form's validation issues (zod's) as one error per field: the first problem of each. */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): FormErrors {
  const errors: Record<string, string> = {};
  for (const issue of issues) errors[String(issue.path[0])] ??= issue.message;
  return { errors };
}
