/**
 * The weekly digest through the scheduler, two Mondays in a row, on a fake clock with recording
 * platforms: the organisers get it in their own language, municipalities most serious first,
 * and the second week says what is new and what was resolved, the same for both organisers
 * whichever digest went out first. On-demand digests compare with the last one sent and save
 * nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTexts } from '../src/app/prompts.ts';
import { main } from '../src/cli/main.ts';
import { digestCommand, readDigest } from '../src/core/journeys/digest.ts';
import { whoAmI, type JourneyContext } from '../src/core/journeys/context.ts';
import type { NetworkDefinition } from '../src/core/model.ts';
import { exampleNetwork } from './helpers/exampleNetwork.ts';
import { draftText, type RecordedCall } from './helpers/recordingPlatform.ts';
import { oslo, schedulerHarness, type Harness } from './helpers/scheduler.ts';

const NETWORK = 'agder-helse-2027';
const INGRID = 'ingrid.fjeld@example.no';
const KARI = 'kari.nord@example.no';

function network(): NetworkDefinition {
  const def = exampleNetwork();
  def.organisers.push({ name: 'Kari Nord', email: KARI, platform: 'teams', locale: 'nb' });
  return def;
}

/** The "<municipality>: reasons." lines of a digest, in order. */
function lines(call: RecordedCall): string[] {
  return draftText(call.draft)
    .split('\n')
    .filter((l) => /^(Flekkefjord|Arendal|Lyngdal|Kristiansand): /.test(l));
}

let h: Harness;
beforeAll(async () => {
  h = await schedulerHarness({ def: network(), importAt: '2027-04-10T10:00' });
  await h.store.recordStatus({ id: 's1', network: NETWORK, municipality: '4204', email: 'ola.hansen@kristiansand.example.no', at: oslo('2027-04-09T10:00').toISOString(), text: 'SWOT i gang' });
});
afterAll(async () => {
  await h?.close();
});

describe('the weekly digest, two weeks running', () => {
  let week1: { ingrid: RecordedCall; kari: RecordedCall };

  it('week 1: most serious first, each with its reasons, in each organiser’s language; nothing marked new the first time', async () => {
    await h.passAt('2027-04-12T08:00');
    const [ingrid] = h.slack.to(INGRID);
    const [kari] = h.teams.to(KARI);
    week1 = { ingrid: ingrid!, kari: kari! };
    expect(lines(ingrid!)).toEqual([
      // high, medium, low counts: Flekkefjord 1-1-1, Arendal 1-0-2, Lyngdal 1-0-2 (by name), Kristiansand 0-0-1
      'Flekkefjord: no status since the kick-off, 60 days; no steering group is registered; no reflection group is registered.',
      'Arendal: no status since the kick-off, 60 days; the steering group lacks a union representative and top management; no reflection notes for 60 days.',
      'Lyngdal: no status since the kick-off, 60 days; the steering group lacks a union representative; no reflection group is registered.',
      'Kristiansand: no reflection notes for 60 days.',
    ]);
    expect(kari!.draft.fallback).toBe('Ukesoversikt for Læringsnettverk helse og omsorg Agder 2027: 4 av 4 kommuner kan trenge støtte');
    expect(lines(kari!)[3]).toBe('Kristiansand: ingen refleksjonsnotater på 60 dager.');
    expect(draftText(ingrid!.draft)).not.toContain('(new)');
    expect(draftText(ingrid!.draft)).toContain('Perhaps a phone call or a short meeting would help?');
    expect(await h.store.lastDigestSnapshot(NETWORK)).toMatchObject({
      key: `${NETWORK}:digest:2027-04-12T08:00`,
      snapshot: { '4204': ['reflection_silent'], '4225': ['status_stale', 'steering_missing_party', 'reflection_silent'] },
    });
  });

  it('on demand in between: the same comparison with last week, for organisers only, and nothing saved', async () => {
    h.clock.set('2027-04-14T10:00');
    const ctx: JourneyContext = { store: h.store, texts: loadTexts(), now: h.clock.now };
    const ingrid = (await whoAmI(ctx, INGRID))!;
    const shown = await digestCommand(ctx, ingrid, '');
    expect(shown.kind).toBe('digest');
    expect(draftText(shown.kind === 'digest' ? shown.message : { fallback: '', blocks: [] })).toContain('“New” and “better” count from the weekly digest of Monday 12 April.');
    const ola = (await whoAmI(ctx, 'ola.hansen@kristiansand.example.no'))!;
    expect(await digestCommand(ctx, ola, '')).toEqual({ kind: 'refused', message: 'Ukesoversikten er bare for arrangørene av nettverket.' });
    expect(await digestCommand(ctx, ola, NETWORK)).toEqual({ kind: 'refused', message: 'Ukesoversikten er bare for arrangørene av nettverket.' });
    const read = await readDigest(ctx, { operator: true, locale: 'en' }, NETWORK);
    expect(read.previous?.key).toBe(`${NETWORK}:digest:2027-04-12T08:00`);
    expect((await h.store.lastDigestSnapshot(NETWORK))?.key).toBe(`${NETWORK}:digest:2027-04-12T08:00`);
  });

  it('week 2: what is new and what was resolved since week 1, the same for both organisers', async () => {
    // During the week Lyngdal reports status and Anne writes a note in Kristiansand; meanwhile
    // no steering group has met for over 60 days since the kick-off.
    await h.store.recordStatus({ id: 's2', network: NETWORK, municipality: '4225', email: 'eirik.solberg@lyngdal.example.no', at: oslo('2027-04-15T10:00').toISOString(), text: 'I gang' });
    await h.store.recordReflection({ id: 'r1', network: NETWORK, municipality: '4204', gathering: 'samling-1', email: 'anne.moe@kristiansand.example.no', at: oslo('2027-04-16T10:00').toISOString(), topic: 't', discussed: 'd', willTry: 'w', share: 'no' });
    await h.passAt('2027-04-19T08:00');
    const ingrid = h.slack.to(INGRID).at(-1)!;
    const kari = h.teams.to(KARI).at(-1)!;
    expect(ingrid).not.toBe(week1.ingrid);
    expect(lines(ingrid)).toEqual([
      'Arendal: no status since the kick-off, 67 days; the steering group has not met since Oppstartssamling (new); the steering group lacks a union representative and top management; no reflection notes for 67 days.',
      'Flekkefjord: no status since the kick-off, 67 days; no steering group is registered; no reflection group is registered.',
      'Lyngdal: the steering group has not met since Oppstartssamling (new); the steering group lacks a union representative; no reflection group is registered.',
      'Kristiansand: the steering group has not met since Oppstartssamling (new).',
    ]);
    expect(draftText(ingrid.draft)).toContain('Better since last week: Kristiansand (reflection notes); Lyngdal (status)');
    expect(lines(kari)[3]).toBe('Kristiansand: styringsgruppen har ikke møttes siden Oppstartssamling (ny).');
    expect(draftText(kari.draft)).toContain('Bedre siden sist: Kristiansand (refleksjonsnotater); Lyngdal (status)');
    // Both organisers' digests were compared with week 1, not with each other.
    expect((await h.store.lastDigestSnapshot(NETWORK))?.snapshot['4204']).toEqual(['steering_silent']);
    expect((await h.store.lastDigestSnapshot(NETWORK, oslo('2027-04-19T08:00')))?.key).toBe(`${NETWORK}:digest:2027-04-12T08:00`);
  });

  it('is never sent to anyone in a municipality', () => {
    const organisers = new Set([INGRID, KARI]);
    const digests = h.accepted().filter((c) => /Weekly digest|Ukesoversikt/.test(c.draft.fallback));
    expect(digests).toHaveLength(4);
    expect(digests.every((c) => organisers.has(c.email))).toBe(true);
  });
});

describe('samla digest <network>', () => {
  async function cli(...args: string[]) {
    let stdout = '';
    let stderr = '';
    const code = await main(args, {
      env: { REDIS_URL: h.url, SAMLA_REDIS_PREFIX: h.prefix },
      now: () => oslo('2027-04-20T10:00'),
      stdout: { write: (s: string) => void (stdout += s) },
      stderr: { write: (s: string) => void (stderr += s) },
    });
    return { code, stdout, stderr };
  }

  it('--csv: one row per municipality and signal, reasons in English, evidence as JSON', async () => {
    const r = await cli('digest', NETWORK, '--csv');
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\r\n');
    expect(rows[0]).toBe('network,municipality,name,kind,severity,new,reason,evidence');
    expect(rows).toContain(`${NETWORK},4204,Kristiansand,steering_silent,medium,no,the steering group has not met since Oppstartssamling,"{""lastMeeting"":null,""days"":68,""sinceGathering"":""Oppstartssamling""}"`);
    expect(rows.filter((l) => l.startsWith(`${NETWORK},4207,`)).map((l) => l.split(',')[3])).toEqual(['status_stale', 'no_steering_group', 'reflection_silent']);
    expect(rows).toHaveLength(1 + 4 + 3 + 3 + 1);
  });

  it('--json: the Digest object, compared with the last digest sent', async () => {
    const r = await cli('digest', NETWORK, '--json');
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ network: NETWORK, total: 4, generatedAt: oslo('2027-04-20T10:00').toISOString(), resolved: [] });
    expect(d.attention.map((a: { name: string }) => a.name)).toEqual(['Arendal', 'Flekkefjord', 'Lyngdal', 'Kristiansand']);
    expect(d.attention[0].signals[0]).toMatchObject({ kind: 'status_stale', severity: 'high', evidence: { lastStatus: null, days: 68 } });
  });

  it('prints the digest as text, in the language asked for, and says plainly when the network does not exist', async () => {
    const text = await cli('digest', NETWORK, '--locale', 'nn');
    expect(text.stdout).toContain('Vekeoversikt for Læringsnettverk helse og omsorg Agder 2027');
    expect(text.stdout).toContain('Kristiansand: styringsgruppa har ikkje hatt møte sidan Oppstartssamling.');
    const missing = await cli('digest', 'no-such-network');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('There is no network "no-such-network". Known networks: agder-helse-2027.');
    expect((await cli('digest', NETWORK, '--json', '--csv')).code).toBe(2);
    const earlier = JSON.parse((await cli('digest', NETWORK, '--json', '--at', '2027-01-10T09:00')).stdout);
    expect(earlier.generatedAt).toBe(oslo('2027-01-10T09:00').toISOString());
    expect(earlier.attention.map((a: { name: string }) => a.name)).toEqual(['Flekkefjord', 'Arendal', 'Lyngdal']); // only who is missing, before the kick-off
  });
});
