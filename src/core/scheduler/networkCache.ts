/**
 * Network definitions for the delivery worker, parsed once per version: each delivery reads the
 * small `meta` summary to see whether the network changed, and reloads the definition only then.
 */
import type { NetworkDefinition, Person } from '../model.ts';
import { derivePeople } from '../people.ts';
import type { NetworkStore } from '../ports.ts';

export interface CachedNetwork {
  def: NetworkDefinition;
  version: number;
  /** Current people of the file, by lower-case email. */
  people: Map<string, Person>;
}

export class NetworkCache {
  private readonly entries = new Map<string, CachedNetwork>();

  constructor(private readonly store: NetworkStore) {}

  /** The network as stored now, or undefined when it no longer exists. */
  async get(id: string): Promise<CachedNetwork | undefined> {
    const summary = await this.store.getSummary(id);
    if (!summary) {
      this.entries.delete(id);
      return undefined;
    }
    const known = this.entries.get(id);
    if (known && known.version === summary.version) return known;
    const def = await this.store.getNetwork(id);
    if (!def) return undefined;
    const entry = { def, version: summary.version, people: new Map(derivePeople(def).map((p) => [p.email, p] as const)) };
    this.entries.set(id, entry);
    return entry;
  }
}
