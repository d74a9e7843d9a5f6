/**
 * Zod schemas for the parts of Slack's inbound payloads Samla uses. Bolt has checked the signature
 * and parsed the body (form fields for slash commands, the `payload=` JSON for interactivity, JSON
 * for the Events API); these check the shape before anything is read. Unknown keys are dropped.
 *
 * Wire formats: https://docs.slack.dev/interactivity/implementing-slash-commands,
 * .../reference/interaction-payloads/block_actions-payload, .../view-interactions-payload,
 * .../reference/events/app_home_opened.
 */
import { z } from 'zod';
import { inboundPayloadSchema } from '../../src/core/dispatch/intent.ts';
import { stateValuesSchema } from './formValues.ts';

const id = z.string().min(1).max(255);
const shortText = z.string().max(255);

/** A slash command's form fields. */
export const slashCommandSchema = z.object({
  command: z.string().regex(/^\/\S+$/),
  text: z.string().max(12000).default(''),
  user_id: id,
  channel_id: id,
  trigger_id: id,
  response_url: z.url().optional(),
});
export type SlashCommand = z.infer<typeof slashCommandSchema>;

/** A `block_actions` payload: one button click in a message or in the App Home. */
export const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id }),
  trigger_id: id,
  response_url: z.url().optional(),
  container: z
    .object({
      type: z.string(),
      channel_id: id.optional(),
      message_ts: id.optional(),
      is_ephemeral: z.boolean().optional(),
    })
    .optional(),
  channel: z.object({ id }).optional(),
  message: z.object({ ts: id }).optional(),
  actions: z
    .array(z.object({ action_id: id, block_id: id.optional(), type: z.string(), value: z.string().max(2000).optional() }))
    .min(1),
});
export type BlockActions = z.infer<typeof blockActionsSchema>;

/** `private_metadata` of a Samla modal (see ViewMetadata in ./render.ts); the payload as the core reads it. */
export const viewMetadataSchema = z.object({
  payload: inboundPayloadSchema,
  origin: z.object({ channel: id, ts: id }).optional(),
});

/** A `view_submission` payload: a modal's submit button. */
export const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id }),
  trigger_id: id.optional(),
  view: z.object({
    id,
    callback_id: z.string().max(255),
    private_metadata: z.string().max(3000),
    state: z.object({ values: stateValuesSchema }),
  }),
});
export type ViewSubmission = z.infer<typeof viewSubmissionSchema>;

/** An Events API `app_home_opened` event (the envelope's `event`). */
export const appHomeOpenedSchema = z.object({
  type: z.literal('app_home_opened'),
  user: id,
  tab: z.string().optional(),
});

/** Where a payload checked by the app's first middleware is kept in Bolt's per-request context. */
const CHECKED = 'samlaCheckedPayload';

/** Keeps `data`, the result of checking this request's body with `schema`, for its listener. */
export function rememberChecked(context: Record<string, unknown>, schema: z.ZodType, data: unknown): void {
  context[CHECKED] = { schema, data };
}

/** The body as already checked with `schema` for this request (parsing it again would give the same), if it was. */
export function checkedWith<T>(context: Record<string, unknown>, schema: z.ZodType<T>): T | undefined {
  const checked = context[CHECKED] as { schema: z.ZodType; data: unknown } | undefined;
  return checked?.schema === schema ? (checked.data as T) : undefined;
}

/** Parses JSON and checks it against a schema; undefined when either fails. */
export function parseJson<T>(schema: z.ZodType<T>, text: string | undefined): T | undefined {
  if (text === undefined) return undefined;
  try {
    const r = schema.safeParse(JSON.parse(text));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}
