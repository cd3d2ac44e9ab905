import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { OfflineTextSearch } from './offline-providers.js';
import { BraveSearch } from './providers/brave.js';
import { SearxngSearch } from './providers/searxng.js';
import { SerpApiSearch } from './providers/serpapi.js';
import { SerperSearch } from './providers/serper.js';
import { cachedSearchProvider, SearchCache } from './search-cache.js';
import { CONTRACT_DOCUMENTS, matchDocuments, searchProviderContract } from './search-provider.contract.js';
import type { SearchProvider } from './search-provider.js';
import { type FakeReply, type FakeRequest, startFakeServer } from './testing/fake-http-server.js';
import { buildTextIndex } from './text/build-text-index.js';
import { TextIndex } from './text/text-index.js';

const http = { retries: 0, minIntervalMs: 0 };

/** An online provider against a fake server that answers in that provider's documented JSON. */
async function online(
  answer: (request: FakeRequest, query: string) => FakeReply,
  queryOf: (request: FakeRequest) => string,
  make: (baseUrl: string) => SearchProvider,
) {
  const server = await startFakeServer((request) => answer(request, queryOf(request)));
  return { provider: make(server.url), close: () => server.close() };
}

const fromQueryString = (request: FakeRequest) => request.query.get('q') ?? '';

describe('SearchProvider contract', () => {
  describe('serper against its fake server', () => {
    searchProviderContract('serper', () =>
      online(
        (_request, query) => ({
          json: {
            organic: matchDocuments(query).map((document, index) => ({ ...document, position: index + 1 })),
          },
        }),
        (request) => (JSON.parse(request.body.toString()) as { q: string }).q,
        (baseUrl) => new SerperSearch({ apiKey: 'k', baseUrl, http }),
      ),
    );
  });

  describe('serpapi against its fake server', () => {
    searchProviderContract('serpapi', () =>
      online(
        (_request, query) => {
          const found = matchDocuments(query);
          // SerpAPI says "no results" as an error field in a 200 answer.
          if (found.length === 0)
            return { json: { error: "Google hasn't returned any results for this query." } };
          return {
            json: { organic_results: found.map((document, index) => ({ ...document, position: index + 1 })) },
          };
        },
        fromQueryString,
        (baseUrl) => new SerpApiSearch({ apiKey: 'k', baseUrl, http }),
      ),
    );
  });

  describe('brave against its fake server', () => {
    searchProviderContract('brave', () =>
      online(
        (_request, query) => ({
          json: {
            web: {
              results: matchDocuments(query).map((document) => ({
                title: document.title,
                url: document.link,
                description: document.snippet,
              })),
            },
          },
        }),
        fromQueryString,
        (baseUrl) => new BraveSearch({ apiKey: 'k', baseUrl, http }),
      ),
    );
  });

  describe('searxng against its fake server', () => {
    searchProviderContract('searxng', () =>
      online(
        (_request, query) => ({
          json: {
            results: matchDocuments(query).map((document) => ({
              title: document.title,
              url: document.link,
              content: document.snippet,
            })),
          },
        }),
        fromQueryString,
        (baseUrl) => new SearxngSearch({ baseUrl, http }),
      ),
    );
  });

  describe('offline BM25 index and the cache wrapper', () => {
    let dir: string;
    let indexPath: string;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'deepeyes-search-contract-'));
      const corpus = join(dir, 'corpus.jsonl');
      const rows = CONTRACT_DOCUMENTS.map((document, index) => ({
        id: String(index),
        title: document.title,
        text: document.snippet,
        url: document.link,
      }));
      writeFileSync(corpus, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
      indexPath = join(dir, 'index.sqlite');
      await buildTextIndex({ corpus, out: indexPath });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    searchProviderContract('local', async () => {
      const index = TextIndex.open(indexPath, { readonly: true });
      return { provider: new OfflineTextSearch(index), close: () => index.close() };
    });

    searchProviderContract('cached local (record mode)', async () => {
      const index = TextIndex.open(indexPath, { readonly: true });
      const cache = SearchCache.open(':memory:');
      const provider = cachedSearchProvider(new OfflineTextSearch(index), cache, { mode: 'record' });
      return {
        provider,
        close: () => {
          cache.close();
          index.close();
        },
      };
    });
  });
});
