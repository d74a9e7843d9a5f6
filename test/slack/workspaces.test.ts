/**
 * One network, several Slack workspaces (issue 12): Kristiansand in workspace A, Flekkefjord in
 * workspace B, each installed with its own bot token (the installations sealed in Redis). A
 * scheduler pass and the delivery worker send every prompt with the recipient's workspace's
 * token: the fake Slack API only finds a user with their own workspace's token and records the
 * token of every call. A workspace without an installation makes its people unreachable, and
 * the organisers' digest says why.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { RedisSlackInstallationStore } from '../../adapters/redis/slackInstallations.ts';
import { RedisIdentityStore } from '../../adapters/redis/store.ts';
import { SlackPlatform } from '../../adapters/slack/platform.ts';
import { loadTexts } from '../../src/app/prompts.ts';
import { currentDigest } from '../../src/core/lagging/records.ts';
import { digestMessage } from '../../src/core/lagging/digest.ts';
import type { NetworkDefinition } from '../../src/core/model.ts';
import { parseNetworkFile } from '../../src/core/networkFile.ts';
import { listSlackInstallations } from '../../adapters/redis/slackInstallations.ts';
import { buildNetworkView, renderNetworkView } from '../../src/cli/networkView.ts';
import { startFakeSlackApi, type FakeSlackApi } from '../fakes/slackApi.ts';
import { exampleNetwork } from '../helpers/exampleNetwork.ts';
import { RecordingPlatform } from '../helpers/recordingPlatform.ts';
import { deleteUnder, keysUnder, redisUrl } from '../helpers/redis.ts';
import { FakeClock, oslo, startNode, type Node } from '../helpers/scheduler.ts';

export const SECRET_KEY = randomBytes(32);
const TOKEN_A = 'xoxb-workspace-a-token';
const TOKEN_B = 'xoxb-workspace-b-token';

/** The example network with Kristiansand in workspace T0AAA and Flekkefjord in `flekkefjord`. */
function twoWorkspaces(flekkefjord = 'T0BBB'): NetworkDefinition {
  const def = exampleNetwork();
  for (const m of def.municipalities) {
    if (m.id === '4204') m.slackTeam = 'T0AAA';
    if (m.id === '4207') m.slackTeam = flekkefjord;
  }
  def.organisers[0]!.slackTeam = 'T0AAA';
  return def;
}

function installation(team: string, token: string) {
  return {
    team: { id: team, name: `Workspace ${team}` },
    enterprise: undefined,
    user: { id: 'U0ADMIN', token: undefined, scopes: undefined },
    bot: { token, scopes: ['chat:write'], id: 'B0BOT', userId: 'U0BOT' },
    appId: 'A0SAMLA',
    tokenType: 'bot' as const,
    isEnterpriseInstall: false,
    authVersion: 'v2' as const,
  };
}

let fake: FakeSlackApi | undefined;
let node: Node | undefined;
let prefix = '';
afterEach(async () => {
  await node?.runtime.close();
  if (node) await deleteUnder(node.redis, prefix);
  await node?.redis.quit();
  await fake?.close();
  node = undefined;
});

async function start(def: NetworkDefinition) {
  prefix = `samla-test:${randomBytes(6).toString('hex')}:`;
  fake = await startFakeSlackApi();
  fake.workspace('T0AAA', TOKEN_A);
  fake.workspace('T0BBB', TOKEN_B);
  for (const [id, email, team] of [
    ['U0OLA', 'ola.hansen@kristiansand.example.no', 'T0AAA'],
    ['U0SIRI', 'siri.lund@kristiansand.example.no', 'T0AAA'],
    ['U0PER', 'per.berg@kristiansand.example.no', 'T0AAA'],
    ['U0LARS', 'lars.eide@flekkefjord.example.no', 'T0BBB'],
  ] as const) {
    fake.users.set(id, { id, email, team });
  }
  const clock = new FakeClock(oslo('2027-01-19T12:00'));
  node = await startNode({ url: redisUrl(), prefix, clock });
  const installations = new RedisSlackInstallationStore(node.redis, { prefix, secretKey: SECRET_KEY });
  await installations.storeInstallation(installation('T0AAA', TOKEN_A));
  await installations.storeInstallation(installation('T0BBB', TOKEN_B));
  const slack = SlackPlatform.create(
    {
      signingSecret: 'x'.repeat(16),
      apiUrl: fake.apiUrl,
      oauth: { clientId: '1.2', clientSecret: 'client-secret', stateSecret: 's'.repeat(16), secretKey: SECRET_KEY, authorizationUrl: `${fake.apiUrl}../oauth/v2/authorize` },
    },
    new RedisIdentityStore(node.redis, { prefix }),
    pino({ level: 'silent' }),
    { store: node.store, installations: new RedisSlackInstallationStore(node.redis, { secretKey: SECRET_KEY, prefix }) },
  );
  await node.store.importNetwork(def, { now: clock.now() });
  await node.runtime.tick(clock.set('2027-01-20T09:00'));
  node.runtime.startWorkers({ slack, teams: new RecordingPlatform('teams', clock.now) });
  await node.runtime.drain(15_000);
  return { fake, node, clock };
}

describe('one network across two Slack workspaces', () => {
  it('sends each prompt with the token of the recipient’s workspace', async () => {
    const { fake } = await start(twoWorkspaces());
    const posted = fake.calls('chat.postMessage');
    expect(posted.map((c) => c.args.channel).sort()).toEqual(['D0LARS', 'D0OLA', 'D0PER', 'D0SIRI']);
    for (const c of posted) expect(c.token).toBe(c.args.channel === 'D0LARS' ? TOKEN_B : TOKEN_A);
    // The person is looked up and the DM opened in their own workspace too.
    const lookups = fake.calls('users.lookupByEmail');
    expect(lookups.find((c) => c.args.email === 'lars.eide@flekkefjord.example.no')!.token).toBe(TOKEN_B);
    expect(lookups.filter((c) => c.token === TOKEN_B)).toHaveLength(1);
    expect(fake.calls('conversations.open').find((c) => c.args.users === 'U0LARS')!.token).toBe(TOKEN_B);
    expect(await node!.runtime.queues.failed()).toEqual([]);
  });

  it('keeps no token in clear in Redis', async () => {
    const { node } = await start(twoWorkspaces());
    const dump = JSON.stringify(await Promise.all((await keysUnder(node.redis, prefix)).map(async (k) => [k, (await node.redis.dumpBuffer(k))?.toString('latin1')])));
    expect(dump).toContain('slack:installation:T0BBB');
    expect(dump).not.toContain(TOKEN_A);
    expect(dump).not.toContain(TOKEN_B);
  });

  it('reports people of a workspace without an installation as unreachable, with the reason, in the digest', async () => {
    const def = twoWorkspaces('T0CCC');
    const { fake, node, clock } = await start(def);
    expect(fake.calls('chat.postMessage').map((c) => c.args.channel)).not.toContain('D0LARS');
    expect(await node.store.listUnreachable(def.id)).toEqual([
      expect.objectContaining({ email: 'lars.eide@flekkefjord.example.no', platform: 'slack', reason: 'workspace_not_installed', workspace: 'T0CCC' }),
    ]);
    const { digest } = await currentDigest(node.store, def, clock.now());
    const text = JSON.stringify(digestMessage(loadTexts(), 'en', def, digest).blocks);
    expect(text).toContain('Samla cannot reach these people yet: Lars Eide (workspace T0CCC has not installed Samla)');
    const nb = JSON.stringify(digestMessage(loadTexts(), 'nb', def, digest).blocks);
    expect(nb).toContain('Lars Eide (arbeidsområdet T0CCC har ikke installert Samla)');
  });
});

describe('samla network show', () => {
  it('lists each municipality’s workspace and whether Samla can reach it', async () => {
    const def = twoWorkspaces('T0CCC');
    const { node } = await start(def);
    const installed = new Map((await listSlackInstallations(node.redis, prefix)).map((i) => [i.id, i]));
    expect([...installed.keys()]).toEqual(['T0AAA', 'T0BBB']);
    expect(installed.get('T0AAA')!.lastSeen).toBeDefined(); // the prompts just sent used it
    const summary = (await node.store.getSummary(def.id))!;
    const view = buildNetworkView(def, summary, await node.store.getPeople(def.id), new Map(), (team) => {
      const i = installed.get(team);
      return i ? { installed: true, ...(i.lastSeen ? { lastSeen: i.lastSeen } : {}) } : { installed: false };
    });
    const text = renderNetworkView(view);
    expect(text).toMatch(/4204 Kristiansand · slack · workspace T0AAA installed, last seen \d{4}-/);
    expect(text).toContain('4207 Flekkefjord · slack · workspace T0CCC not installed: Samla cannot reach it');
    expect(text).toMatch(/Ingrid Fjeld <ingrid.fjeld@example.no> · slack · en · workspace T0AAA installed/);
  });
});

describe('slack_team in the network file', () => {
  const file = (team: string) =>
    [
      'id: nett',
      'name: Nett',
      'timezone: Europe/Oslo',
      'organisers:',
      `  - { name: Ingrid, email: ingrid@example.no, platform: slack, slack_team: ${team} }`,
      'municipalities:',
      `  - { id: "4204", name: Kristiansand, platform: slack, slack_team: ${team}, members: [] }`,
      'gatherings:',
      '  - { id: s1, title: Samling, starts: 2027-02-10T09:00, ends: 2027-02-10T15:00 }',
      '',
    ].join('\n');

  it('names a municipality’s and an organiser’s workspace', () => {
    const def = parseNetworkFile(file('T01ABCDEF'), 'nett.yaml');
    expect(def.municipalities[0]!.slackTeam).toBe('T01ABCDEF');
    expect(def.organisers[0]!.slackTeam).toBe('T01ABCDEF');
  });

  it('refuses an id that is not a workspace id, saying what to write', () => {
    expect(() => parseNetworkFile(file('samla-test'), 'nett.yaml')).toThrow(
      expect.objectContaining({ details: expect.arrayContaining([expect.stringMatching(/slack_team.*"samla-test" is not a Slack workspace id; write the id that starts with T/)]) }),
    );
  });
});
