/**
 * Modal submissions (`view_submission`). Unlike commands and buttons, the answer to a submission
 * IS the acknowledgement, so the journey runs first (a few Redis calls, well inside Slack's 3
 * seconds) and the result becomes the ack:
 *
 * - invalid fields → `response_action: "errors"` (an error under each field; nothing stored);
 * - a reflection note that seems to hold an identity number → `response_action: "update"` with
 *   the warning form (nothing stored until confirmed);
 * - saved status / note / steering-group meeting ("we met") → `update` to a notice that says so;
 *   saved task comment / check-in → the modal closes and the message the form came from is
 *   updated in place;
 * - a refusal or a failure → `update` to a notice with what to do.
 */
import type { types, webApi } from '@slack/bolt';
import type { FormValues, MessageDraft } from '../../src/core/drafts.ts';
import { answerCheckin } from '../../src/core/journeys/checkin.ts';
import type { Me } from '../../src/core/journeys/context.ts';
import { submitReflection } from '../../src/core/journeys/reflection.ts';
import { submitStatus } from '../../src/core/journeys/status.ts';
import { logSteeringMeeting } from '../../src/core/journeys/steeringMeeting.ts';
import { answerTask } from '../../src/core/journeys/tasks.ts';
import type { Locale } from '../../src/core/model.ts';
import { readFormValues } from './formValues.ts';
import { parseJson, viewMetadataSchema, viewSubmissionSchema } from './payloads.ts';
import { failureText } from './replies.ts';
import { renderErrors, renderForm, renderMessage, renderNotice, type ViewMetadata } from './render.ts';
import type { SlackServices } from './services.ts';

/** What to acknowledge a view_submission with (undefined closes the modal). */
export type SubmissionAck =
  | undefined
  | { response_action: 'errors'; errors: Record<string, string> }
  | { response_action: 'update'; view: types.ModalView };

/** Work to do after the ack (updating the message the form came from). */
export type AfterAck = (() => Promise<void>) | undefined;

/** Runs a submission; returns the ack and what to do after it. Never throws. */
export async function onViewSubmission(s: SlackServices, client: webApi.WebClient, body: unknown): Promise<{ ack: SubmissionAck; after?: AfterAck }> {
  const notice = (locale: Locale, text: string): SubmissionAck => ({
    response_action: 'update',
    view: renderNotice(s.journeys.texts.t(locale, 'home.title'), text),
  });
  const parsed = viewSubmissionSchema.safeParse(body);
  const meta = parsed.success ? parseJson(viewMetadataSchema, parsed.data.view.private_metadata) : undefined;
  if (!parsed.success || (!meta && parsed.data.view.callback_id !== 'notice')) {
    s.logger.warn({ issues: parsed.success ? 'bad private_metadata' : parsed.error.issues }, 'Slack: a modal submission with an unexpected shape');
    return { ack: notice('nb', s.journeys.texts.t('nb', 'slack.bad_request')) };
  }
  const view = parsed.data.view;
  if (view.callback_id === 'notice' || !meta) return { ack: undefined };
  let locale: Locale = 'nb';
  try {
    const person = await s.identity.resolve(s.journeys, client, parsed.data.user.id);
    if (person.kind === 'unknown') return { ack: notice(person.locale, person.message) };
    locale = person.me.locale;
    const values = readFormValues(view.state.values);
    return await runSubmission(s, client, view.callback_id, meta, person.me, values, Object.keys(view.state.values), notice);
  } catch (err) {
    return { ack: notice(locale, failureText(err, s.journeys.texts, locale, s.logger, `the form ${view.callback_id}`)) };
  }
}

async function runSubmission(
  s: SlackServices,
  client: webApi.WebClient,
  formId: string,
  meta: ViewMetadata,
  me: Me,
  values: FormValues,
  inputs: string[],
  notice: (locale: Locale, text: string) => SubmissionAck,
): Promise<{ ack: SubmissionAck; after?: AfterAck }> {
  const ctx = s.journeys;
  const updateOrigin = (draft: MessageDraft): AfterAck =>
    meta.origin
      ? async () => {
          try {
            await client.chat.update({ channel: meta.origin!.channel, ts: meta.origin!.ts, ...renderMessage(draft) });
          } catch (err) {
            s.logger.warn({ err }, 'Slack: could not update the message a form came from');
          }
        }
      : undefined;
  switch (formId) {
    case 'status': {
      const r = await submitStatus(ctx, me, meta.payload, values);
      return { ack: r.kind === 'invalid' ? renderErrors(r, inputs) : notice(me.locale, r.message) };
    }
    case 'reflection': {
      const r = await submitReflection(ctx, me, meta.payload, values);
      if (r.kind === 'invalid') return { ack: renderErrors(r, inputs) };
      if (r.kind === 'confirm') return { ack: { response_action: 'update', view: renderForm(r.form, meta.origin) } };
      return { ack: notice(me.locale, r.message) };
    }
    case 'task.comment': {
      const r = await answerTask(ctx, me, meta.payload, { values });
      return r.kind === 'invalid' ? { ack: renderErrors(r, inputs) } : { ack: undefined, after: updateOrigin(r.message) };
    }
    case 'checkin': {
      const r = await answerCheckin(ctx, me, meta.payload, values);
      return r.kind === 'invalid' ? { ack: renderErrors(r, inputs) } : { ack: undefined, after: updateOrigin(r.message) };
    }
    case 'steering.met': {
      const r = await logSteeringMeeting(ctx, me, meta.payload, values);
      return { ack: r.kind === 'invalid' ? renderErrors(r, inputs) : notice(me.locale, r.message) };
    }
    default:
      s.logger.warn({ form: formId }, 'Slack: a form Samla does not know');
      return { ack: notice(me.locale, ctx.texts.t(me.locale, 'slack.bad_request')) };
  }
}
