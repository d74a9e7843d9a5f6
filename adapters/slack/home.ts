/**
 * The App Home tab: on `app_home_opened` (and after a button in it was used) Samla publishes the
 * person's overview with `views.publish`: their municipality and role, the last status, the next
 * gathering and their open tasks (src/core/journeys/overview.ts). Someone Samla does not know
 * sees who to contact instead; a failure shows "try again in a minute".
 */
import type { webApi } from '@slack/bolt';
import type { MessageDraft } from '../../src/core/drafts.ts';
import { overview } from '../../src/core/journeys/overview.ts';
import type { Locale } from '../../src/core/model.ts';
import type { SlackPerson } from './identity.ts';
import { failureText, plainMessage } from './replies.ts';
import { renderHome } from './render.ts';
import type { SlackServices } from './services.ts';

/** Publishes the Home tab for a resolved person. Never throws; failures are logged. */
export async function publishHome(s: SlackServices, client: webApi.WebClient, person: SlackPerson): Promise<void> {
  const locale: Locale = person.kind === 'known' ? person.me.locale : person.locale;
  let draft: MessageDraft;
  try {
    draft = person.kind === 'known' ? await overview(s.journeys, person.me) : plainMessage(person.message);
  } catch (err) {
    draft = plainMessage(failureText(err, s.journeys.texts, locale, s.logger, 'building the App Home'));
  }
  try {
    await client.views.publish({ user_id: person.userId, view: renderHome(draft) });
  } catch (err) {
    s.logger.warn({ err, user: person.userId }, 'Slack: views.publish failed');
  }
}

/** Handles `app_home_opened` for the Home tab (the Messages tab needs nothing). */
export async function onAppHomeOpened(s: SlackServices, client: webApi.WebClient, userId: string, tab: string | undefined): Promise<void> {
  if (tab !== undefined && tab !== 'home') return;
  let person: SlackPerson;
  try {
    person = await s.identity.resolve(s.journeys, client, userId);
  } catch (err) {
    const t = failureText(err, s.journeys.texts, 'nb', s.logger, 'finding the person for the App Home');
    person = { kind: 'unknown', locale: 'nb', message: t, userId };
  }
  await publishHome(s, client, person);
}
