/**
 * What a card button or form sends back, validated with zod.
 *
 * Teams delivers a card action in one of two documented shapes:
 * - `Action.Submit`: a `message` activity without text whose `value` is the action's `data`
 *   merged with the card's input values (keyed by input id), and whose `replyToId` is the card's
 *   activity id;
 * - `Action.Execute` (Universal Actions): an `invoke` activity named `adaptiveCard/action` whose
 *   `value.action.data` holds the same merged object.
 * Both carry Samla's ActionPayload under `samla` (an object, or the same as a JSON string).
 */
import { z } from 'zod';
import { inboundPayloadSchema as actionPayloadSchema, type InboundPayload } from '../../src/core/dispatch/intent.ts';
import type { FormValues } from '../../src/core/drafts.ts';
import { MULTI_KEY, PAYLOAD_KEY, VIEW_KEY } from './cards.ts';

/** One submitted input: Teams sends strings; numbers and booleans are accepted as their text. */
const inputValue = z.union([z.string().max(20_000), z.number(), z.boolean(), z.array(z.string().max(20_000)).max(50)]);

const submittedData = z
  .object({
    [PAYLOAD_KEY]: z.union([actionPayloadSchema, z.string().max(2000)]),
    [MULTI_KEY]: z.union([z.string().max(500), z.array(z.string().max(100)).max(20)]).optional(),
    [VIEW_KEY]: z.string().max(32).optional(),
  })
  .catchall(z.unknown());

export const invokeValueSchema = z.object({
  action: z.object({
    type: z.string().max(64),
    verb: z.string().max(200).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
  trigger: z.string().max(32).optional(),
});

export interface Submission {
  payload: InboundPayload;
  values: FormValues;
  /** The view the card was shown in (cards.ts VIEW_KEY), e.g. "tasks". */
  view?: string;
}

export type SubmissionResult = { ok: true; submission: Submission } | { ok: false; reason: string };

/**
 * Reads a submitted `data` object: the payload, the view, and every other key as a form value.
 * Fields named in `samla_multi` become lists; empty inputs count as not given.
 */
export function parseSubmission(data: unknown): SubmissionResult {
  const parsed = submittedData.safeParse(data);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ') };
  const raw = parsed.data[PAYLOAD_KEY];
  let payloadInput: unknown = raw;
  if (typeof raw === 'string') {
    try {
      payloadInput = JSON.parse(raw);
    } catch {
      return { ok: false, reason: `${PAYLOAD_KEY}: not JSON` };
    }
  }
  const payload = actionPayloadSchema.safeParse(payloadInput);
  if (!payload.success) return { ok: false, reason: payload.error.issues.map((i) => `${PAYLOAD_KEY}.${i.path.join('.')}: ${i.message}`).join('; ') };
  const multiRaw = parsed.data[MULTI_KEY];
  const multi = new Set(typeof multiRaw === 'string' ? multiRaw.split(',').filter(Boolean) : (multiRaw ?? []));
  const values: FormValues = {};
  let count = 0;
  for (const [key, value] of Object.entries(parsed.data)) {
    if (key === PAYLOAD_KEY || key === MULTI_KEY || key === VIEW_KEY) continue;
    if (++count > 50) return { ok: false, reason: 'too many fields' };
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key)) continue;
    const v = inputValue.safeParse(value);
    if (!v.success) return { ok: false, reason: `${key}: ${v.error.issues[0]?.message ?? 'not a form value'}` };
    const text = Array.isArray(v.data) ? v.data : String(v.data);
    if (multi.has(key)) {
      const items = (Array.isArray(text) ? text : text.split(',')).map((s) => s.trim()).filter(Boolean);
      if (items.length) values[key] = items;
    } else {
      const s = Array.isArray(text) ? text[0] : text;
      if (s !== undefined && s !== '') values[key] = s;
    }
  }
  const view = parsed.data[VIEW_KEY];
  return { ok: true, submission: { payload: payload.data, values, ...(view ? { view } : {}) } };
}
