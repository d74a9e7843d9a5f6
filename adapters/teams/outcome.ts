/**
 * What a handled activity leads to, before it is sent: a text or a card as a new message, or a
 * card that replaces the card the person clicked (updated in place).
 */
import type { AdaptiveCard } from './cards.ts';

export type Outcome =
  | { kind: 'text'; text: string }
  | { kind: 'card'; card: AdaptiveCard }
  | { kind: 'update'; card: AdaptiveCard }
  | { kind: 'none' };

export const say = (text: string): Outcome => ({ kind: 'text', text });
export const show = (card: AdaptiveCard): Outcome => ({ kind: 'card', card });
export const replace = (card: AdaptiveCard): Outcome => ({ kind: 'update', card });
