/**
 * What an adapter hands the core (an Inbound: who, where, which event, and the intent) and what it
 * gets back (an Outcome to render). Adapters verify and parse a platform request into this; the
 * dispatcher (./dispatcher.ts) decides everything else.
 */
import { z } from 'zod';
import type { FormDraft, FormValues, MessageDraft } from '../drafts.ts';
import type { Locale, Platform } from '../model.ts';

/** Ids (network, gathering, task, municipality, question) go into Redis keys: no spaces or braces. */
const id = z.string().regex(/^[^\s{}]{1,200}$/, 'not an id');

/**
 * A button's or form's payload as it comes back from a platform. `a` is checked against the
 * known actions by the dispatcher (an old card may carry an action Samla no longer has).
 */
export const inboundPayloadSchema = z.object({
  a: z.string().regex(/^[a-z_]+(\.[a-z_]+)*$/, 'not an action name').max(64),
  n: id,
  g: id.optional(),
  t: id.optional(),
  m: id.optional(),
  q: id.optional(),
  /** A chosen value (a check-in option may hold spaces; a short status rides here too). */
  v: z.string().min(1).max(2000).optional(),
});
export type InboundPayload = z.infer<typeof inboundPayloadSchema>;

/** Where the person is talking to Samla. */
export interface Place {
  /** A one-to-one chat with Samla, a channel (or team), or a group chat. */
  conversation: 'personal' | 'channel' | 'group';
  /** The channel id, for linking a steering group to it. */
  channel?: string;
  /** Only this person sees the answer (a Slack ephemeral reply, a personal chat). */
  private: boolean;
}

export type Intent =
  /** Typed text: a Teams message, a Slack slash command's text ("status …" for `/status …`). */
  | { kind: 'command'; text: string }
  /** A button or a form's submit button; `values` are the form's inputs. */
  | { kind: 'action'; payload: InboundPayload; values?: FormValues; view?: string }
  /** The person's overview (Slack's App Home). */
  | { kind: 'home' };

/** How to ask the platform who a user is, when the identity cache does not know. */
export interface PlatformDirectory {
  /**
   * The emails the platform knows this user by (profile email, then sign-in name), and their
   * language as the platform has it. Undefined when the platform does not know the user (or it
   * is a bot, or deactivated). `authoritative`: the user's one email is who they are (Slack's
   * profile email), so it is cached even before a network knows it; otherwise (Teams' email or
   * sign-in name) only a candidate a network knows is cached.
   */
  lookup(): Promise<{ emails: string[]; locale?: Locale; key?: string; authoritative?: boolean } | undefined>;
  /**
   * Whether this platform user may be the person known by `email` at all (Teams: the person's
   * municipality names a tenant, and the user writes from another). Asked for a cached identity
   * and for every candidate; a refused email is someone else. Absent: any.
   */
  accepts?(email: string): Promise<boolean>;
}

export interface Inbound {
  platform: Platform;
  /** The platform's user id, and the key the identity cache knows them by (Teams: the AAD object id). */
  user: { id: string; key?: string };
  /** The platform's id of this delivery; a second delivery with the same id changes nothing. */
  eventId?: string;
  /** The platform's language tag for the person ("nb-NO", "en-US"), when it sends one. */
  localeTag?: string;
  place: Place;
  intent: Intent;
  directory: PlatformDirectory;
}

/**
 * What to show. An adapter renders it; it never decides again:
 *
 * - `message`: a message; `replace` puts it in place of the message whose button was pressed;
 *   `view` is carried in its buttons so an answer can redraw the same view (the task list);
 * - `text`: one sentence (an answer, a refusal, a failure); `replace` as for a message;
 * - `form`: a form to fill in; with `errors` (and the submitted `values`) after a submission
 *   that did not validate (nothing was stored);
 * - `recorded`: a form's answer was stored; with `notice` the confirmation is that sentence and
 *   `message` its details, without it `message` is the message the form came from, as it now is;
 * - `linked`: a steering group was linked to `channel`; the confirmation belongs in the channel;
 * - `none`: nothing to say (a redelivery of something already handled).
 */
export type Outcome =
  | { kind: 'message'; message: MessageDraft; replace?: boolean; view?: string }
  | { kind: 'text'; text: string; replace?: boolean }
  | { kind: 'form'; form: FormDraft; errors?: Record<string, string>; values?: FormValues }
  | { kind: 'recorded'; message: MessageDraft; notice?: string; view?: string }
  | { kind: 'linked'; text: string; channel: string; inviteHint: string }
  | { kind: 'none'; reason: 'duplicate' };

/** The outcome, with who it was for (when known) and the language it is in. */
export interface Dispatched {
  outcome: Outcome;
  locale: Locale;
  /** The person, when Samla knows them. */
  person?: { email: string; locale: Locale; networks: string[] };
}
