/**
 * The demo network: a copy of the example network (examples/network.yaml) with a history, so the
 * lagging signals, the digest and the dashboard have something to say on a fresh machine.
 *
 * **The demo clock.** The history is dated relative to DEMO_START, Monday 26 April 2027 at
 * 10:00 (Europe/Oslo): samling 1 (10-11 February) is over and samling 2 (5 May, Arendal) is nine
 * days away, the moment the domain sketch ("Monday 08:00, the organiser") describes. The demo
 * runs on a simulated clock that starts there (./demoClock.ts); the chat page moves it forward.
 * Real dates could not be used: the example's gatherings are fixed in 2027.
 *
 * What the copy changes: its id and name (so it never collides with the example imported for
 * real); everyone on Teams (the local chat is Teams' endpoint); no Slack steering channel; a
 * second organiser (bokmål, since Ingrid reads English); a participant each in Arendal and
 * Lyngdal. It is imported twice: in January with Kari Nes leading Flekkefjord, and in March with
 * Lars Eide instead (a project-leader change, one of the lagging signals).
 *
 * The four municipalities, as of DEMO_START:
 * - Kristiansand is on track: a status every two weeks, the steering group meets, the reflection
 *   group writes notes, the preparation for samling 2 is well under way.
 * - Arendal is a bit behind: a status once a month, "a bit behind", half the preparation done,
 *   a steering group of one party, the last reflection note seven weeks old.
 * - Lyngdal is drifting, as in the domain sketch: no status for five weeks (and that one said
 *   "on track" while its participants said they were not prepared), the steering group has not
 *   met since samling 1, no preparation done, no reflection group.
 * - Flekkefjord has a new project leader and no steering group.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { localToInstant } from '../core/calendar.ts';
import { exportNetworkFile, parseNetworkFile } from '../core/networkFile.ts';
import type { CheckinAnswer, Member, NetworkDefinition, OverallState, PlanPart, ReflectionNote, StatusReport, SteeringMeeting, TaskCompletion } from '../core/model.ts';
import type { NetworkStore } from '../core/ports.ts';

/** The network file loaded when Samla holds no network yet (./main.ts), and the demo's source. */
export const EMBEDDED_NETWORK = fileURLToPath(new URL('../../examples/network.yaml', import.meta.url));

export const DEMO_NETWORK_ID = 'agder-helse-demo';
/** The demo clock's starting point, local time in the network's zone. */
export const DEMO_START_LOCAL = '2027-04-26T10:00';
const ZONE = 'Europe/Oslo';

/** The demo network is imported twice (January, then March), so its version is 2. */
export const DEMO_VERSIONS = 2;

export function demoStart(): Date {
  return localToInstant(DEMO_START_LOCAL, ZONE);
}

const at = (local: string) => localToInstant(local, ZONE).toISOString();

const JONAS: Member = { name: 'Jonas Berge', email: 'jonas.berge@arendal.example.no', roles: ['deltaker'] };
const SIGRID: Member = { name: 'Sigrid Tjørhom', email: 'sigrid.tjorhom@lyngdal.example.no', roles: ['deltaker'], locale: 'nn' };
const KARI: Member = { name: 'Kari Nes', email: 'kari.nes@flekkefjord.example.no', roles: ['prosjektleder'] };

/**
 * The demo network as it is now (`current`) and as first imported in January (`first`, with
 * Kari Nes leading Flekkefjord). Both go through the network file format, so they are valid.
 */
export function demoDefinitions(exampleFile = EMBEDDED_NETWORK): { first: NetworkDefinition; current: NetworkDefinition } {
  const example = parseNetworkFile(readFileSync(exampleFile, 'utf8'), exampleFile);
  const current: NetworkDefinition = structuredClone(example);
  current.id = DEMO_NETWORK_ID;
  current.name = `${example.name} (demo)`;
  current.organisers = [
    ...example.organisers.map((o) => ({ ...o, platform: 'teams' as const })),
    { name: 'Astrid Nilsen', email: 'astrid.nilsen@ks.example.no', platform: 'teams', locale: 'nb' },
  ];
  current.municipalities = example.municipalities.map((m) => {
    const { steeringChannel: _slackChannel, ...rest } = m;
    const members = m.members.map(({ platform: _p, ...p }) => p);
    if (m.id === '4203') members.push(JONAS);
    if (m.id === '4225') members.push(SIGRID);
    return { ...rest, platform: 'teams' as const, members };
  });
  const first: NetworkDefinition = structuredClone(current);
  const flekkefjord = first.municipalities.find((m) => m.id === '4207');
  if (flekkefjord) flekkefjord.members = [KARI];
  const valid = (d: NetworkDefinition) => parseNetworkFile(exportNetworkFile(d), 'demo-network.yaml');
  return { first: valid(first), current: valid(current) };
}

/* ---------- the history ---------- */

const OLA = 'ola.hansen@kristiansand.example.no';
const SIRI = 'siri.lund@kristiansand.example.no';
const PER = 'per.berg@kristiansand.example.no';
const ANNE = 'anne.moe@kristiansand.example.no';
const KJETIL = 'kjetil.dahl@arendal.example.no';
const HILDE = 'hilde.vik@arendal.example.no';
const TONE = 'tone.aas@arendal.example.no';
const EIRIK = 'eirik.solberg@lyngdal.example.no';
const MARIT = 'marit.hauge@lyngdal.example.no';
const LARS = 'lars.eide@flekkefjord.example.no';

type Status = [municipality: string, email: string, local: string, overall: OverallState | undefined, fields: Partial<Pick<StatusReport, 'done' | 'next' | 'blockers' | 'text' | 'steeringMet'>>, planParts?: PlanPart[]];

const STATUSES: Status[] = [
  ['4204', OLA, '2027-02-24T14:10', 'on_track', { done: 'Styringsgruppen har vedtatt mandatet. Tre enheter i hjemmetjenesten er med.', next: 'Kartlegge kompetansen i de tre enhetene.', steeringMet: true }, ['purpose', 'baseline']],
  ['4204', OLA, '2027-03-10T09:30', 'on_track', { done: 'SWOT-analysen er i gang i to enheter.', next: 'Samle resultatene i én oversikt.' }, ['purpose', 'baseline', 'measurable_goals']],
  ['4204', OLA, '2027-03-24T15:05', 'on_track', { done: 'Første utkast til mål med indikatorer. Styringsgruppen har sett det.', next: 'Milepælsplan.', steeringMet: true }, ['purpose', 'baseline', 'measurable_goals', 'milestones']],
  ['4204', OLA, '2027-04-07T10:20', 'on_track', { done: 'Milepælsplan vedtatt.', next: 'SWOT i den tredje enheten.' }, ['purpose', 'baseline', 'measurable_goals', 'milestones']],
  ['4204', OLA, '2027-04-21T13:45', 'on_track', { done: 'SWOT ferdig i alle tre enheter.', next: 'Forberede presentasjonen til samling 2.' }, ['purpose', 'baseline', 'measurable_goals', 'milestones']],
  ['4203', KJETIL, '2027-02-25T11:00', 'on_track', { done: 'Prosjektgruppen er satt sammen.', next: 'Starte SWOT.' }, ['purpose']],
  ['4203', KJETIL, '2027-03-18T14:30', 'a_bit_behind', { done: 'Lite, på grunn av sykefravær i enheten.', blockers: 'Sykefravær; SWOT er utsatt til april.', steeringMet: false }, ['purpose']],
  ['4203', KJETIL, '2027-04-15T09:15', 'a_bit_behind', { done: 'SWOT er påbegynt.', next: 'Få styringsgruppen til å møtes før samling 2.', blockers: 'Styringsgruppen har bare politisk representant.', steeringMet: false }, ['purpose', 'baseline']],
  ['4225', EIRIK, '2027-02-18T10:00', 'on_track', { done: 'Vi har kome i gang etter oppstartssamlinga.', next: 'Planleggje SWOT.' }, ['purpose']],
  ['4225', EIRIK, '2027-03-22T12:40', 'on_track', { done: 'Planlegg SWOT i april.', next: 'SWOT i april.' }, ['purpose']],
  ['4207', KARI.email, '2027-02-26T13:00', 'a_bit_behind', { done: 'Lite tid til prosjektet i februar.', blockers: 'Eg sluttar som prosjektleiar i mars.' }],
  ['4207', LARS, '2027-03-29T10:30', 'needs_help', { done: 'Jeg har overtatt som prosjektleder.', blockers: 'Ny i rollen, og vi har ingen styringsgruppe ennå.' }],
];

type Answer = [gathering: string, task: string, municipality: string, email: string, answer: TaskCompletion['answer'], local: string, comment?: string];

const TASKS: Answer[] = [
  ['samling-1', 'forankring', '4204', OLA, 'done', '2027-02-03T10:15'],
  ['samling-1', 'forankring', '4204', SIRI, 'done', '2027-02-04T09:40'],
  ['samling-1', 'forankring', '4204', PER, 'done', '2027-02-05T13:05', 'Drøftet i arbeidsmiljøutvalget.'],
  ['samling-1', 'forankring', '4203', KJETIL, 'done', '2027-02-06T11:20'],
  ['samling-1', 'forankring', '4203', HILDE, 'done', '2027-02-09T08:50'],
  ['samling-1', 'forankring', '4225', EIRIK, 'done', '2027-02-08T14:00'],
  ['samling-1', 'forankring', '4225', MARIT, 'not_yet', '2027-02-07T10:30', 'Styringsgruppa har ikkje møtt enno.'],
  ['samling-1', 'forankring', '4207', KARI.email, 'done', '2027-02-05T15:10'],
  ['samling-2', 'swot', '4204', OLA, 'done', '2027-04-20T14:00'],
  ['samling-2', 'swot', '4204', SIRI, 'done', '2027-04-22T09:10'],
  ['samling-2', 'swot', '4204', PER, 'not_yet', '2027-04-23T12:30', 'Tar det med i tillitsvalgtforum 28. april.'],
  ['samling-2', 'refleksjon-tema', '4204', ANNE, 'done', '2027-04-23T13:00'],
  ['samling-2', 'swot', '4203', KJETIL, 'done', '2027-04-19T10:45'],
  ['samling-2', 'swot', '4207', LARS, 'not_yet', '2027-04-12T09:05', 'Har ikke fått satt av tid ennå.'],
];

type Checkin = [municipality: string, email: string, local: string, attending: string, prepared: string, need?: string];

const CHECKINS_SAMLING_1: Checkin[] = [
  ['4204', OLA, '2027-02-08T09:10', 'ja', 'ja', 'Eksempler på hvordan andre har forankret arbeidet politisk'],
  ['4204', SIRI, '2027-02-08T10:00', 'ja', 'ja'],
  ['4204', PER, '2027-02-08T12:15', 'ja', 'delvis'],
  ['4204', ANNE, '2027-02-08T13:30', 'ja', 'ja', 'Tid til å snakke med de andre refleksjonsgruppene'],
  ['4203', KJETIL, '2027-02-08T09:45', 'ja', 'ja'],
  ['4203', HILDE, '2027-02-09T08:30', 'ja', 'delvis'],
  ['4203', TONE, '2027-02-08T14:00', 'ja', 'ja', 'Konkrete verktøy for refleksjon på arbeidsplassen'],
  ['4203', JONAS.email, '2027-02-09T09:20', 'ja', 'nei'],
  ['4225', EIRIK, '2027-02-08T11:00', 'ja', 'ja'],
  ['4225', MARIT, '2027-02-09T10:10', 'nei', 'nei'],
  ['4225', SIGRID.email, '2027-02-09T11:40', 'ja', 'delvis', 'Korleis få med dei tilsette på kveldsvakt'],
  ['4207', KARI.email, '2027-02-08T15:00', 'ja', 'delvis'],
];

const REFLECTIONS: [municipality: string, email: string, local: string, topic: string, discussed: string, willTry: string, share: ReflectionNote['share'], gathering?: string][] = [
  [
    '4204',
    ANNE,
    '2027-02-19T14:00',
    'Hva vi tok med hjem fra oppstartssamlingen',
    'At de andre kommunene også strever med å få tid til kompetansearbeid i turnus.',
    'Ti minutter refleksjon på personalmøtet annenhver uke.',
    'anonymised',
    'samling-1',
  ],
  ['4204', ANNE, '2027-04-13T13:30', 'Brukermedvirkning i hjemmetjenesten', 'Hvordan vi spør brukerne hva som er viktig for dem.', 'Å spørre «hva er viktig for deg?» ved hvert nytt vedtak.', 'anonymised'],
  ['4203', TONE, '2027-03-09T14:15', 'Samtaler om arbeidstid', 'Hvordan deltidsansatte får være med på refleksjon.', 'Legge refleksjonen til vaktskiftet.', 'no'],
];

const STEERING: [municipality: string, local: string, attendees: SteeringMeeting['attendees'], loggedBy: string][] = [
  ['4204', '2027-02-24', [{ name: 'Siri Lund', party: 'administrasjon' }, { name: 'Per Berg', party: 'tillitsvalgt' }, { name: 'Ola Hansen' }], OLA],
  ['4204', '2027-03-30', [{ name: 'Siri Lund', party: 'administrasjon' }, { name: 'Per Berg', party: 'tillitsvalgt' }, { name: 'Ola Hansen' }], OLA],
  ['4203', '2027-03-03', [{ name: 'Hilde Vik', party: 'politiker' }, { name: 'Kjetil Dahl' }], KJETIL],
];

/** Imports the demo network (January, then March) and records its history. */
export async function loadDemoNetwork(store: NetworkStore, exampleFile?: string): Promise<NetworkDefinition> {
  const { first, current } = demoDefinitions(exampleFile);
  await store.importNetwork(first, { actor: 'demo', now: new Date(at('2027-01-12T10:00')) });
  await store.importNetwork(current, { actor: 'demo', now: new Date(at('2027-03-15T12:00')) });
  const n = DEMO_NETWORK_ID;

  let i = 0;
  for (const [m, email, local, overall, fields, planParts] of STATUSES) {
    await store.recordStatus({ id: `demo-status-${++i}`, network: n, municipality: m, email, at: at(local), ...(overall ? { overall } : {}), ...fields, ...(planParts ? { planParts } : {}) });
  }
  for (const [g, task, m, email, answer, local, comment] of TASKS) {
    await store.recordTaskCompletion({ network: n, gathering: g, task, municipality: m, email, answer, at: at(local), ...(comment ? { comment } : {}) });
  }
  for (const [m, email, local, attending, prepared, need] of CHECKINS_SAMLING_1) {
    const answers: CheckinAnswer['answers'] = { attending, prepared, ...(need ? { need } : {}) };
    await store.recordCheckin({ network: n, gathering: 'samling-1', municipality: m, email, answers, at: at(local) });
  }
  i = 0;
  for (const [m, email, local, topic, discussed, willTry, share, gathering] of REFLECTIONS) {
    await store.recordReflection({ id: `demo-note-${++i}`, network: n, municipality: m, email, at: at(local), topic, discussed, willTry, share, ...(gathering ? { gathering } : {}) });
  }
  i = 0;
  for (const [m, date, attendees, loggedBy] of STEERING) {
    await store.recordSteeringMeeting({ id: `demo-meeting-${++i}`, network: n, municipality: m, date, attendees, loggedBy, at: at(`${date}T16:00`) });
  }
  return current;
}
