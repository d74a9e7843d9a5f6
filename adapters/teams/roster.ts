/**
 * When Samla is added to a team (or people join one), it finds the network members among the
 * team's members and opens a personal chat with each of them who must receive prompts, so the
 * scheduler can reach them later:
 *
 * 1. read the roster: `GET /v3/conversations/{team}/pagedmembers` (all pages), or the members
 *    who just joined;
 * 2. match each member by email, then by UPN, to the people of the imported networks whose
 *    municipality is in the team's tenant (or names no tenant);
 * 3. remember who they are (identity cache) and where they are (their Teams reference);
 * 4. for everyone whose platform is Teams (members with a role, and organisers) open the
 *    personal chat, `POST /v3/conversations`, and store it;
 * 5. record as unreachable, with the reason, everyone who could not be reached: a 403
 *    `BotNotInConversationRoster` or other failure when opening the chat, and every Teams person
 *    of the networks involved whom Samla has no chat with (not in this team, nor seen elsewhere).
 * Nobody is skipped silently: each outcome is counted in the returned report and logged.
 */
import type { ConnectorClient } from '@microsoft/agents-hosting';
import type { Logger } from 'pino';
import type { Person } from '../../src/core/model.ts';
import type { IdentityStore, NetworkStore } from '../../src/core/ports.ts';
import { type TeamsMember, createPersonalConversation, isNotInRoster, readRoster, toDeliveryError } from './connector.ts';
import { identityKey, matchMember } from './identity.ts';
import type { TeamsReferenceStore } from '../redis/teamsReferences.ts';
import type { TenantGate } from './tenants.ts';

export interface RosterDeps {
  store: NetworkStore;
  identities: IdentityStore;
  refs: TeamsReferenceStore;
  /** Who is who in which tenant: a member is matched only to people of their tenant. */
  tenants: TenantGate;
  logger: Logger;
  now: () => Date;
}

/** Where the team is: the conversation to read members from and how to address people there. */
export interface TeamPlace {
  /** The team id (its General channel's conversation id). */
  teamId: string;
  serviceUrl: string;
  tenantId?: string;
  /** The bot's id in this tenant ("28:<app id>"). */
  botId: string;
}

export interface RosterReport {
  /** Roster members read. */
  read: number;
  /** Members matched to network people, by email. */
  matched: string[];
  /** Personal chats opened (or found). */
  opened: string[];
  /** People recorded as unreachable, by email, with the reason. */
  unreachable: { email: string; reason: string }[];
}

/** True when Samla must be able to prompt this person in Teams: a current member or organiser on Teams. */
export function mustReach(p: Person): boolean {
  return !p.removedAt && p.platform === 'teams' && (p.organiser || p.memberships.length > 0);
}

/** Syncs the whole team: reads every page of its roster and handles each member (see the file comment). */
export async function syncTeamRoster(deps: RosterDeps, client: ConnectorClient, place: TeamPlace): Promise<RosterReport> {
  const { members, skipped } = await readRoster(client, place.teamId);
  if (skipped) deps.logger.warn({ team: place.teamId, skipped }, 'Teams roster entries without a member shape were skipped');
  return syncMembers(deps, client, place, members, true);
}

/**
 * Handles the given team members. With `wholeTeam`, every Teams person of the networks involved
 * who has no personal chat with Samla afterwards is recorded as unreachable ("no_reference").
 */
export async function syncMembers(deps: RosterDeps, client: ConnectorClient, place: TeamPlace, members: TeamsMember[], wholeTeam: boolean): Promise<RosterReport> {
  const report: RosterReport = { read: members.length, matched: [], opened: [], unreachable: [] };
  const networksInvolved = new Set<string>();
  const at = () => deps.now().toISOString();

  for (const member of members) {
    if (member.id === place.botId) continue;
    const match = await matchMember(deps.store, member, (email) => deps.tenants.personInTenant(email, place.tenantId));
    if (!match) continue;
    report.matched.push(match.email);
    for (const n of match.networks) networksInvolved.add(n);
    await deps.identities.remember('teams', identityKey(member), match.email);
    await deps.refs.savePerson({
      email: match.email,
      userId: member.id,
      ...(member.aadObjectId ? { aadObjectId: member.aadObjectId } : {}),
      ...(place.tenantId ? { tenantId: place.tenantId } : {}),
      serviceUrl: place.serviceUrl,
      botId: place.botId,
      via: place.teamId,
      at: at(),
    });
    const people = await Promise.all(match.networks.map((n) => deps.store.getPerson(n, match.email)));
    const person = people.find((p): p is Person => !!p && mustReach(p));
    if (!person) continue;
    try {
      const conversationId = await createPersonalConversation(client, { botId: place.botId, userId: member.id, ...(place.tenantId ? { tenantId: place.tenantId } : {}) });
      await deps.refs.savePerson({ email: match.email, userId: member.id, ...(place.tenantId ? { tenantId: place.tenantId } : {}), serviceUrl: place.serviceUrl, conversationId, at: at() });
      await deps.refs.saveConversation({
        conversationId,
        serviceUrl: place.serviceUrl,
        kind: 'personal',
        ...(place.tenantId ? { tenantId: place.tenantId } : {}),
        botId: place.botId,
        at: at(),
      });
      await deps.store.clearUnreachable(match.networks, match.email);
      report.opened.push(match.email);
    } catch (err) {
      const failure = toDeliveryError(err, `Opening a personal chat with ${match.email}`);
      const reason = isNotInRoster(err) ? 'bot_not_in_roster' : 'delivery_failed';
      await deps.store.markUnreachable(match.networks, { email: match.email, name: person.name, platform: 'teams', reason, detail: failure.message, at: at() });
      report.unreachable.push({ email: match.email, reason });
      deps.logger.warn({ email: match.email, code: failure.code, permanent: failure.permanent }, 'Samla could not open a personal chat in Teams; recorded as unreachable');
    }
  }

  if (wholeTeam) {
    const done = new Set([...report.opened, ...report.unreachable.map((u) => u.email)]);
    for (const networkId of networksInvolved) {
      for (const person of await deps.store.getPeople(networkId)) {
        if (!mustReach(person) || done.has(person.email)) continue;
        const ref = await deps.refs.person(person.email, await deps.tenants.tenantsOf(person.email));
        if (ref?.conversationId) continue;
        await deps.store.markUnreachable([networkId], {
          email: person.email,
          name: person.name,
          platform: 'teams',
          reason: 'no_reference',
          detail: `Not a member of the team ${place.teamId}, and never seen in Teams.`,
          at: at(),
        });
        if (!report.unreachable.some((u) => u.email === person.email)) report.unreachable.push({ email: person.email, reason: 'no_reference' });
      }
    }
  }
  deps.logger.info(
    { team: place.teamId, read: report.read, matched: report.matched.length, opened: report.opened.length, unreachable: report.unreachable.length },
    'Teams roster synced',
  );
  return report;
}
