/**
 * Redeliveries: Slack resends an Events API event it thinks was lost (same `event_id`, with
 * `X-Slack-Retry-Num`), and a double-submitted interaction can arrive twice with the same
 * `trigger_id`. The first delivery marks its id in Redis (SET NX with a TTL, see
 * adapters/redis/inbound.ts); later ones are skipped, so nothing is recorded twice.
 *
 * Commands and buttons check after they are acknowledged, so a slow Redis never delays the ack.
 * If Redis cannot say, the delivery is handled (fail open): the journeys' answers are keyed per
 * person and overwrite, so only a short status could be stored twice.
 */
import type { SlackServices } from './services.ts';

/** The id a redelivery would repeat: `event:<event_id>` or `trigger:<trigger_id>`. */
export function deliveryId(body: unknown): string | undefined {
  const b = body as { event_id?: unknown; trigger_id?: unknown } | undefined;
  if (typeof b?.event_id === 'string') return `event:${b.event_id}`;
  if (typeof b?.trigger_id === 'string') return `trigger:${b.trigger_id}`;
  return undefined;
}

/** True unless this delivery was handled before. */
export async function isFirstDelivery(s: SlackServices, body: unknown, retryNum?: number): Promise<boolean> {
  const id = deliveryId(body);
  if (!id) return true;
  try {
    if (await s.inbound.first('slack', id)) return true;
  } catch (err) {
    s.logger.warn({ err, delivery: id }, 'Slack: could not check for a redelivery; handling it');
    return true;
  }
  s.logger.info({ delivery: id, retryNum }, 'Slack: skipped a redelivery');
  return false;
}
