/**
 * Buttons (`block_actions`), run after the click was acknowledged. The button's value is the
 * ActionPayload JSON (./render.ts); the journey decides, Slack only shows the outcome:
 *
 * - task.done / task.not_yet, checkin.answer: record, then show the message as it now is, in
 *   place (chat.update on the container's channel + ts; the response_url for an ephemeral
 *   message; views.publish when the button was in the App Home);
 * - task.comment, checkin.text, reflection.write, status.open: open the form (views.open with
 *   the click's trigger_id; the form remembers which message to update);
 * - status.short: save the short status for the chosen municipality;
 * - steering.met: the "we met" form of a steering-group nudge (openSteeringMetForm), often
 *   clicked in the steering group's channel.
 */
import type { RespondFn, webApi } from '@slack/bolt';
import type { ActionPayload, FormDraft, MessageDraft } from '../../src/core/drafts.ts';
import { answerCheckin, openCheckinForm } from '../../src/core/journeys/checkin.ts';
import type { Me } from '../../src/core/journeys/context.ts';
import { openReflection } from '../../src/core/journeys/reflection.ts';
import { openStatus, submitShortStatus } from '../../src/core/journeys/status.ts';
import { openSteeringMetForm } from '../../src/core/journeys/steeringMeeting.ts';
import { answerTask, openTaskComment } from '../../src/core/journeys/tasks.ts';
import type { Locale } from '../../src/core/model.ts';
import { publishHome } from './home.ts';
import { actionPayloadSchema, blockActionsSchema, parseJson, type BlockActions } from './payloads.ts';
import { failureText, replyTo, type Reply } from './replies.ts';
import { renderForm, renderMessage, type ViewMetadata } from './render.ts';
import type { SlackServices } from './services.ts';

interface Click {
  body: BlockActions;
  payload: ActionPayload;
  me: Me;
  client: webApi.WebClient;
  reply: Reply;
  /** The (non-ephemeral) message the button is in. */
  origin?: ViewMetadata['origin'];
}

/** Handles one block_actions body (already acknowledged). Never throws. */
export async function onBlockAction(s: SlackServices, client: webApi.WebClient, body: unknown, respond: RespondFn | undefined): Promise<void> {
  const parsed = blockActionsSchema.safeParse(body);
  const userId = parsed.success ? parsed.data.user.id : undefined;
  const payload = parsed.success ? parseJson(actionPayloadSchema, parsed.data.actions[0]!.value) : undefined;
  if (!parsed.success || !payload || !userId) {
    s.logger.warn({ issues: parsed.success ? 'bad action value' : parsed.error.issues }, 'Slack: a button click with an unexpected shape');
    if (respond) await replyTo('', client, respond, s.logger)(s.journeys.texts.t('nb', 'slack.bad_request'));
    return;
  }
  const reply = replyTo(userId, client, respond, s.logger);
  let locale: Locale = 'nb';
  try {
    const person = await s.identity.resolve(s.journeys, client, userId);
    if (person.kind === 'unknown') return await reply(person.message);
    locale = person.me.locale;
    const c = parsed.data.container;
    const origin = c?.type === 'message' && c.channel_id && c.message_ts && !c.is_ephemeral ? { channel: c.channel_id, ts: c.message_ts } : undefined;
    await runAction(s, { body: parsed.data, payload, me: person.me, client, reply, ...(origin ? { origin } : {}) });
  } catch (err) {
    await reply(failureText(err, s.journeys.texts, locale, s.logger, `the button ${payload.a}`));
  }
}

async function runAction(s: SlackServices, click: Click): Promise<void> {
  const { payload, me } = click;
  const ctx = s.journeys;
  switch (payload.a) {
    case 'task.done':
    case 'task.not_yet': {
      const r = await answerTask(ctx, me, payload, { answer: payload.a === 'task.done' ? 'done' : 'not_yet' });
      return r.kind === 'saved' ? showInPlace(s, click, r.message) : click.reply(Object.values(r.errors).join(' '));
    }
    case 'checkin.answer': {
      const r = await answerCheckin(ctx, me, payload, payload.q ? { [payload.q]: payload.v } : {});
      return r.kind === 'saved' ? showInPlace(s, click, r.message) : click.reply(Object.values(r.errors).join(' '));
    }
    case 'task.comment':
      return openForm(click, await openTaskComment(ctx, me, payload));
    case 'checkin.text':
      return openForm(click, await openCheckinForm(ctx, me, payload));
    case 'reflection.write':
      return openForm(click, openReflection(ctx, me, payload));
    case 'status.open': {
      const opening = await openStatus(ctx, me, payload.m ? { network: payload.n, municipality: payload.m } : undefined);
      return opening.kind === 'form' ? openForm(click, opening.form) : click.reply(opening.message);
    }
    case 'steering.met':
      return openForm(click, openSteeringMetForm(ctx, me, payload));
    case 'status.short': {
      const r = await submitShortStatus(ctx, me, payload.v ?? '', payload.m ? { network: payload.n, municipality: payload.m } : undefined);
      if (r.kind === 'form') return openForm(click, r.form);
      return click.reply(r.message, { replace: r.kind === 'saved' });
    }
    default:
      s.logger.warn({ action: payload.a }, 'Slack: a button Samla does not know');
      return click.reply(ctx.texts.t(me.locale, 'slack.bad_request'));
  }
}

/** Opens a form as a modal; the trigger_id of the click is valid for 3 seconds. */
async function openForm(click: Click, form: FormDraft): Promise<void> {
  await click.client.views.open({ trigger_id: click.body.trigger_id, view: renderForm(form, click.origin) });
}

/** Shows the message as it now is where the button was: the message itself, or the App Home. */
async function showInPlace(s: SlackServices, click: Click, draft: MessageDraft): Promise<void> {
  if (click.origin) {
    await click.client.chat.update({ channel: click.origin.channel, ts: click.origin.ts, ...renderMessage(draft) });
  } else if (click.body.container?.type === 'view') {
    await publishHome(s, click.client, { kind: 'known', me: click.me, userId: click.body.user.id });
  } else {
    await click.reply(draft, { replace: true });
  }
}
