/**
 * Block Kit limits Samla renders within (https://docs.slack.dev/reference/block-kit). Text over a
 * limit is cut visibly (ending with "…"); blocks over a limit are dropped and the last block
 * says how many were left out.
 */
export const LIMITS = {
  messageBlocks: 50,
  viewBlocks: 100,
  sectionText: 3000,
  contextText: 3000,
  fields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  actionsElements: 25,
  actionId: 255,
  blockId: 255,
  optionText: 75,
  optionValue: 150,
  radioOptions: 10,
  checkboxOptions: 10,
  selectOptions: 100,
  inputLabel: 2000,
  placeholder: 150,
  textInputMax: 3000,
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  /** chat.postMessage truncates `text` at 40,000; a fallback is a notification line, so keep it short. */
  fallbackText: 3000,
} as const;
