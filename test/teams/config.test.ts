/**
 * Teams authentication: token validation with an app id, anonymous mode for local use (logged),
 * refused in production; and Redis going away mid-conversation.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { authConfiguration, sendingAppId } from '../../adapters/teams/config.ts';
import { readEnv } from '../../src/app/env.ts';
import { startSamla } from '../../src/app/main.ts';
import { SamlaError } from '../../src/core/errors.ts';
import { snapshot } from '../helpers/redis.ts';
import { type Harness, PEOPLE, personalMessage, startHarness } from './harness.ts';

const APP_ID = '8f0e6c2a-5b1d-4e3f-9a7c-2d4b6e8f0a1c';
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The Teams settings as the composition root reads them (src/app/env.ts). */
const readTeamsConfig = (env: Record<string, string>, nodeEnv: string) => readEnv({ ...env, NODE_ENV: nodeEnv }).teams;

function thrown(fn: () => unknown): SamlaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SamlaError);
    return err as SamlaError;
  }
  throw new Error('expected an error');
}

describe('Teams configuration', () => {
  it('runs anonymously without an app id outside production, and with tokens when one is set', () => {
    expect(readTeamsConfig({}, 'development').auth).toEqual({ mode: 'anonymous' });
    expect(readTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 's3cret', TEAMS_TENANT_ID: '' }, 'production')).toEqual({
      auth: { mode: 'authenticated', appId: APP_ID, credential: { kind: 'secret', secret: 's3cret' }, extra: [] },
      bodyLimit: '256kb',
      allowedTenants: [],
    });
  });

  it('reads the allowed tenants, more app registrations and a certificate, and says what is wrong with them', () => {
    const other = '22222222-3333-4444-5555-666666666666';
    const cfg = readTeamsConfig(
      {
        TEAMS_APP_ID: APP_ID,
        TEAMS_CERT_PEM_FILE: '/run/secrets/samla.pem',
        TEAMS_CERT_KEY_FILE: '/run/secrets/samla.key',
        TEAMS_TENANT_ID: 'AAAAAAAA-0000-0000-0000-000000000001',
        TEAMS_ALLOWED_TENANTS: ` ${other.toUpperCase()}, 33333333-0000-0000-0000-000000000003,`,
        TEAMS_CONNECTIONS: JSON.stringify([{ app_id: '44444444-0000-0000-0000-000000000004', tenant_id: other, secret: 'kommune-secret' }]),
      },
      'production',
    );
    expect(cfg.allowedTenants).toEqual([other, '33333333-0000-0000-0000-000000000003']);
    expect(cfg.auth).toEqual({
      mode: 'authenticated',
      appId: APP_ID,
      tenantId: 'aaaaaaaa-0000-0000-0000-000000000001',
      credential: { kind: 'certificate', certPemFile: '/run/secrets/samla.pem', certKeyFile: '/run/secrets/samla.key' },
      extra: [{ appId: '44444444-0000-0000-0000-000000000004', tenantId: other, credential: { kind: 'secret', secret: 'kommune-secret' } }],
    });
    expect(thrown(() => readTeamsConfig({ TEAMS_ALLOWED_TENANTS: 'arendal.onmicrosoft.com' }, 'development')).details).toEqual([
      'TEAMS_ALLOWED_TENANTS.0: write tenant ids (GUIDs) separated by commas',
    ]);
    expect(thrown(() => readTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'x', TEAMS_CONNECTIONS: '{app_id:' }, 'development')).details?.[0]).toMatch(/TEAMS_CONNECTIONS: is not JSON/);
    expect(
      thrown(() => readTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'x', TEAMS_CONNECTIONS: JSON.stringify([{ app_id: other, tenant_id: other }]) }, 'development')).details,
    ).toEqual(['TEAMS_CONNECTIONS.0: give exactly one credential: secret, cert_pem_file with cert_key_file, or federated_client_id']);
    expect(thrown(() => readTeamsConfig({ TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'x', TEAMS_FEDERATED_CLIENT_ID: other }, 'development')).message).toMatch(/one credential/);
  });

  it('serves more app registrations on one endpoint: SDK connections picked by audience, and sends as the app a tenant uses', () => {
    const kommune = '44444444-0000-0000-0000-000000000004';
    const cfg = readTeamsConfig(
      {
        TEAMS_APP_ID: APP_ID,
        TEAMS_APP_PASSWORD: 's3cret',
        TEAMS_TENANT_ID: 'aaaaaaaa-0000-0000-0000-000000000001',
        TEAMS_CONNECTIONS: JSON.stringify([{ app_id: kommune, tenant_id: 'bbbbbbbb-0000-0000-0000-000000000002', federated_client_id: '55555555-0000-0000-0000-000000000005' }]),
      },
      'production',
    );
    const sdk = authConfiguration(cfg) as { clientId: string; connections: Map<string, { clientId: string; tenantId: string; validateIssuer: boolean; federatedClientId?: string }>; connectionsMap: unknown[] };
    expect(sdk.clientId).toBe(APP_ID);
    expect([...sdk.connections.values()].map((c) => [c.clientId, c.tenantId, c.validateIssuer])).toEqual([
      [APP_ID, 'aaaaaaaa-0000-0000-0000-000000000001', true],
      [kommune, 'bbbbbbbb-0000-0000-0000-000000000002', true],
    ]);
    expect(sdk.connections.get('registration2')?.federatedClientId).toBe('55555555-0000-0000-0000-000000000005');
    expect(sdk.connectionsMap).toEqual([
      { serviceUrl: '*', audience: APP_ID, connection: 'serviceConnection' },
      { serviceUrl: '*', audience: kommune, connection: 'registration2' },
    ]);
    if (cfg.auth.mode !== 'authenticated') throw new Error('expected credentials');
    expect(sendingAppId(cfg.auth, `28:${kommune}`)).toBe(kommune);
    expect(sendingAppId(cfg.auth, `28:${APP_ID}`)).toBe(APP_ID);
    expect(sendingAppId(cfg.auth, '28:someone-else')).toBe(APP_ID);
  });

  it('refuses anonymous mode with NODE_ENV=production, naming the variables to set', () => {
    const err = thrown(() => readTeamsConfig({}, 'production'));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toMatch(/refused with NODE_ENV=production/);
    expect(err.message).toMatch(/TEAMS_APP_ID and TEAMS_APP_PASSWORD/);
  });

  it('refuses half a configuration and malformed ids, saying what to fix', () => {
    expect(thrown(() => readTeamsConfig({ TEAMS_APP_ID: APP_ID }, 'development')).message).toMatch(/TEAMS_APP_PASSWORD is not/);
    expect(thrown(() => readTeamsConfig({ TEAMS_APP_PASSWORD: 'x' }, 'development')).message).toMatch(/TEAMS_APP_ID is not/);
    expect(thrown(() => readTeamsConfig({ TEAMS_APP_ID: 'samla-bot', TEAMS_APP_PASSWORD: 'x' }, 'development')).details).toEqual([
      'TEAMS_APP_ID: must be the app (client) id of the bot, a GUID like 00000000-0000-0000-0000-000000000000',
    ]);
  });

  it('stops the start in production without credentials', async () => {
    const err = await startSamla({ settings: readEnv({ NODE_ENV: 'production', REDIS_URL: 'redis://127.0.0.1:1' }), port: 0 }).then(
      () => expect.unreachable('Samla started'),
      (e: unknown) => e as SamlaError,
    );
    expect(err).toBeInstanceOf(SamlaError);
    expect(err.message).toMatch(/TEAMS_APP_ID/);
  });

  it('says in its log at start that it runs anonymously', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    h = await startHarness({ logger: pino({ level: 'info' }, sink) });
    const warning = lines.map((l) => JSON.parse(l) as { level: number; msg: string }).find((l) => /ANONYMOUSLY/.test(l.msg));
    expect(warning?.level).toBe(40);
  });
});

describe('with an app id configured', () => {
  it('answers an unsigned activity with 401 and stores nothing', async () => {
    h = await startHarness({ env: { TEAMS_APP_ID: APP_ID, TEAMS_APP_PASSWORD: 'not-used-in-this-test' } });
    expect(h.plugin.config.auth.mode).toBe('authenticated');
    const before = await snapshot(h.redis.redis, h.redis.prefix);
    const unsigned = await h.post(personalMessage(h, PEOPLE.kjetil, 'status Alt går fint'));
    expect(unsigned.status).toBe(401);
    const forged = await h.post(personalMessage(h, PEOPLE.kjetil, 'status Alt går fint'), { authorization: 'Bearer not.a.token' });
    expect(forged.status).toBe(401);
    expect(await snapshot(h.redis.redis, h.redis.prefix)).toEqual(before);
    expect(h.fake.calls).toEqual([]);
  });
});

describe('when Redis is unavailable', () => {
  it('tells the person, in their language, that Samla is unavailable and nothing was saved', async () => {
    h = await startHarness();
    h.appRedis.disconnect();
    const res = await h.post(personalMessage(h, PEOPLE.eirik, 'status', { locale: 'nn-NO' }));
    expect(res.status).toBe(200);
    expect(h.fake.lastMessage().body.text).toBe('Samla er ikkje tilgjengeleg akkurat no. Ingenting vart lagra. Prøv igjen om eitt minutt.');
  });
});
