/**
 * How Samla answers a person in Slack after it has acknowledged their request, and what it says
 * when something fails:
 *
 * - through the request's `response_url` when there is one (slash commands, buttons in messages):
 *   ephemeral by default, `inChannel` for answers the channel should see, `replace` to replace
 *   the message the button was in;
 * - else as a DM (a button in the App Home has no response_url): chat.postMessage to the user.
 *
 * A JourneyRefusal is told as its own message; anything else (Redis down, a Slack failure) as
 * `errors.unavailable` ("nothing was saved, try again in a minute"), and logged.
 */
import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { message, text, type MessageDraft } from '../../src/core/drafts.ts';
import { JourneyRefusal } from '../../src/core/journeys/context.ts';
import type { Locale } from '../../src/core/model.ts';
import type { Texts } from '../../src/core/texts.ts';
import { IdentityUnavailable } from './identity.ts';
import { renderMessage } from './render.ts';

export interface ReplyOptions {
  /** Replace the message whose button was clicked (response_url only). */
  replace?: boolean;
  /** Visible to everyone in the channel (response_url only); default ephemeral. */
  inChannel?: boolean;
}

export type Reply = (answer: MessageDraft | string, opts?: ReplyOptions) => Promise<void>;

/** A one-paragraph message draft. */
export function plainMessage(t: string): MessageDraft {
  return message(t, text(t));
}

/** Answers through `respond` when the request has a response_url, else by DM; never throws. */
export function replyTo(userId: string, client: webApi.WebClient, respond: RespondFn | undefined, logger: Logger): Reply {
  return async (answer, opts = {}) => {
    const rendered = renderMessage(typeof answer === 'string' ? plainMessage(answer) : answer);
    try {
      if (respond) {
        const res = await respond({
          ...rendered,
          response_type: opts.inChannel ? 'in_channel' : 'ephemeral',
          replace_original: opts.replace ?? false,
        });
        if (res && typeof res === 'object' && 'ok' in res && res.ok === false) throw new Error(`response_url answered HTTP ${res.status}`);
      } else {
        await client.chat.postMessage({ channel: userId, ...rendered });
      }
    } catch (err) {
      logger.warn({ err, user: userId }, 'Could not answer the person in Slack');
    }
  };
}

/** What to tell the person when a journey failed; logs what is not a refusal. */
export function failureText(err: unknown, texts: Texts, locale: Locale, logger: Logger, what: string): string {
  if (err instanceof JourneyRefusal) return err.userMessage;
  logger.error({ err }, `Slack: ${what} failed`);
  // When finding the person failed, the error knows their language better than the caller.
  const known = err instanceof IdentityUnavailable ? err.locale : locale;
  return texts.t(known, 'errors.unavailable');
}
