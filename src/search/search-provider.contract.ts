import { expect, it } from 'vitest';
import type { SearchHit, SearchProvider } from './search-provider.js';

/** A provider under test that searches `documents`, and how to release it. */
export type SearchProviderUnderTest = { provider: SearchProvider; close?: () => Promise<void> | void };

/** The documents every implementation is set up to search (a fake server's "web", the offline corpus). */
export const CONTRACT_DOCUMENTS: readonly Required<Pick<SearchHit, 'title' | 'link' | 'snippet'>>[] = [
  {
    title: 'Kestrel Point Lighthouse',
    link: 'https://w.example/kestrel-point',
    snippet: 'Kestrel Point Lighthouse was first lit in 1871 and is 34 metres tall.',
  },
  {
    title: 'Kestrel Head Beacon',
    link: 'https://w.example/kestrel-head',
    snippet: 'A small beacon on Kestrel Head, first lit in 1902.',
  },
  {
    title: 'Saltmere harbour',
    link: 'https://w.example/saltmere',
    snippet: 'Saltmere is a fishing town; its harbour lighthouse is painted white.',
  },
  {
    title: 'Skarholm island',
    link: 'https://w.example/skarholm',
    snippet: 'Skarholm is an island with a granite quarry and a seabird colony.',
  },
];

/**
 * How a fake search engine answers: the documents holding any query word, most words first (ties in
 * corpus order). Fake servers use it so that online providers and the offline index agree on what a
 * query finds.
 */
export function matchDocuments(query: string): typeof CONTRACT_DOCUMENTS {
  const words = query
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  const score = (document: (typeof CONTRACT_DOCUMENTS)[number]) => {
    const text = `${document.title} ${document.snippet}`.toLowerCase();
    return words.filter((word) => text.includes(word)).length;
  };
  return CONTRACT_DOCUMENTS.map((document) => ({ document, score: score(document) }))
    .filter((entry) => entry.score > 0)
    .sort((left, right) => right.score - left.score)
    .map((entry) => entry.document);
}

/**
 * What every text `SearchProvider` must do. Register it per implementation with a factory that
 * searches {@link CONTRACT_DOCUMENTS}:
 * `searchProviderContract('serper', async () => ({ provider: new SerperSearch({ … }), close }))`.
 */
export function searchProviderContract(label: string, create: () => Promise<SearchProviderUnderTest>): void {
  async function withProvider(body: (provider: SearchProvider) => Promise<void>): Promise<void> {
    const underTest = await create();
    try {
      await body(underTest.provider);
    } finally {
      await underTest.close?.();
    }
  }

  it(`${label}: should have a name to record with every observation`, async () => {
    await withProvider(async (provider) => {
      expect(provider.name).not.toBe('');
    });
  });

  it(`${label}: should rank the document matching the whole query first, as plain data`, async () => {
    await withProvider(async (provider) => {
      const hits = await provider.search('Kestrel Point lighthouse', { limit: 5 });
      expect(hits.length).toBeGreaterThan(0);
      expect(hits[0]).toMatchObject({
        title: 'Kestrel Point Lighthouse',
        link: 'https://w.example/kestrel-point',
      });
      for (const hit of hits) {
        expect(typeof hit.title).toBe('string');
        expect(typeof hit.link).toBe('string');
        if (hit.snippet !== undefined) expect(typeof hit.snippet).toBe('string');
      }
      expect(JSON.parse(JSON.stringify(hits))).toEqual(hits);
    });
  });

  it(`${label}: should return at most limit hits`, async () => {
    await withProvider(async (provider) => {
      const hits = await provider.search('kestrel lighthouse saltmere', { limit: 2 });
      expect(hits.length).toBeGreaterThan(0);
      expect(hits.length).toBeLessThanOrEqual(2);
    });
  });

  it(`${label}: should answer a query nothing matches with no hits, not an error`, async () => {
    await withProvider(async (provider) => {
      expect(await provider.search('zebra quasar', { limit: 5 })).toEqual([]);
    });
  });

  it(`${label}: should reject a search whose signal is already aborted`, async () => {
    await withProvider(async (provider) => {
      const signal = AbortSignal.abort(new Error('caller gave up'));
      await expect(provider.search('kestrel', { limit: 5, signal })).rejects.toThrow();
    });
  });
}
