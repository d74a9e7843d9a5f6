/**
 * A generated network file of realistic shape for benchmarks: N municipalities, each with a
 * project leader, a contact person, a steering group of four (one per party, a chair) and a
 * reflection group, the rest participants.
 */
import { stringify } from 'yaml';

export function generateNetworkYaml(municipalities: number, people: number, id = 'bench-network'): string {
  const perMunicipality = Math.floor(people / municipalities);
  const munis = [];
  for (let i = 0; i < municipalities; i++) {
    const kommune = String(1000 + i);
    const members = [];
    for (let j = 0; j < perMunicipality; j++) {
      const email = `p${j}@k${kommune}.example.no`;
      const name = `Person ${j} ${kommune}`;
      if (j === 0) members.push({ name, email, roles: ['prosjektleder', 'kontaktperson'] });
      else if (j <= 4) {
        const party = ['politiker', 'administrasjon', 'tillitsvalgt', 'verneombud'][j - 1];
        members.push({ name, email, roles: ['styringsgruppe'], party, ...(j === 2 ? { chair: true } : {}) });
      } else if (j <= 10) members.push({ name, email, roles: ['refleksjonsgruppe', 'deltaker'] });
      else members.push({ name, email, roles: ['deltaker'] });
    }
    munis.push({ id: kommune, name: `Kommune ${kommune}`, platform: i % 2 ? 'teams' : 'slack', members });
  }
  const gathering = (n: number, starts: string, ends: string) => ({
    id: `samling-${n}`,
    title: `Samling ${n}`,
    starts,
    ends,
    location: 'Oslo',
    tasks: [
      { id: `forarbeid-${n}`, title: 'Forarbeid', for: ['prosjektleder', 'styringsgruppe'], send: '-21d', due: '-3d' },
      { id: `refleksjon-${n}`, title: 'Refleksjon', for: ['refleksjonsgruppe'], send: '-14d', due: '-2d' },
    ],
    checkin: { send: '-3d' },
    reflection: { send: '+7d' },
  });
  return stringify({
    id,
    name: 'Benchmark network',
    programme: 'Bench',
    timezone: 'Europe/Oslo',
    locale: 'nb',
    organisers: [{ name: 'Org Aniser', email: 'org@example.no', platform: 'slack' }],
    municipalities: munis,
    gatherings: [
      gathering(1, '2027-02-10T09:00', '2027-02-11T15:00'),
      gathering(2, '2027-05-05T09:00', '2027-05-05T15:30'),
      gathering(3, '2027-10-27T09:00', '2027-10-27T15:00'),
    ],
  });
}
