/**
 * The local chat page (demo mode): pick who you are, talk to Samla through Microsoft's Web Chat
 * exactly as in Teams (same Adaptive Cards), and move the demo clock with the time control. The
 * page is rendered here; its behaviour is ./client.js, served as a static file.
 */
import type { Locale, MemberRole, NetworkDefinition } from '../../core/model.ts';
import type { Texts } from '../../core/texts.ts';
import { esc } from '../html.ts';

export interface ChatPageInput {
  locale: Locale;
  texts: Texts;
  networks: NetworkDefinition[];
  /** Why the chat cannot run (Teams is not anonymous), if it cannot. */
  unavailable?: string;
}

/** The texts the browser script needs, in the page's language. */
export const CLIENT_TEXT_KEYS = [
  'chat_as',
  'chat_failed',
  'time_now',
  'time_jump',
  'time_jumping',
  'time_nothing',
  'time_recipients',
  'time_restart_confirm',
  'time_restarted',
  'time_failed',
  'time_kind_task',
  'time_kind_task_reminder',
  'time_kind_checkin',
  'time_kind_checkin_reminder',
  'time_kind_reflection',
  'time_kind_status_nudge',
  'time_kind_digest',
  'time_kind_gathering',
] as const;

function rolesText(texts: Texts, locale: Locale, roles: readonly (MemberRole | 'organiser')[]): string {
  return roles.map((r) => texts.t(locale, `roles.${r}`)).join(', ');
}

export function chatBody(o: ChatPageInput): string {
  const t = (key: string, vars?: Record<string, string | number>) => o.texts.t(o.locale, `web.${key}`, vars);
  const groups = o.networks
    .map((def) => {
      const organisers = `<optgroup label="${esc(`${def.name}: ${t('chat_organisers')}`)}">${def.organisers
        .map((p) => `<option value="${esc(p.email)}">${esc(`${p.name} (${rolesText(o.texts, o.locale, ['organiser'])})`)}</option>`)
        .join('')}</optgroup>`;
      const municipalities = def.municipalities
        .map(
          (m) =>
            `<optgroup label="${esc(`${def.name}: ${m.name}`)}">${m.members
              .map((p) => `<option value="${esc(p.email)}">${esc(`${p.name} (${rolesText(o.texts, o.locale, p.roles)}, ${m.name})`)}</option>`)
              .join('')}</optgroup>`,
        )
        .join('');
      return organisers + municipalities;
    })
    .join('');
  const config = {
    locale: o.locale,
    texts: Object.fromEntries(CLIENT_TEXT_KEYS.map((k) => [k, o.texts.t(o.locale, `web.${k}`)])),
  };
  const chat = o.unavailable
    ? `<div class="empty" role="alert">${esc(o.unavailable)}</div>`
    : `<div id="webchat-status" class="empty">${esc(t('chat_pick_first'))}</div><div id="webchat" role="region" aria-label="${esc(t('chat_region'))}"></div>`;
  return `<div class="chat-layout">
<aside class="side">
  <section class="card">
    <h1>${esc(t('chat_title'))}</h1>
    <p class="muted">${esc(t('chat_intro'))}</p>
    <label for="who">${esc(t('chat_who'))}</label>
    <select id="who"${o.unavailable ? ' disabled' : ''}><option value="">${esc(t('chat_choose'))}</option>${groups}</select>
    <p class="muted" id="who-hint">${esc(t('chat_hint'))}</p>
  </section>
  <section class="card" aria-labelledby="time-h">
    <h2 id="time-h">${esc(t('time_title'))}</h2>
    <p class="muted">${esc(t('time_intro'))}</p>
    <p class="clock" id="clock" aria-live="polite"></p>
    <p><button type="button" data-plus="1">${esc(t('time_plus_day'))}</button> <button type="button" data-plus="7">${esc(t('time_plus_week'))}</button></p>
    <p class="status-line" id="time-status" role="status"></p>
    <h3>${esc(t('time_upcoming'))}</h3>
    <ul class="upcoming" id="upcoming"></ul>
    <p><button type="button" id="restart">${esc(t('time_restart'))}</button></p>
  </section>
</aside>
<section class="webchat-box">${chat}</section>
</div>
<script type="application/json" id="samla-config">${JSON.stringify(config).replace(/</g, '\\u003c')}</script>`;
}
