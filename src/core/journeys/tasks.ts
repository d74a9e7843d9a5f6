/**
 * Preparation tasks: the message that brings a task (Done / Not yet / Comment), the answer
 * recorded per person and municipality, and the message updated to show what was recorded.
 */
import { z } from 'zod';
import type { ActionId } from '../dispatch/ids.ts';
import { fieldErrors, type ActionPayload, type DraftBlock, type FormDraft, type FormErrors, type FormValues, type MessageDraft } from '../drafts.ts';
import { formatShort, formatWhen } from '../format.ts';
import type { Gathering, Locale, NetworkDefinition, Task, TaskAnswer, TaskCompletion } from '../model.ts';
import { gatheringStart, isTaskFor, offsetTime } from '../schedule.ts';
import { JourneyRefusal, findSeat, type JourneyContext, type Me, type Seat } from './context.ts';

export const COMMENT_MAX = 2000;

export function findTask(def: NetworkDefinition, gatheringId?: string, taskId?: string): { gathering: Gathering; task: Task } | undefined {
  const gathering = def.gatherings.find((g) => g.id === gatheringId);
  const task = gathering?.tasks.find((t) => t.id === taskId);
  return gathering && task ? { gathering, task } : undefined;
}

/**
 * The task message for one person in one municipality, showing their answer when there is one.
 * `reminder` words it as a reminder.
 */
export function taskMessage(
  ctx: JourneyContext,
  def: NetworkDefinition,
  gathering: Gathering,
  task: Task,
  recipient: { name: string; municipality: string; locale: Locale },
  answer?: TaskCompletion,
  reminder = false,
): MessageDraft {
  const locale = recipient.locale;
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(locale, key, vars);
  const due = formatWhen(offsetTime(def, gathering, task.due), def.timezone, locale);
  const date = formatWhen(gatheringStart(def, gathering), def.timezone, locale);
  const firstName = recipient.name.split(' ')[0] ?? recipient.name;
  const intro = reminder
    ? t('reminder.task', { task: task.title, due })
    : t('task.intro', { name: firstName, gathering: gathering.title, date });
  const payload = (a: ActionId): ActionPayload => ({ a, n: def.id, g: gathering.id, t: task.id, m: recipient.municipality });
  const blocks: DraftBlock[] = [
    { type: 'text', text: intro },
    { type: 'header', text: task.title },
    { type: 'context', text: `${t('task.due', { due })} · ${t('task_more.for_gathering', { gathering: gathering.title, date })}` },
    {
      type: 'actions',
      actions: [
        { id: 'task.done', label: t('task.done'), payload: payload('task.done'), style: 'primary', selected: answer?.answer === 'done' },
        { id: 'task.not_yet', label: t('task.not_yet'), payload: payload('task.not_yet'), selected: answer?.answer === 'not_yet' },
        { id: 'task.comment', label: t('task.comment'), payload: payload('task.comment'), opensForm: true },
      ],
    },
  ];
  if (answer) {
    const at = formatShort(new Date(answer.at), def.timezone, locale);
    blocks.push({ type: 'context', text: t(answer.answer === 'done' ? 'task_more.your_answer_done' : 'task_more.your_answer_not_yet', { at }) });
    if (answer.comment) blocks.push({ type: 'context', text: t('task_more.your_comment', { comment: answer.comment }) });
  }
  return { fallback: `${intro} ${task.title}`, blocks };
}

/** The comment form of a task (with the answer, so a comment can come with "not yet"). */
export function taskCommentForm(ctx: JourneyContext, me: Me, payload: ActionPayload, current?: TaskCompletion): FormDraft {
  const t = (key: string) => ctx.texts.t(me.locale, key);
  return {
    id: 'task.comment',
    title: t('task_form.title'),
    submitLabel: t('task_form.submit'),
    payload: { ...payload, a: 'task.comment_submit' },
    fields: [
      {
        kind: 'choice',
        id: 'answer',
        label: t('task_form.answer'),
        options: [
          { value: 'done', label: t('task.done') },
          { value: 'not_yet', label: t('task.not_yet') },
        ],
        initial: current?.answer ?? 'not_yet',
      },
      { kind: 'text', id: 'comment', label: t('task_form.comment'), multiline: true, maxLength: COMMENT_MAX, ...(current?.comment ? { initial: current.comment } : {}) },
    ],
  };
}

export type TaskAnswerResult = { kind: 'saved'; completion: TaskCompletion; message: MessageDraft } | ({ kind: 'invalid' } & FormErrors);

/**
 * Records a person's answer to a task (from a button, or the comment form) and returns the
 * message as it should now look. Refused when the task is gone or not theirs.
 */
export async function answerTask(
  ctx: JourneyContext,
  me: Me,
  payload: ActionPayload,
  input: { answer?: TaskAnswer; values?: FormValues },
): Promise<TaskAnswerResult> {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const { def, found, seat } = authoriseTask(ctx, me, payload);
  let answer = input.answer;
  let comment: string | undefined;
  if (input.values) {
    const parsed = z
      .object({
        answer: z.enum(['done', 'not_yet'], { error: t('status_form.invalid_choice') }),
        comment: z
          .string()
          .trim()
          .max(COMMENT_MAX, t('status_form.too_long', { max: COMMENT_MAX }))
          .optional(),
      })
      .safeParse({
        answer: first(input.values.answer),
        comment: first(input.values.comment) || undefined,
      });
    if (!parsed.success) {
      return { kind: 'invalid', ...fieldErrors(parsed.error.issues) };
    }
    answer = parsed.data.answer;
    comment = parsed.data.comment || undefined;
  }
  if (!answer) throw new JourneyRefusal(t('status_form.invalid_choice'));
  const previous = (await ctx.store.listTaskCompletions(def.id, found.gathering.id)).find(
    (c) => c.task === found.task.id && c.municipality === seat.municipality.id && c.email === me.email,
  );
  const completion: TaskCompletion = {
    network: def.id,
    gathering: found.gathering.id,
    task: found.task.id,
    municipality: seat.municipality.id,
    email: me.email,
    answer,
    at: ctx.now().toISOString(),
    ...(comment !== undefined ? { comment } : previous?.comment && !input.values ? { comment: previous.comment } : {}),
  };
  await ctx.store.recordTaskCompletion(completion);
  const message = taskMessage(ctx, def, found.gathering, found.task, { name: me.name, municipality: seat.municipality.id, locale: me.locale }, completion);
  return { kind: 'saved', completion, message };
}

/**
 * The task a payload points at, and the person's seat for it. Refused when the task is gone from
 * the network or not for this person's roles in that municipality.
 */
export function authoriseTask(ctx: JourneyContext, me: Me, payload: ActionPayload): { def: NetworkDefinition; found: { gathering: Gathering; task: Task }; seat: Seat } {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const def = me.seats.find((s) => s.network.id === payload.n)?.network ?? me.organiserOf.find((n) => n.id === payload.n);
  const found = def ? findTask(def, payload.g, payload.t) : undefined;
  if (!def || !found) throw new JourneyRefusal(t('task_more.gone'));
  const seat = payload.m ? findSeat(me, def.id, payload.m) : undefined;
  if (!seat || !isTaskFor(found.task, seat.membership.roles)) {
    throw new JourneyRefusal(t('task_more.not_yours', { municipality: seat?.municipality.name ?? payload.m ?? '' }));
  }
  return { def, found, seat };
}

/** The comment form for a task button, prefilled with the person's current answer. Refused like answerTask. */
export async function openTaskComment(ctx: JourneyContext, me: Me, payload: ActionPayload): Promise<FormDraft> {
  const { def, found, seat } = authoriseTask(ctx, me, payload);
  const current = (await ctx.store.listTaskCompletions(def.id, found.gathering.id)).find(
    (c) => c.task === found.task.id && c.municipality === seat.municipality.id && c.email === me.email,
  );
  return taskCommentForm(ctx, me, { a: 'task.comment', n: def.id, g: found.gathering.id, t: found.task.id, m: seat.municipality.id }, current);
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
