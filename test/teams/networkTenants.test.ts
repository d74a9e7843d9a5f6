/**
 * `tenant:` in the network file (on a municipality, on an organiser): parsed, exported back, its
 * mistakes explained, and `samla network show` telling for each tenant whether Samla reaches it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeamsReferenceStore } from '../../adapters/redis/teamsReferences.ts';
import { main } from '../../src/cli/main.ts';
import { exportNetworkFile, parseNetworkFile } from '../../src/core/networkFile.ts';
import { exampleNetwork } from '../helpers/exampleNetwork.ts';
import { type TestRedis, testRedis } from '../helpers/redis.ts';

const TENANT_A = 'aaaaaaaa-1111-4a4a-9b9b-00000000000a';
const TENANT_B = 'bbbbbbbb-2222-4b4b-9c9c-00000000000b';

let r: TestRedis;
beforeAll(async () => {
  r = await testRedis();
});
afterAll(async () => {
  await r.cleanup();
});

async function samla(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    env: { REDIS_URL: r.url, SAMLA_REDIS_PREFIX: r.prefix },
    stdout: { write: (s: string) => void (stdout += s) },
    stderr: { write: (s: string) => void (stderr += s) },
    now: () => new Date('2027-01-05T10:00:00Z'),
  });
  return { code, stdout, stderr };
}

function fileWithTenants(): string {
  const def = exampleNetwork();
  def.municipalities.find((m) => m.id === '4203')!.tenant = TENANT_A;
  def.municipalities.find((m) => m.id === '4225')!.tenant = TENANT_B;
  def.organisers[0]!.tenant = TENANT_A;
  return exportNetworkFile(def);
}

describe('tenants in the network file', () => {
  it('are read (in lower case) and exported back unchanged', () => {
    const yaml = fileWithTenants();
    expect(yaml).toContain(`tenant: ${TENANT_A}`);
    const def = parseNetworkFile(yaml.replace(TENANT_B, TENANT_B.toUpperCase()), 'network.yaml');
    expect(def.municipalities.map((m) => m.tenant)).toEqual([undefined, TENANT_A, TENANT_B, undefined]);
    expect(def.organisers[0]!.tenant).toBe(TENANT_A);
    expect(exportNetworkFile(def)).toBe(yaml);
  });

  it('explain a tenant that is not a GUID', () => {
    const yaml = fileWithTenants().replace(TENANT_B, 'lyngdal.onmicrosoft.com');
    let details: unknown;
    try {
      parseNetworkFile(yaml, 'network.yaml');
    } catch (err) {
      details = (err as { details?: unknown }).details;
    }
    expect(details).toEqual([expect.stringMatching(/^network\.yaml:\d+ municipalities\[2\]\.tenant: "lyngdal.onmicrosoft.com" is not a tenant id; write the directory \(tenant\) id/)]);
  });

  it('are shown by samla network show, with whether Samla is installed and when it was last heard from', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'samla-tenants-'));
    const file = path.join(dir, 'network.yaml');
    writeFileSync(file, fileWithTenants());
    expect((await samla('network', 'import', file)).code).toBe(0);
    await new TeamsReferenceStore(r.redis, { prefix: r.prefix }).sawTenant(TENANT_A, '2027-01-04T08:00:00.000Z', true);

    const text = (await samla('network', 'show', 'agder-helse-2027')).stdout;
    expect(text).toContain(`4203 Arendal · teams · no steering channel linked · tenant ${TENANT_A} · installed 2027-01-04T08:00:00.000Z · last seen 2027-01-04T08:00:00.000Z`);
    expect(text).toContain(`4225 Lyngdal · teams · nn · no steering channel linked · tenant ${TENANT_B} · not reached yet`);
    const view = JSON.parse((await samla('network', 'show', 'agder-helse-2027', '--json')).stdout);
    expect(view.municipalities[2]).toMatchObject({ tenant: TENANT_B, reach: { seen: false } });
    expect(view.organisers[0]).toMatchObject({ tenant: TENANT_A });
  });
});
