/**
 * A tiny, valid network definition built by hand (no YAML parser): two municipalities, one
 * gathering with one task, an organiser and four members (five people), one of them in both
 * municipalities.
 * Every call returns a fresh copy, so tests may edit it.
 */
import type { NetworkDefinition, Offset } from '../../src/core/model.ts';

function offset(text: string): Offset {
  const m = /^([+-]?)(\d+)([wdhm])$/.exec(text);
  if (!m) throw new Error(`bad offset ${text}`);
  return { text, sign: m[1] === '-' ? -1 : 1, amount: Number(m[2]), unit: m[3] as Offset['unit'] };
}

/** The sample network, with the given id. */
export function sampleNetwork(id = 'test-nettverk'): NetworkDefinition {
  return {
    id,
    name: 'Testnettverk Agder',
    programme: 'Testprogram',
    timezone: 'Europe/Oslo',
    locale: 'nb',
    organisers: [{ name: 'Ingrid Fjeld', email: 'Ingrid.Fjeld@example.no', platform: 'slack', locale: 'en' }],
    municipalities: [
      {
        id: '4204',
        name: 'Kristiansand',
        platform: 'slack',
        steeringChannel: 'C07STEER4204',
        members: [
          { name: 'Ola Hansen', email: 'ola.hansen@kristiansand.example.no', roles: ['prosjektleder', 'kontaktperson'] },
          { name: 'Siri Lund', email: 'siri.lund@kristiansand.example.no', roles: ['styringsgruppe'], party: 'administrasjon', chair: true },
          { name: 'Per Berg', email: 'per.berg@kristiansand.example.no', roles: ['styringsgruppe'], party: 'tillitsvalgt' },
        ],
      },
      {
        id: '4225',
        name: 'Lyngdal',
        platform: 'teams',
        locale: 'nn',
        members: [
          { name: 'Eirik Solberg', email: 'eirik.solberg@lyngdal.example.no', roles: ['prosjektleder'] },
          // Per Berg sits in both steering groups; the email differs only in case: one person
          { name: 'Per Berg', email: 'Per.Berg@kristiansand.example.no', roles: ['styringsgruppe'], party: 'tillitsvalgt' },
        ],
      },
    ],
    gatherings: [
      {
        id: 'samling-1',
        title: 'Oppstartssamling',
        starts: '2027-02-10T09:00',
        ends: '2027-02-11T15:00',
        location: 'Kristiansand',
        tasks: [
          {
            id: 'forankring',
            title: 'Avklar mandat og sammensetning for styringsgruppen',
            for: ['prosjektleder', 'styringsgruppe'],
            send: offset('-21d'),
            due: offset('-3d'),
          },
        ],
        checkin: { send: offset('-3d') },
        reflection: { send: offset('+7d') },
      },
    ],
    checkin: {
      questions: [
        { id: 'attending', kind: 'choice', text: 'Kommer du på samlingen?', options: ['ja', 'nei', 'usikker'] },
        { id: 'need', kind: 'text', text: 'Hva trenger dere mest fra denne samlingen?' },
      ],
    },
    status: { every: offset('14d') },
    digest: { cron: '0 8 * * 1' },
    quiet: { hours: { start: '08:00', end: '16:00' }, holidays: 'NO', weekends: true },
    lagging: {
      status_stale_days: 28,
      prep_incomplete_days_before: 2,
      checkin_unanswered: true,
      steering_silent_days: 60,
      reflection_silent_days: 45,
    },
  };
}
