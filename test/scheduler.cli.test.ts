/**
 * `samla tick`, `samla agenda` marks and the tick's errors, run in-process through main()
 * against the real Redis, with recording platforms for `--deliver`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { RecordingPlatform } from './helpers/recordingPlatform.ts';
import { testRedis } from './helpers/redis.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const EXAMPLE = path.join(root, 'examples/network.yaml');

let ctx: Awaited<ReturnType<typeof testRedis>>;
const slack = new RecordingPlatform('slack');
const teams = new RecordingPlatform('teams');
beforeAll(async () => {
  ctx = await testRedis();
});
afterAll(async () => {
  await ctx.cleanup();
});

async function samla(args: string[], opts: { now?: string; platforms?: boolean } = {}) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: { REDIS_URL: ctx.url, SAMLA_REDIS_PREFIX: ctx.prefix, SAMLA_SLACK_CONVERSATION_INTERVAL_MS: '0', SAMLA_TEAMS_CONVERSATION_INTERVAL_MS: '0', SAMLA_NUDGES: 'off' },
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    now: () => new Date(opts.now ?? '2027-01-05T10:00:00Z'),
    ...(opts.platforms ? { platforms: { slack, teams } } : {}),
  });
  return { code, stdout, stderr };
}

describe('samla tick', () => {
  it('runs a pass as of --at, prints what it enqueued and skipped, and the agenda marks them', async () => {
    expect((await samla(['network', 'import', EXAMPLE])).code).toBe(0);

    const r = await samla(['tick', '--at', '2027-01-20T09:00']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('agder-helse-2027: pass 2027-01-05 11:00 → 2027-01-20 09:00 (Europe/Oslo), from the first import');
    expect(r.stdout).toMatch(/Mon 2027-01-11 08:00 {2}digest {12}Digest: 1 skipped: superseded/);
    expect(r.stdout).toMatch(/Mon 2027-01-18 08:00 {2}digest {12}Digest: 1 enqueued/);
    expect(r.stdout).toMatch(/Wed 2027-01-20 09:00 {2}task {14}Avklar mandat og sammensetning for styringsgruppen: 8 enqueued/);
    expect(r.stdout).toContain('9 enqueued, 0 resumed, 1 skipped, 0 already handled');

    const agenda = await samla(['agenda', 'agder-helse-2027', '--from', '2027-01-18', '--to', '2027-01-30']);
    const lines = agenda.stdout.split('\n');
    const at = (pattern: RegExp) => lines.slice(lines.findIndex((l) => pattern.test(l))).find((l) => /^\s+(planned|queued|sent|skipped|failed)/.test(l))?.trim();
    expect(at(/2027-01-20 09:00 {2}task /)).toBe('queued 8');
    expect(at(/2027-01-29 09:00 {2}task reminder/)).toBe('planned');

    const json = JSON.parse((await samla(['agenda', 'agder-helse-2027', '--from', '2027-01-18', '--to', '2027-01-21', '--json'])).stdout);
    expect(json.items.find((i: { kind: string }) => i.kind === 'task').delivery).toMatchObject({ queued: 8, sent: 0, planned: 0 });
  });

  it('with --deliver sends what is queued through the platforms and waits', async () => {
    const r = await samla(['tick', '--at', '2027-01-20T09:05', '--deliver'], { platforms: true });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('nothing fell due');
    expect(r.stdout).toContain('agder-helse-2027: delivered from the queue: 9 sent, 0 skipped, 0 failed; 0 still queued');
    expect(slack.accepted.length + teams.accepted.length).toBe(9);
    const agenda = await samla(['agenda', 'agder-helse-2027', '--from', '2027-01-20', '--to', '2027-01-21']);
    expect(agenda.stdout).toContain('sent 8');
  });

  it('holds a network in quiet time, prints JSON, and refuses --deliver without a platform', async () => {
    const held = await samla(['tick', '--at', '2027-01-23T12:00', '--json']); // a Saturday
    expect(JSON.parse(held.stdout).networks[0]).toMatchObject({ network: 'agder-helse-2027', held: 'quiet_time' });
    const text = await samla(['tick', '--network', 'agder-helse-2027', '--at', '2027-01-23T12:00']);
    expect(text.stdout).toContain('agder-helse-2027: held at 2027-01-23 12:00 (Europe/Oslo): quiet time');

    const noPlatform = await samla(['tick', '--at', '2027-01-25T08:00', '--deliver']);
    expect(noPlatform.code).toBe(2);
    expect(noPlatform.stderr).toContain('No chat platform is configured');
    const bad = await samla(['tick', '--at', 'tomorrow']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--at "tomorrow" is not a date');
  });
});
