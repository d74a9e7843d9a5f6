import { describe, expect, it } from 'vitest';
import { catalogueProblems, loadCatalogues, loadTexts } from '../src/app/prompts.ts';

describe('prompts', () => {
  it('has the same keys and placeholders in bokmål, nynorsk and English', () => {
    expect(catalogueProblems(loadCatalogues())).toEqual([]);
  });

  it('fills placeholders and answers in the person’s language', () => {
    const texts = loadTexts();
    expect(texts.t('nb', 'checkin.closed')).toBe('Samlingen har begynt, så innsjekken er stengt.');
    expect(texts.t('nn', 'checkin.closed')).toBe('Samlinga har byrja, så innsjekken er stengd.');
    expect(texts.t('en', 'errors.unavailable')).toBe('Samla is unavailable right now, nothing was saved, try again in a minute.');
    expect(texts.t('nb', 'digest.attention', { count: 2, total: 4 })).toBe('2 av 4 kommuner kan trenge støtte');
  });

  it('reports a locale that lacks a key or changes a placeholder', () => {
    const c = loadCatalogues();
    const broken = structuredClone(c);
    delete (broken.nn.task as Record<string, unknown>).done;
    (broken.en.digest as Record<string, string>).attention = '{count} need support';
    expect(catalogueProblems(broken)).toEqual([
      'nn.yaml lacks task.done',
      'en.yaml digest.attention uses {count} but nb.yaml uses {count},{total}',
    ]);
  });

  it('refuses an unknown key instead of sending an empty message', () => {
    expect(() => loadTexts().t('nb', 'no.such.key')).toThrow(/No text "no.such.key"/);
  });
});
