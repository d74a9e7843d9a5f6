/**
 * The organisers' dashboard as HTML: the networks, a municipalities × signals grid, readiness
 * for the next gathering, each municipality's status over time, and the digest as it would be
 * sent. Everything a person reads comes from prompts/ (web.*, signals.*, lagging.kind_*, …).
 */
import { DateTime } from 'luxon';
import type { DraftBlock, MessageDraft } from '../../core/drafts.ts';
import { formatWhen } from '../../core/format.ts';
import { reasonText } from '../../core/lagging/reasons.ts';
import { SIGNAL_KINDS, type Severity } from '../../core/lagging/signals.ts';
import type { Locale } from '../../core/model.ts';
import { gatheringStart } from '../../core/schedule.ts';
import type { Texts } from '../../core/texts.ts';
import { esc, href } from '../html.ts';
import { chartSpan, statusChart } from './chart.ts';
import type { NetworkView } from './model.ts';

export interface DashboardPageInput {
  locale: Locale;
  texts: Texts;
  networks: { id: string; name: string }[];
  view?: NetworkView;
}

/** A message draft as HTML (the digest as the chat shows it, without buttons). */
export function draftHtml(draft: MessageDraft): string {
  const block = (b: DraftBlock): string => {
    switch (b.type) {
      case 'header':
        return `<div class="header">${esc(b.text)}</div>`;
      case 'text':
        return `<p>${esc(b.text)}</p>`;
      case 'context':
        return `<p class="context">${esc(b.text)}</p>`;
      case 'facts':
        return `<table>${b.facts.map((f) => `<tr><th scope="row">${esc(f.label)}</th><td>${esc(f.value)}</td></tr>`).join('')}</table>`;
      case 'divider':
        return '<hr>';
      case 'actions':
        return '';
    }
  };
  return draft.blocks.map(block).join('\n');
}

function percent(done: number, total: number): number {
  return total === 0 ? 0 : Math.round((100 * done) / total);
}

export function dashboardBody(o: DashboardPageInput): string {
  const t = (key: string, vars?: Record<string, string | number>) => o.texts.t(o.locale, `web.${key}`, vars);
  const v = o.view;
  const networks = o.networks.length
    ? `<nav class="networks" aria-label="${esc(t('dashboard_networks'))}">${o.networks
        .map((n) => `<a href="${esc(href('/dashboard', { network: n.id, lang: o.locale }))}"${v?.def.id === n.id ? ' aria-current="page"' : ''}>${esc(n.name)}</a>`)
        .join('')}</nav>`
    : `<p>${esc(t('dashboard_no_networks'))}</p>`;
  if (!v) return `<main><h1>${esc(t('dashboard_title'))}</h1>${networks}</main>`;
  const zone = v.def.timezone;
  const asOf = formatWhen(v.now, zone, o.locale);
  return `<main>
<h1>${esc(t('dashboard_title'))}</h1>
${networks}
<p class="muted">${esc(t('dashboard_as_of', { time: asOf, count: v.def.municipalities.length }))}</p>
${signalsCard(o, v)}
<div class="grid2">
${readinessCard(o, v)}
${digestCard(o, v)}
</div>
${statusCard(o, v)}
</main>`;
}

function signalsCard(o: DashboardPageInput, v: NetworkView): string {
  const t = (key: string, vars?: Record<string, string | number>) => o.texts.t(o.locale, key, vars);
  const sev = (s: Severity) => t(`web.dashboard_severity_${s}`);
  const head = SIGNAL_KINDS.map((k) => `<th scope="col" class="kind">${esc(t(`lagging.kind_${k}`))}</th>`).join('');
  const rows = v.signals
    .map(({ municipality: m, signals }) => {
      const cells = SIGNAL_KINDS.map((k) => {
        const s = signals.find((x) => x.kind === k);
        if (!s) return `<td class="cell"><span class="none" aria-hidden="true">·</span></td>`;
        const why = reasonText(o.texts, o.locale, v.def, s);
        return `<td class="cell" title="${esc(why)}"><span class="dot ${s.severity}" aria-hidden="true"></span><span class="sr">${esc(`${sev(s.severity)}: ${why}`)}</span></td>`;
      }).join('');
      const reasons = signals.length
        ? `<ul>${signals.map((s) => `<li>${esc(reasonText(o.texts, o.locale, v.def, s))}</li>`).join('')}</ul>`
        : `<span class="muted">${esc(t('web.dashboard_no_signals'))}</span>`;
      return `<tr data-municipality="${esc(m.id)}"><th scope="row">${esc(m.name)}</th>${cells}<td>${reasons}</td></tr>`;
    })
    .join('\n');
  return `<section class="card" aria-labelledby="signals-h">
<h2 id="signals-h">${esc(t('web.dashboard_signals'))}</h2>
<p class="muted">${esc(t('web.dashboard_signals_intro'))}</p>
<p class="legend muted">${(['high', 'medium', 'low'] as Severity[]).map((s) => `<span><span class="dot ${s}" aria-hidden="true"></span> ${esc(sev(s))}</span>`).join('')}</p>
<div style="overflow-x:auto"><table class="signals">
<thead><tr><th scope="col">${esc(t('web.dashboard_municipality'))}</th>${head}<th scope="col">${esc(t('web.dashboard_why'))}</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
</section>`;
}

function readinessCard(o: DashboardPageInput, v: NetworkView): string {
  const t = (key: string, vars?: Record<string, string | number>) => o.texts.t(o.locale, `web.${key}`, vars);
  const r = v.digest.readiness;
  if (!v.next || !r) return `<section class="card"><h2>${esc(t('dashboard_readiness_none_title'))}</h2><p>${esc(t('dashboard_no_next'))}</p></section>`;
  const when = formatWhen(gatheringStart(v.def, v.next), v.def.timezone, o.locale);
  const rows = v.readiness
    .map(
      (m) => `<tr data-municipality="${esc(m.municipality.id)}"><th scope="row">${esc(m.municipality.name)}</th>
<td>${m.prep.total ? esc(t('dashboard_of', { done: m.prep.done, total: m.prep.total })) : '—'}</td>
<td>${esc(t('dashboard_of', { done: m.checkin.answered, total: m.checkin.asked }))}</td>
<td>${esc(String(m.checkin.coming))}</td></tr>`,
    )
    .join('\n');
  const needs = v.readiness.flatMap((m) => m.needs.map((n) => ({ name: m.municipality.name, text: n })));
  return `<section class="card" aria-labelledby="readiness-h" data-testid="readiness">
<h2 id="readiness-h">${esc(t('dashboard_readiness', { gathering: v.next.title }))}</h2>
<p class="muted">${esc(t('dashboard_readiness_when', { date: when, days: r.gathering.daysUntil }))}</p>
<div class="facts">
  <div><div class="big" data-testid="readiness-prep">${esc(t('dashboard_of', { done: r.prep.done, total: r.prep.total }))}</div>${esc(t('dashboard_prep'))}
    <div class="meter"><span style="width:${percent(r.prep.done, r.prep.total)}%"></span></div></div>
  <div><div class="big" data-testid="readiness-checkin">${esc(t('dashboard_of', { done: r.checkin.answered, total: r.checkin.asked }))}</div>${esc(t('dashboard_checkin'))}
    <div class="meter"><span style="width:${percent(r.checkin.answered, r.checkin.asked)}%"></span></div></div>
  <div><div class="big" data-testid="readiness-coming">${esc(String(r.checkin.coming))}</div>${esc(t('dashboard_coming'))}</div>
</div>
<table><thead><tr><th scope="col">${esc(t('dashboard_municipality'))}</th><th scope="col">${esc(t('dashboard_prep'))}</th><th scope="col">${esc(t('dashboard_checkin'))}</th><th scope="col">${esc(t('dashboard_coming'))}</th></tr></thead>
<tbody>${rows}</tbody></table>
<h3>${esc(t('dashboard_needs'))}</h3>
<div data-testid="needs">${needs.length ? needs.map((n) => `<blockquote><strong>${esc(n.name)}:</strong> «${esc(n.text)}»</blockquote>`).join('') : `<p class="muted">${esc(t('dashboard_no_needs'))}</p>`}</div>
</section>`;
}

function digestCard(o: DashboardPageInput, v: NetworkView): string {
  const t = (key: string, vars?: Record<string, string | number>) => o.texts.t(o.locale, `web.${key}`, vars);
  return `<section class="card" aria-labelledby="digest-h">
<h2 id="digest-h">${esc(t('dashboard_digest'))}</h2>
<p class="muted">${esc(t('dashboard_digest_intro'))}</p>
<div class="digest" data-testid="digest">${draftHtml(v.digestDraft)}</div>
</section>`;
}

function statusCard(o: DashboardPageInput, v: NetworkView): string {
  const t = (key: string, vars?: Record<string, string | number>) => o.texts.t(o.locale, `web.${key}`, vars);
  const all = v.statuses.flatMap((s) => s.points);
  const span = chartSpan(v.def, v.now, v.next, all);
  const charts = v.statuses
    .map((s) => {
      const last = s.points.at(-1);
      const lastText = last
        ? t('dashboard_last_status', { date: DateTime.fromJSDate(last.at, { zone: v.def.timezone }).toFormat(o.locale === 'en' ? 'd LLL yyyy' : 'dd.MM.yyyy') })
        : t('dashboard_no_status');
      return `<figure class="chart" data-municipality="${esc(s.municipality.id)}" style="margin:0"><h3>${esc(s.municipality.name)} <small class="muted">${esc(lastText)}</small></h3>${statusChart({ def: v.def, name: s.municipality.name, points: s.points, span, now: v.now, locale: o.locale, texts: o.texts })}</figure>`;
    })
    .join('\n');
  return `<section class="card" aria-labelledby="status-h">
<h2 id="status-h">${esc(t('dashboard_status'))}</h2>
<div class="charts">${charts}</div>
</section>`;
}
