/**
 * The example network (examples/network.yaml) as the parser should return it, built by hand so
 * tests of the calendar and agenda do not depend on the parser. Mirrors every field of the file;
 * keep the two in step.
 */
import type { NetworkDefinition, Offset } from '../../src/core/model.ts';

/** An Offset as the parser makes it from "-21d", "+7d", "14d", "-2h". */
export function offset(text: string): Offset {
  const m = /^([+-]?)(\d+)([wdhm])$/.exec(text);
  if (!m) throw new Error(`bad offset ${text}`);
  return { text, sign: m[1] === '-' ? -1 : 1, amount: Number(m[2]), unit: m[3] as Offset['unit'] };
}

export function exampleNetwork(): NetworkDefinition {
  return {
    id: 'agder-helse-2027',
    name: 'Læringsnettverk helse og omsorg Agder 2027',
    programme: 'Kompetanseløft 2027',
    timezone: 'Europe/Oslo',
    locale: 'nb',
    organisers: [{ name: 'Ingrid Fjeld', email: 'ingrid.fjeld@example.no', platform: 'slack', locale: 'en' }],
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
          { name: 'Anne Moe', email: 'anne.moe@kristiansand.example.no', roles: ['refleksjonsgruppe', 'deltaker'] },
        ],
      },
      {
        id: '4203',
        name: 'Arendal',
        platform: 'teams',
        members: [
          { name: 'Kjetil Dahl', email: 'kjetil.dahl@arendal.example.no', roles: ['prosjektleder'] },
          { name: 'Hilde Vik', email: 'hilde.vik@arendal.example.no', roles: ['styringsgruppe'], party: 'politiker', chair: true },
          { name: 'Tone Aas', email: 'tone.aas@arendal.example.no', roles: ['refleksjonsgruppe', 'deltaker'] },
        ],
      },
      {
        id: '4225',
        name: 'Lyngdal',
        platform: 'teams',
        locale: 'nn',
        members: [
          { name: 'Eirik Solberg', email: 'eirik.solberg@lyngdal.example.no', roles: ['prosjektleder'], locale: 'nn' },
          { name: 'Marit Hauge', email: 'marit.hauge@lyngdal.example.no', roles: ['styringsgruppe'], party: 'administrasjon', chair: true },
        ],
      },
      {
        id: '4207',
        name: 'Flekkefjord',
        platform: 'slack',
        members: [{ name: 'Lars Eide', email: 'lars.eide@flekkefjord.example.no', roles: ['prosjektleder'] }],
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
      {
        id: 'samling-2',
        title: 'Nettverkssamling 2',
        starts: '2027-05-05T09:00',
        ends: '2027-05-05T15:30',
        location: 'Arendal',
        tasks: [
          {
            id: 'swot',
            title: 'Gjennomfør en SWOT-analyse av kompetansesituasjonen',
            for: ['prosjektleder', 'styringsgruppe'],
            send: offset('-28d'),
            due: offset('-5d'),
          },
          {
            id: 'refleksjon-tema',
            title: 'Drøft i refleksjonsgruppen hva dere vil ha ut av samlingen',
            for: ['refleksjonsgruppe'],
            send: offset('-14d'),
            due: offset('-2d'),
          },
        ],
        checkin: { send: offset('-3d') },
        reflection: { send: offset('+7d') },
      },
      {
        id: 'samling-3',
        title: 'Avslutningssamling',
        starts: '2027-10-27T09:00',
        ends: '2027-10-27T15:00',
        location: 'Lyngdal',
        tasks: [
          {
            id: 'plan-utkast',
            title: 'Legg fram utkast til strategisk kompetanseplan',
            for: ['prosjektleder'],
            send: offset('-35d'),
            due: offset('-7d'),
          },
        ],
        checkin: { send: offset('-3d') },
        reflection: { send: offset('+7d') },
      },
    ],
    checkin: {
      questions: [
        { id: 'attending', kind: 'choice', text: 'Kommer du på samlingen?', options: ['ja', 'nei', 'usikker'] },
        { id: 'prepared', kind: 'choice', text: 'Er forberedelsesoppgavene gjort?', options: ['ja', 'delvis', 'nei'] },
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
