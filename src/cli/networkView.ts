/**
 * What `samla network show` tells: a network's municipalities, people and roles, and its
 * gatherings with every task date in local time. Built once, printed as text or JSON.
 */
import { planAgenda, type AgendaItem } from '../core/agenda.ts';
import { instantToLocal } from '../core/calendar.ts';
import type { Gathering, MemberRole, NetworkDefinition, Offset, Party, Person } from '../core/model.ts';
import type { NetworkSummary } from '../core/ports.ts';
import { gatheringSpan, offsetTime } from '../core/schedule.ts';

export interface TimeView {
  /** The offset as written in the file, e.g. "-21d". */
  offset: string;
  /** Where the offset puts it, local time. */
  local: string;
  /** When it is actually sent, after quiet hours, weekends and holidays (local time). */
  sent?: string;
  moved?: string;
}

/** A Slack workspace named with `slack_team:`, and whether Samla can reach it (its installation). */
export interface WorkspaceView {
  team: string;
  installed: boolean;
  /** When Samla last used the installation (a request from it, or a message to it). */
  lastSeen?: string;
}

/** The installations Samla knows, by workspace id; undefined when it serves one workspace (SLACK_BOT_TOKEN). */
export type WorkspaceLookup = (team: string) => { installed: boolean; lastSeen?: string };

export interface NetworkView {
  id: string;
  name: string;
  programme?: string;
  timezone: string;
  locale: string;
  version: number;
  importedAt: string;
  organisers: { name: string; email: string; platform: string; locale?: string; tenant?: string; slack?: WorkspaceView }[];
  municipalities: {
    id: string;
    name: string;
    platform: string;
    locale?: string;
    steeringChannel?: string;
    /** The municipality's Microsoft 365 tenant, and whether Samla can reach it there. */
    tenant?: string;
    reach?: TenantReach;
    slack?: WorkspaceView;
    members: { name: string; email: string; roles: MemberRole[]; party?: Party; chair?: boolean; locale?: string }[];
  }[];
  /** People removed from the file: no roles any more, history kept. */
  formerMembers: { name: string; email: string; removedAt: string }[];
  gatherings: {
    id: string;
    title: string;
    starts: string;
    ends: string;
    location?: string;
    tasks: { id: string; title: string; for: MemberRole[]; send: TimeView; due: TimeView }[];
    checkin?: TimeView;
    reflection?: TimeView;
  }[];
}

/** What Samla knows of a tenant: installed (when), last heard from; `seen: false` when never. */
export interface TenantReach {
  seen: boolean;
  installedAt?: string;
  lastSeen?: string;
}

/** `reach`: for each tenant named, what Samla knows of it (from the Teams references); `workspaces`: each Slack workspace's installation. */
export function buildNetworkView(
  def: NetworkDefinition,
  summary: NetworkSummary,
  people: Person[],
  reach: ReadonlyMap<string, TenantReach> = new Map(),
  workspaces?: WorkspaceLookup,
): NetworkView {
  const slack = (team: string | undefined): { slack?: WorkspaceView } => (team ? { slack: { team, ...(workspaces ? workspaces(team) : { installed: false }) } } : {});
  const agenda = lifetimeAgenda(def);
  const find = (kind: string, gathering: string, task?: string) =>
    agenda.find((i) => i.kind === kind && i.gathering === gathering && (task === undefined || i.task === task));
  const time = (g: Gathering, offset: Offset, item?: AgendaItem): TimeView => {
    const view: TimeView = { offset: offset.text, local: instantToLocal(offsetTime(def, g, offset), def.timezone) };
    if (item) {
      view.sent = item.local;
      if (item.moved) view.moved = item.moved.holiday ? `${item.moved.reason}: ${item.moved.holiday}` : item.moved.reason;
    }
    return view;
  };
  return {
    id: def.id,
    name: def.name,
    ...(def.programme ? { programme: def.programme } : {}),
    timezone: def.timezone,
    locale: def.locale,
    version: summary.version,
    importedAt: summary.importedAt,
    organisers: def.organisers.map((o) => ({ name: o.name, email: o.email, platform: o.platform, ...(o.locale ? { locale: o.locale } : {}), ...(o.tenant ? { tenant: o.tenant } : {}), ...slack(o.slackTeam) })),
    municipalities: def.municipalities.map((m) => ({
      id: m.id,
      name: m.name,
      platform: m.platform,
      ...(m.locale ? { locale: m.locale } : {}),
      ...(m.steeringChannel ? { steeringChannel: m.steeringChannel } : {}),
      ...(m.tenant ? { tenant: m.tenant, reach: reach.get(m.tenant) ?? { seen: false } } : {}),
      ...slack(m.slackTeam),
      members: m.members.map((p) => ({
        name: p.name,
        email: p.email,
        roles: p.roles,
        ...(p.party ? { party: p.party } : {}),
        ...(p.chair ? { chair: true } : {}),
        ...(p.locale ? { locale: p.locale } : {}),
      })),
    })),
    formerMembers: people
      .filter((p) => p.removedAt)
      .map((p) => ({ name: p.name, email: p.email, removedAt: p.removedAt as string })),
    gatherings: def.gatherings.map((g) => ({
      id: g.id,
      title: g.title,
      starts: g.starts,
      ends: g.ends,
      ...(g.location ? { location: g.location } : {}),
      tasks: g.tasks.map((t) => ({
        id: t.id,
        title: t.title,
        for: t.for,
        send: time(g, t.send, find('task', g.id, t.id)),
        due: time(g, t.due),
      })),
      ...(g.checkin ? { checkin: time(g, g.checkin.send, find('checkin', g.id)) } : {}),
      ...(g.reflection ? { reflection: time(g, g.reflection.send, find('reflection', g.id)) } : {}),
    })),
  };
}

/** Every gathering-bound prompt of the network (not the recurring ones), for dates in `show`. */
function lifetimeAgenda(def: NetworkDefinition): AgendaItem[] {
  const span = gatheringSpan(def);
  if (!span) return [];
  const year = 366 * 24 * 3600 * 1000;
  const from = new Date(span.firstStart.getTime() - year);
  const to = new Date(span.lastEnd.getTime() + year);
  return planAgenda(def, { from, to }).filter((i) => i.kind === 'task' || i.kind === 'checkin' || i.kind === 'reflection');
}

/** "tenant <id> · installed <when> · last seen <when>", or that Samla has not been heard from there. */
function tenantText(tenant: string, reach: TenantReach | undefined): string {
  if (!reach?.seen) return `tenant ${tenant} · not reached yet: Samla is not installed there (or nobody has used it)`;
  return [`tenant ${tenant}`, reach.installedAt ? `installed ${reach.installedAt}` : 'installed (not seen being added)', reach.lastSeen ? `last seen ${reach.lastSeen}` : ''].filter(Boolean).join(' · ');
}

/** "workspace T0B installed, last seen …" or "workspace T0B NOT INSTALLED: Samla cannot reach it". */
function workspaceText(w: WorkspaceView): string {
  return w.installed ? `workspace ${w.team} installed${w.lastSeen ? `, last seen ${w.lastSeen}` : ''}` : `workspace ${w.team} not installed: Samla cannot reach it`;
}

/** Text rendering for a terminal. */
export function renderNetworkView(v: NetworkView): string {
  const out: string[] = [];
  out.push(`${v.name} (${v.id})`);
  const meta = [v.programme ? `programme ${v.programme}` : '', `timezone ${v.timezone}`, `locale ${v.locale}`, `version ${v.version}`, `imported ${v.importedAt}`];
  out.push('  ' + meta.filter(Boolean).join(' · '));
  out.push('');
  out.push(`Organisers (${v.organisers.length})`);
  for (const o of v.organisers) out.push(`  ${o.name} <${o.email}> · ${o.platform}${o.locale ? ` · ${o.locale}` : ''}${o.tenant ? ` · tenant ${o.tenant}` : ''}${o.slack ? ` · ${workspaceText(o.slack)}` : ''}`);
  out.push('');
  out.push(`Municipalities (${v.municipalities.length})`);
  for (const m of v.municipalities) {
    const extra = [m.platform, m.locale, m.slack ? workspaceText(m.slack) : '', m.steeringChannel ? `steering channel ${m.steeringChannel}` : 'no steering channel linked', m.tenant ? tenantText(m.tenant, m.reach) : ''];
    out.push(`  ${m.id} ${m.name} · ${extra.filter(Boolean).join(' · ')}`);
    for (const p of m.members) {
      const roleText = p.roles
        .map((r) => (r === 'styringsgruppe' && (p.party || p.chair) ? `${r} (${[p.party, p.chair ? 'chair' : ''].filter(Boolean).join(', ')})` : r))
        .join(', ');
      out.push(`    ${p.name} <${p.email}>  ${roleText}`);
    }
  }
  if (v.formerMembers.length > 0) {
    out.push('');
    out.push(`Former members, history kept (${v.formerMembers.length})`);
    for (const p of v.formerMembers) out.push(`  ${p.name} <${p.email}> · removed ${p.removedAt}`);
  }
  out.push('');
  out.push(`Gatherings (${v.gatherings.length})`);
  for (const g of v.gatherings) {
    out.push(`  ${g.id} ${g.title} · ${fmt(g.starts)} – ${fmt(g.ends)}${g.location ? ` · ${g.location}` : ''}`);
    for (const t of g.tasks) {
      out.push(`    task ${t.id}: ${t.title}`);
      out.push(`      for ${t.for.join(', ')} · sent ${timeText(t.send)} · due ${fmt(t.due.local)} (${t.due.offset})`);
    }
    if (g.checkin) out.push(`    check-in sent ${timeText(g.checkin)}`);
    if (g.reflection) out.push(`    reflection prompt sent ${timeText(g.reflection)}`);
  }
  return out.join('\n') + '\n';
}

function timeText(t: TimeView): string {
  const base = `${fmt(t.sent ?? t.local)} (${t.offset})`;
  return t.moved ? `${base}, moved from ${fmt(t.local)} (${t.moved})` : base;
}

/** "2027-02-10T09:00" → "2027-02-10 09:00" */
export function fmt(local: string): string {
  return local.replace('T', ' ');
}
