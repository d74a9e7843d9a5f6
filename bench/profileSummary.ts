/**
 * Sums a V8 .cpuprofile (BENCH_PROFILE of bench/slackStatus.bench.ts, or `node --cpu-prof`) by
 * function: the top self times and inclusive times, as milliseconds and as a share of the busy
 * (not idle) time, and the busy time per request when the request count is given.
 *
 *   node --import tsx bench/profileSummary.ts <file.cpuprofile> [top=40] [requests] [filter]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg, requestsArg, filter] = process.argv.slice(2);
if (!file) throw new Error('usage: profileSummary.ts <file.cpuprofile> [top] [requests] [filter]');
const top = Number(topArg ?? 40);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const name = (n: ProfileNode): string => {
  const cf = n.callFrame;
  const where = cf.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(src|adapters|bench|test)\//, '$1/');
  return `${cf.functionName || '(anonymous)'} ${where}${where ? `:${cf.lineNumber + 1}` : ''}`;
};

const timeOf = new Map<number, number>();
profile.samples.forEach((id, i) => timeOf.set(id, (timeOf.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let total = 0;
let idle = 0;
for (const [id, t] of timeOf) {
  total += t;
  const leaf = name(byId.get(id)!);
  if (leaf.startsWith('(idle)')) idle += t;
  self.set(leaf, (self.get(leaf) ?? 0) + t);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const k = name(byId.get(cur)!);
    if (seen.has(k)) continue; // recursion counts once
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + t);
  }
}
const busy = total - idle;
const requests = requestsArg ? Number(requestsArg) : undefined;
console.log(
  `${file}: ${(total / 1000).toFixed(0)} ms sampled, ${(busy / 1000).toFixed(0)} ms busy` +
    (requests ? `, ${(busy / 1000 / requests).toFixed(3)} ms busy per request (${requests})` : ''),
);
const show = (m: Map<string, number>, title: string) => {
  console.log(`\n${title}`);
  const rows = [...m].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)') && (!filter || k.includes(filter)));
  for (const [k, t] of rows.sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(t / 1000).toFixed(0).padStart(7)} ms ${((t / busy) * 100).toFixed(1).padStart(5)}%  ${k}`);
  }
};
show(self, 'self time');
show(inclusive, 'inclusive time');
