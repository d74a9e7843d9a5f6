/**
 * Card submissions (buttons and forms), answered by the core journeys. Every answer replaces
 * the card that was clicked, showing what was recorded; a form that does not validate comes
 * back with the errors next to the fields and the person's values kept, and nothing is stored.
 *
 * | action (payload `a`)                  | journey                                               |
 * |---------------------------------------|-------------------------------------------------------|
 * | `task.done`, `task.not_yet`           | answerTask with the answer                            |
 * | `task.comment` → `task.comment_submit`| the comment form (taskCommentForm) → answerTask       |
 * | `checkin.answer`                      | answerCheckin with one answer (a button)              |
 * | `checkin.text`, `checkin.open`        | the whole check-in form (checkinForm)                 |
 * | `checkin.submit`                      | answerCheckin with the whole form                     |
 * | `status.open` → `status.submit`       | openStatus for a chosen municipality → submitStatus   |
 * | `reflection.write` → `reflection.submit` | reflectionForm → submitReflection, which asks to confirm a note that seems to hold a fødselsnummer |
 * | `steering.met` → `steering.met_submit` | the "we met" form of a steering-group nudge → logSteeringMeeting |
 *
 * A refusal (JourneyRefusal) is thrown on to the turn, which tells the person why.
 */
import type { DraftBlock, FormValues } from '../../src/core/drafts.ts';
import { answerCheckin, checkinForm } from '../../src/core/journeys/checkin.ts';
import { JourneyRefusal, findSeat, type JourneyContext, type Me } from '../../src/core/journeys/context.ts';
import { reflectionForm, submitReflection } from '../../src/core/journeys/reflection.ts';
import { openStatus, submitStatus } from '../../src/core/journeys/status.ts';
import { logSteeringMeeting, openSteeringMetForm } from '../../src/core/journeys/steeringMeeting.ts';
import { answerTask, findTask, taskCommentForm } from '../../src/core/journeys/tasks.ts';
import type { StatusReport } from '../../src/core/model.ts';
import { type AdaptiveCard, blockElements, formCard, messageCard, textCard } from './cards.ts';
import { TASKS_VIEW, fixErrorsTexts, tasksCard } from './commands.ts';
import { type Outcome, replace, say } from './outcome.ts';
import type { Submission } from './submission.ts';

export async function answerSubmission(ctx: JourneyContext, me: Me, sub: Submission): Promise<Outcome> {
  const { payload, values, view } = sub;
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(me.locale, key, vars);
  const formOpts = (extra: { errors?: Record<string, string>; values?: FormValues } = {}) => ({ ...extra, texts: fixErrorsTexts(ctx, me), ...(view ? { view } : {}) });

  switch (payload.a) {
    case 'task.done':
    case 'task.not_yet': {
      const result = await answerTask(ctx, me, payload, { answer: payload.a === 'task.done' ? 'done' : 'not_yet' });
      if (result.kind === 'invalid') return say(Object.values(result.errors).join(' '));
      return replace(view === TASKS_VIEW ? await tasksCard(ctx, me, recordedBlocks(result.message.blocks)) : messageCard(result.message));
    }
    case 'task.comment': {
      assertTask(ctx, me, payload.n, payload.g, payload.t);
      const current = (await ctx.store.listTaskCompletions(payload.n, payload.g!)).find(
        (c) => c.task === payload.t && c.municipality === payload.m && c.email === me.email,
      );
      return replace(formCard(taskCommentForm(ctx, me, payload, current), formOpts()));
    }
    case 'task.comment_submit': {
      const result = await answerTask(ctx, me, payload, { values });
      if (result.kind === 'invalid') return replace(formCard(taskCommentForm(ctx, me, payload), formOpts({ errors: result.errors, values })));
      return replace(view === TASKS_VIEW ? await tasksCard(ctx, me, recordedBlocks(result.message.blocks)) : messageCard(result.message));
    }
    case 'checkin.answer': {
      if (!payload.q || !payload.v) return say(t('teams.invalid_submission'));
      const result = await answerCheckin(ctx, me, payload, { [payload.q]: payload.v });
      if (result.kind === 'invalid') return say(Object.values(result.errors).join(' '));
      return replace(messageCard(result.message));
    }
    case 'checkin.text':
    case 'checkin.open':
      return replace(formCard(await checkinFormFor(ctx, me, payload.n, payload.g, payload.m), formOpts()));
    case 'checkin.submit': {
      const result = await answerCheckin(ctx, me, payload, values);
      if (result.kind === 'invalid') {
        return replace(formCard(await checkinFormFor(ctx, me, payload.n, payload.g, payload.m), formOpts({ errors: result.errors, values })));
      }
      return replace(messageCard(result.message));
    }
    case 'status.open': {
      const opening = await openStatus(ctx, me, payload.m ? { network: payload.n, municipality: payload.m } : undefined);
      if (opening.kind === 'form') return replace(formCard(opening.form, formOpts()));
      if (opening.kind === 'choose') return replace(messageCard(opening.message));
      return say(opening.message);
    }
    case 'status.submit': {
      const result = await submitStatus(ctx, me, payload, values);
      if (result.kind === 'saved') return replace(statusRecordedCard(ctx, me, result.report, result.message));
      const opening = await openStatus(ctx, me, { network: payload.n, municipality: payload.m ?? '' });
      if (opening.kind !== 'form') return say(opening.kind === 'refused' ? opening.message : t('teams.invalid_submission'));
      return replace(formCard(opening.form, formOpts({ errors: result.errors, values })));
    }
    case 'reflection.write':
      return replace(formCard(reflectionForm(ctx, me.locale, payload), formOpts()));
    case 'reflection.submit': {
      const result = await submitReflection(ctx, me, payload, values);
      if (result.kind === 'saved') return replace(textCard(result.message));
      if (result.kind === 'confirm') return replace(formCard(result.form, formOpts()));
      const warned = 'confirm' in values;
      return replace(formCard(reflectionForm(ctx, me.locale, payload, values, warned), formOpts({ errors: result.errors, values })));
    }
    case 'steering.met':
      return replace(formCard(openSteeringMetForm(ctx, me, payload), formOpts()));
    case 'steering.met_submit': {
      const result = await logSteeringMeeting(ctx, me, payload, values);
      if (result.kind === 'saved') return replace(textCard(result.message));
      return replace(formCard(openSteeringMetForm(ctx, me, payload), formOpts({ errors: result.errors, values })));
    }
    default:
      return say(t('teams.unknown_action'));
  }
}

/** The "what was recorded" lines of a task message (the blocks after its buttons). */
function recordedBlocks(blocks: DraftBlock[]): DraftBlock[] {
  const header = blocks.find((b) => b.type === 'header');
  const after = blocks.slice(blocks.findIndex((b) => b.type === 'actions') + 1);
  return [...(header ? [header] : []), ...after, { type: 'divider' }];
}

function assertTask(ctx: JourneyContext, me: Me, network: string, gathering?: string, task?: string): void {
  const def = me.seats.find((s) => s.network.id === network)?.network;
  if (!def || !findTask(def, gathering, task)) throw new JourneyRefusal(ctx.texts.t(me.locale, 'task_more.gone'));
}

/** The check-in form of one gathering, prefilled with the person's earlier answers. */
async function checkinFormFor(ctx: JourneyContext, me: Me, network: string, gatheringId?: string, municipality?: string) {
  const seat = municipality ? findSeat(me, network, municipality) : undefined;
  const gathering = seat?.network.gatherings.find((g) => g.id === gatheringId);
  if (!seat || !gathering) {
    throw new JourneyRefusal(ctx.texts.t(me.locale, 'checkin_more.not_yours', { gathering: gathering?.title ?? gatheringId ?? '' }));
  }
  const answer = (await ctx.store.listCheckins(network, gathering.id)).find((a) => a.municipality === seat.municipality.id && a.email === me.email);
  return checkinForm(ctx, seat.network, gathering, me.locale, seat.municipality.id, answer);
}

/** The status card after saving: the thank-you line and every field as recorded. */
export function statusRecordedCard(ctx: JourneyContext, me: Me, report: StatusReport, message: string): AdaptiveCard {
  const t = (key: string) => ctx.texts.t(me.locale, key);
  const none = '—';
  const facts = [
    { label: t('status_form.overall'), value: report.overall ? t(`status.${report.overall}`) : none },
    { label: t('status_form.done'), value: report.done ?? none },
    { label: t('status_form.next'), value: report.next ?? none },
    { label: t('status_form.blockers'), value: report.blockers ?? none },
    { label: t('status_form.plan_parts'), value: report.planParts?.length ? report.planParts.map((p) => t(`status_form.${p}`)).join(', ') : none },
    { label: t('status_form.steering_met'), value: report.steeringMet === undefined ? none : t(report.steeringMet ? 'status_form.yes' : 'status_form.no') },
  ];
  const card = textCard(message);
  card.body.push(...blockElements([{ type: 'facts', facts }]));
  return card;
}
