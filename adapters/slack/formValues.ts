/**
 * A submitted modal's `view.state.values` → the core's FormValues (field id → string or list).
 * Input blocks are rendered with block_id = field id (./render.ts); each element's value is read
 * by its type. Anything else in the state is ignored.
 */
import { z } from 'zod';
import type { FormValues } from '../../src/core/drafts.ts';

const selected = z.object({ value: z.string() }).nullish();

/** One element's state, as Slack sends it in view_submission payloads. */
const elementState = z.union([
  z.object({ type: z.literal('plain_text_input'), value: z.string().nullish() }),
  z.object({ type: z.enum(['static_select', 'radio_buttons', 'external_select']), selected_option: selected }),
  z.object({ type: z.enum(['checkboxes', 'multi_static_select']), selected_options: z.array(z.object({ value: z.string() })).nullish() }),
  z.object({ type: z.literal('datepicker'), selected_date: z.string().nullish() }),
  z.object({ type: z.string() }),
]);

export const stateValuesSchema = z.record(z.string(), z.record(z.string(), elementState));
export type StateValues = z.infer<typeof stateValuesSchema>;

export function readFormValues(values: StateValues): FormValues {
  const out: FormValues = {};
  for (const [blockId, elements] of Object.entries(values)) {
    for (const state of Object.values(elements)) {
      if ('value' in state) out[blockId] = state.value ?? undefined;
      else if ('selected_option' in state) out[blockId] = state.selected_option?.value ?? undefined;
      else if ('selected_options' in state) out[blockId] = (state.selected_options ?? []).map((o) => o.value);
      else if ('selected_date' in state) out[blockId] = state.selected_date ?? undefined;
    }
  }
  return out;
}
