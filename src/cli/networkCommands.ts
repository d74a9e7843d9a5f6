/**
 * `samla network import|list|show|export`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { invalidInput, notFound } from '../core/errors.ts';
import type { NetworkDefinition } from '../core/model.ts';
import { exportNetworkFile, parseNetworkFile } from '../core/networkFile.ts';
import type { ImportResult, NetworkStore } from '../core/ports.ts';
import { line, printJson, type CliContext } from './io.ts';
import { type TenantReach, buildNetworkView, renderNetworkView } from './networkView.ts';

/** What Samla knows of each tenant the network names: installed, last heard from. */
async function tenantReach(ctx: CliContext, def: NetworkDefinition): Promise<Map<string, TenantReach>> {
  const tenants = new Set([...def.municipalities.map((m) => m.tenant), ...def.organisers.map((o) => o.tenant)].filter((t): t is string => !!t));
  const out = new Map<string, TenantReach>();
  if (!tenants.size) return out;
  const refs = await ctx.teamsReferences();
  for (const t of tenants) {
    const r = await refs.tenant(t);
    out.set(t, r ? { seen: true, lastSeen: r.lastSeen, ...(r.installedAt ? { installedAt: r.installedAt } : {}) } : { seen: false });
  }
  return out;
}

export function registerNetworkCommands(program: Command, ctx: CliContext): void {
  const network = program.command('network').description('load, list, show and export learning networks');

  network
    .command('import')
    .description('load a network file into Samla (atomic; re-importing an edited file updates the network)')
    .argument('<file>', 'the network file (YAML)')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const def = await readNetworkFile(path.resolve(ctx.cwd, file));
      const store = await ctx.store();
      const result = await store.importNetwork(def, { actor: 'cli', now: ctx.now(), onProgress: progressReporter(ctx, def) });
      if (opts.json) printJson(ctx.stdout, result);
      else line(ctx.stdout, describeImport(def, result));
    });

  network
    .command('list')
    .description('list the networks Samla holds')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const store = await ctx.store();
      const list = await store.listNetworks();
      if (opts.json) return printJson(ctx.stdout, list);
      if (list.length === 0) return line(ctx.stdout, 'No networks yet. Load one with: samla network import <file>');
      for (const n of list) {
        line(
          ctx.stdout,
          `${n.id}  ${n.name} · ${n.municipalities} municipalities · ${n.people} people · ${n.gatherings} gatherings · version ${n.version}`,
        );
      }
    });

  network
    .command('show')
    .description('municipalities, people and roles, gatherings and their task dates in local time')
    .argument('<id>', 'the network id')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const store = await ctx.store();
      const { def, summary } = await loadNetwork(store, id);
      const installed = new Map((await ctx.slackInstallations()).map((i) => [i.id, i]));
      const workspaces = (team: string) => {
        const i = installed.get(team);
        return i ? { installed: true, ...(i.lastSeen ? { lastSeen: i.lastSeen } : {}) } : { installed: false };
      };
      const view = buildNetworkView(def, summary, await store.getPeople(id), await tenantReach(ctx, def), workspaces);
      if (opts.json) printJson(ctx.stdout, view);
      else ctx.stdout.write(renderNetworkView(view));
    });

  network
    .command('export')
    .description('write the network back as a network file (import, export, import is lossless)')
    .argument('<id>', 'the network id')
    .option('-o, --output <file>', 'write to this file instead of standard output')
    .action(async (id: string, opts: { output?: string }) => {
      const store = await ctx.store();
      const { def } = await loadNetwork(store, id);
      const yaml = exportNetworkFile(def);
      if (opts.output) {
        await writeFile(path.resolve(ctx.cwd, opts.output), yaml, 'utf8');
        line(ctx.stderr, `Wrote ${opts.output}`);
      } else {
        ctx.stdout.write(yaml);
      }
    });
}

/** Reads and validates a network file; a missing or unreadable file is bad input (exit 2). */
export async function readNetworkFile(file: string): Promise<NetworkDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder, not a file' : `cannot be read (${code})`;
    throw invalidInput(`${file} ${why}. Give the path of a network file, e.g. samla network import network.yaml`, [], cause);
  }
  return parseNetworkFile(text, file);
}

export async function loadNetwork(store: NetworkStore, id: string) {
  const [def, summary] = await Promise.all([store.getNetwork(id), store.getSummary(id)]);
  if (!def || !summary) {
    const known = (await store.listNetworks()).map((n) => n.id);
    throw notFound(
      `There is no network "${id}". ` + (known.length ? `Known networks: ${known.join(', ')}.` : 'Load one with: samla network import <file>'),
    );
  }
  return { def, summary };
}

function describeImport(def: NetworkDefinition, r: ImportResult): string {
  const people = new Set(def.municipalities.flatMap((m) => m.members.map((p) => p.email.toLowerCase()))).size;
  const counts = `${def.municipalities.length} municipalities, ${people} people, ${def.gatherings.length} gatherings`;
  if (!r.changed) return `${def.id} is already up to date (version ${r.version}, ${counts}); nothing changed.`;
  const out = [`${r.created ? 'Imported' : 'Updated'} ${def.id} (version ${r.version}): ${counts}.`];
  if (!r.created && r.peopleAdded.length) out.push(`  added: ${r.peopleAdded.join(', ')}`);
  if (r.peopleRemoved.length) out.push(`  no longer in the file (roles removed, history kept): ${r.peopleRemoved.join(', ')}`);
  for (const g of r.gatheringsMoved) out.push(`  moved ${g.id}: ${g.from.replace('T', ' ')} → ${g.to.replace('T', ' ')} (its prompts move with it)`);
  return out.join('\n');
}

/** Progress on a terminal for imports large enough to take a while; silent otherwise. */
function progressReporter(ctx: CliContext, def: NetworkDefinition) {
  const members = def.municipalities.reduce((n, m) => n + m.members.length, 0);
  if (!ctx.stderr.isTTY || members < 2000) return undefined;
  let last = -1;
  return (done: number, total: number) => {
    const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
    if (pct === last) return;
    last = pct;
    ctx.stderr.write(`\rImporting ${def.id}: ${done}/${total} people (${pct}%)${done >= total ? '\n' : ''}`);
  };
}
