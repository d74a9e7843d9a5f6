/**
 * The status nudge: a project leader whose municipality has not reported status for
 * `status.every` is asked first, kindly, with one button that opens the status form
 * (action `status.open`, the same the `/status` choice uses).
 */
import type { MessageDraft } from '../drafts.ts';
import type { Locale, Municipality, NetworkDefinition } from '../model.ts';
import type { JourneyContext } from '../journeys/context.ts';

const DAY_MS = 24 * 3600 * 1000;

export function statusNudgeMessage(
  ctx: JourneyContext,
  def: NetworkDefinition,
  municipality: Municipality,
  recipient: { name: string; locale: Locale },
  lastStatus: Date | undefined,
  now: Date,
): MessageDraft {
  const t = (key: string, vars?: Record<string, string | number>) => ctx.texts.t(recipient.locale, key, vars);
  const name = recipient.name.split(' ')[0] ?? recipient.name;
  const text = lastStatus
    ? t('scheduler.status_nudge', { name, municipality: municipality.name, days: Math.max(1, Math.floor((now.getTime() - lastStatus.getTime()) / DAY_MS)) })
    : t('scheduler.status_nudge_first', { name, municipality: municipality.name });
  return {
    fallback: text,
    blocks: [
      { type: 'text', text },
      {
        type: 'actions',
        actions: [
          {
            id: 'status.open',
            label: t('scheduler.status_button'),
            payload: { a: 'status.open', n: def.id, m: municipality.id },
            style: 'primary',
            opensForm: true,
          },
        ],
      },
    ],
  };
}
