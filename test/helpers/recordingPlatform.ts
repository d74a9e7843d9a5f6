/**
 * A ChatPlatform that records what it is asked to send, for scheduler tests: every call is kept
 * with the fake clock's time and the real time, and each accepted message gets a unique message
 * id, so a test can match platform calls to the SentRefs the scheduler recorded. `failWith`
 * scripts failures (a DeliveryError, or undefined to accept).
 */
import type { MessageDraft } from '../../src/core/drafts.ts';
import type { Platform } from '../../src/core/model.ts';
import type { ChatPlatform, DeliveryError, SentRef } from '../../src/core/ports.ts';

export interface RecordedCall {
  email: string;
  draft: MessageDraft;
  /** The fake clock's time when it was sent. */
  at: Date;
  /** Real time (ms), for pacing. */
  realMs: number;
  /** The message id given when accepted; undefined when the call failed. */
  message?: string;
  error?: string;
}

let counter = 0;

export class RecordingPlatform implements ChatPlatform {
  readonly calls: RecordedCall[] = [];
  /** Return a DeliveryError to fail the call (n is the number of earlier calls for this email). */
  failWith: ((email: string, draft: MessageDraft, n: number) => DeliveryError | undefined) | undefined;

  constructor(
    readonly platform: Platform,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async sendToPerson(email: string, draft: MessageDraft): Promise<SentRef> {
    const n = this.calls.filter((c) => c.email === email).length;
    const call: RecordedCall = { email, draft, at: this.clock(), realMs: Date.now() };
    this.calls.push(call);
    const err = this.failWith?.(email, draft, n);
    if (err) {
      call.error = err.message;
      throw err;
    }
    call.message = `m${++counter}`;
    return { platform: this.platform, conversation: `D-${email}`, message: call.message };
  }

  async sendToChannel(channel: string, draft: MessageDraft): Promise<SentRef> {
    return this.sendToPerson(`#${channel}`, draft);
  }

  async update(): Promise<void> {}

  /** Calls the platform accepted. */
  get accepted(): RecordedCall[] {
    return this.calls.filter((c) => c.message !== undefined);
  }

  /** Accepted calls to one person. */
  to(email: string): RecordedCall[] {
    return this.accepted.filter((c) => c.email === email);
  }
}

/** The visible text of a draft (fallback and text blocks), for assertions. */
export function draftText(d: MessageDraft): string {
  return [d.fallback, ...d.blocks.map((b) => ('text' in b ? b.text : 'facts' in b ? b.facts.map((f) => `${f.label}: ${f.value}`).join('\n') : ''))].join('\n');
}
