/**
 * Teams authentication: token validation with an app id, anonymous mode for local use (logged),
 * refused in production; and Redis going away mid-conversation.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
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
      auth: { mode: 'authenticated', appId: APP_ID, appPassword: 's3cret' },
      bodyLimit: '256kb',
    });
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
