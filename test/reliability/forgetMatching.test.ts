/**
 * Forgetting one person must not touch another: a whole email address only (aas@ is not
 * tone.aas@), and a namesake keeps their name in their own records.
 */
import { describe, expect, it } from 'vitest';
import { Replacer } from '../../adapters/redis/personData.ts';

const r = new Replacer({ email: 'aas@arendal.example.no', names: ['Per Berg'] }, 'anon-1');

describe('what forget replaces', () => {
  it('matches the whole address, not one that ends with it, and keeps sentence punctuation', () => {
    expect(r.text('tone.aas@arendal.example.no')).toBe('tone.aas@arendal.example.no');
    expect(r.text('skriv til aas@arendal.example.no.')).not.toContain('aas@arendal');
    expect(r.text('skriv til aas@arendal.example.no.')).toMatch(/\.$/);
    expect(r.mentions('samla:person:tone.aas@arendal.example.no:networks')).toBe(false);
    expect(r.mentions('samla:person:aas@arendal.example.no:networks')).toBe(true);
  });

  it('keeps a namesake’s name in a record that is about them, and replaces it in free text', () => {
    const other = { name: 'Per Berg', email: 'per.berg@arendal.example.no', roles: ['styringsgruppe'] };
    expect(r.deep(other)).toEqual(other);
    expect(r.deep({ name: 'Per Berg', email: 'aas@arendal.example.no' })).toEqual({ name: 'anon-1', email: expect.not.stringContaining('aas@arendal') });
    expect(r.deep({ discussed: 'Per Berg la fram planen' })).toEqual({ discussed: 'anon-1 la fram planen' });
  });
});
