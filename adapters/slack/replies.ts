/**
 * How Samla answers a person in Slack after it has acknowledged their request:
 *
 * - through the request's `response_url` when there is one (slash commands, buttons in messages):
 *   ephemeral by default, `inChannel` for answers the channel should see, `replace` to replace
 *   the message the button was in;
 * - else as a DM (a button in the App Home has no response_url): chat.postMessage to the user.
 */
import type { RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { message, text, type MessageDraft } from '../../src/core/drafts.ts';
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
