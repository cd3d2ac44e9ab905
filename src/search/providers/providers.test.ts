import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { SearchProviderError } from '../search-errors.js';
import { type FakeReply, type FakeRequest, startFakeServer } from '../testing/fake-http-server.js';
import { BraveSearch } from './brave.js';
import { uploadEndpointImageHost } from './image-host.js';
import { ProviderHttp } from './provider-http.js';
import { SearxngSearch } from './searxng.js';
import { SerpApiSearch } from './serpapi.js';
import { SerperSearch } from './serper.js';

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});
async function fake(handler: (request: FakeRequest) => FakeReply | Promise<FakeReply>) {
  const server = await startFakeServer(handler);
  servers.push(server);
  return server;
}
const noWait = { sleep: async () => undefined, retries: 2 };
const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#ff0000' } })
  .png()
  .toBuffer();

describe('SerperSearch (documented JSON: organic[] with title, link, snippet, date)', () => {
  it('POSTs q and num with the X-API-KEY header and maps organic results', async () => {
    const server = await fake(() => ({
      json: {
        searchParameters: { q: 'eiffel', type: 'search' },
        organic: [
          {
            title: 'Eiffel Tower',
            link: 'https://e.example',
            snippet: '330 m tall',
            date: 'Mar 3, 2024',
            position: 1,
          },
          { title: 'Paris', link: 'https://p.example', snippet: 'Capital', position: 2 },
        ],
      },
    }));
    const hits = await new SerperSearch({ apiKey: 'secret', baseUrl: server.url }).search('eiffel', {
      limit: 5,
    });
    expect(hits).toEqual([
      { title: 'Eiffel Tower', link: 'https://e.example', snippet: '330 m tall', date: 'Mar 3, 2024' },
      { title: 'Paris', link: 'https://p.example', snippet: 'Capital' },
    ]);
    const request = server.requests[0]!;
    expect(request).toMatchObject({ method: 'POST', path: '/search' });
    expect(request.headers['x-api-key']).toBe('secret');
    expect(JSON.parse(request.body.toString())).toEqual({ q: 'eiffel', num: 5 });
  });

  it('uploads the picture, asks /lens with its URL and downloads each thumbnail', async () => {
    const server = await fake((request) => {
      if (request.path === '/upload') return { text: 'https://img.example/query.png' };
      if (request.path === '/thumb.png') return { body: png };
      return {
        json: {
          organic: [
            {
              title: 'Red square',
              link: 'https://r.example',
              source: 'R',
              imageUrl: 'https://x/full.png',
              thumbnailUrl: `http://127.0.0.1:${new URL(server.url).port}/thumb.png`,
            },
            { title: 'No picture', link: 'https://n.example' },
          ],
        },
      };
    });
    const imageHost = uploadEndpointImageHost(`${server.url}/upload`, new ProviderHttp('upload'));
    const hits = await new SerperSearch({ apiKey: 'k', baseUrl: server.url, imageHost }).searchImage(png);
    expect(hits.map((hit) => hit.title)).toEqual(['Red square', 'No picture']);
    expect(Buffer.from(hits[0]!.image!)).toEqual(png);
    expect(hits[1]!.image).toBeUndefined();
    expect(JSON.parse(server.requests.find((request) => request.path === '/lens')!.body.toString())).toEqual({
      url: 'https://img.example/query.png',
    });
    expect(server.requests[0]!.headers['content-type']).toBe('image/png');
  });

  it('needs an image host for lens search', async () => {
    await expect(new SerperSearch({ apiKey: 'k' }).searchImage(png)).rejects.toThrow(/public URL/);
  });
});

describe('SerpApiSearch (documented JSON: organic_results[], visual_matches[], error)', () => {
  it('GETs engine=google with api_key and maps organic_results', async () => {
    const server = await fake(() => ({
      json: {
        search_metadata: { status: 'Success' },
        organic_results: [
          { position: 1, title: 'A', link: 'https://a.example', snippet: 'alpha', date: 'Jan 1, 2020' },
        ],
      },
    }));
    expect(await new SerpApiSearch({ apiKey: 'key1', baseUrl: server.url }).search('alpha')).toEqual([
      { title: 'A', link: 'https://a.example', snippet: 'alpha', date: 'Jan 1, 2020' },
    ]);
    const query = server.requests[0]!.query;
    expect(server.requests[0]!.path).toBe('/search.json');
    expect(Object.fromEntries(query)).toEqual({ engine: 'google', q: 'alpha', num: '5', api_key: 'key1' });
  });

  it('reads "no results" as an empty list and other error answers as failures', async () => {
    let error = "Google hasn't returned any results for this query.";
    const server = await fake(() => ({ json: { search_metadata: { status: 'Success' }, error } }));
    const provider = new SerpApiSearch({ apiKey: 'k', baseUrl: server.url });
    expect(await provider.search('zzz')).toEqual([]);
    error = 'Invalid API key. Your API key should be here: https://serpapi.com/manage-api-key';
    await expect(provider.search('zzz')).rejects.toThrow(/Invalid API key/);
  });

  it('searches Google Lens by uploaded URL and maps visual_matches with thumbnails', async () => {
    const server = await fake((request) => {
      if (request.path === '/upload') return { json: { url: 'https://img.example/q.jpg' } };
      if (request.path === '/t.png') return { body: png };
      return {
        json: {
          visual_matches: [
            {
              position: 1,
              title: 'Match',
              link: 'https://m.example',
              source: 'M',
              thumbnail: `${server.url}/t.png`,
            },
          ],
        },
      };
    });
    const imageHost = uploadEndpointImageHost(`${server.url}/upload`, new ProviderHttp('upload'));
    const hits = await new SerpApiSearch({ apiKey: 'k', baseUrl: server.url, imageHost }).searchImage(png);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ title: 'Match', link: 'https://m.example' });
    expect(
      Object.fromEntries(server.requests.find((request) => request.path === '/search.json')!.query),
    ).toMatchObject({ engine: 'google_lens', url: 'https://img.example/q.jpg' });
  });
});

describe('BraveSearch (documented JSON: web.results[] with title, url, description, age)', () => {
  it('sends the subscription token, strips highlight tags and uses age as the date', async () => {
    const server = await fake(() => ({
      json: {
        type: 'search',
        query: { original: 'tower' },
        web: {
          type: 'search',
          results: [
            {
              title: 'The <strong>Tower</strong>',
              url: 'https://t.example',
              description: 'A &quot;tall&quot; <strong>tower</strong>',
              age: 'March 3, 2024',
              page_age: '2024-03-03T00:00:00',
            },
          ],
        },
      },
    }));
    const provider = new BraveSearch({ apiKey: 'brv', baseUrl: server.url, http: { minIntervalMs: 0 } });
    expect(await provider.search('tower', { limit: 3 })).toEqual([
      { title: 'The Tower', link: 'https://t.example', snippet: 'A "tall" tower', date: 'March 3, 2024' },
    ]);
    expect(server.requests[0]!.path).toBe('/res/v1/web/search');
    expect(server.requests[0]!.headers['x-subscription-token']).toBe('brv');
    expect(Object.fromEntries(server.requests[0]!.query)).toEqual({ q: 'tower', count: '3' });
  });

  it('answers an empty list when Brave has no web section', async () => {
    const server = await fake(() => ({ json: { type: 'search', query: { original: 'x' } } }));
    expect(
      await new BraveSearch({ apiKey: 'k', baseUrl: server.url, http: { minIntervalMs: 0 } }).search('x'),
    ).toEqual([]);
  });
});

describe('SearxngSearch (documented JSON: results[] with title, url, content, publishedDate)', () => {
  it('asks format=json and keeps the first `limit` results', async () => {
    const results = Array.from({ length: 20 }, (_, index) => ({
      title: `R${index}`,
      url: `https://r${index}.example`,
      content: `c${index}`,
      engine: 'bing',
      publishedDate: index === 0 ? '2023-05-01T10:00:00' : null,
    }));
    const server = await fake(() => ({
      json: { query: 'q', number_of_results: 20, results, answers: [], infoboxes: [] },
    }));
    const hits = await new SearxngSearch({ baseUrl: `${server.url}/` }).search('q', { limit: 2 });
    expect(hits).toEqual([
      { title: 'R0', link: 'https://r0.example', snippet: 'c0', date: '2023-05-01' },
      { title: 'R1', link: 'https://r1.example', snippet: 'c1' },
    ]);
    expect(Object.fromEntries(server.requests[0]!.query)).toEqual({ q: 'q', format: 'json' });
  });
});

describe('ProviderHttp (timeouts, retries with backoff, rate limit)', () => {
  it('retries 429 and 5xx answers, honouring Retry-After, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const server = await fake(() => {
      calls += 1;
      if (calls === 1) return { status: 429, text: 'slow down', headers: { 'retry-after': '2' } };
      if (calls === 2) return { status: 503, text: 'busy' };
      return { json: { organic: [] } };
    });
    const provider = new SerperSearch({
      apiKey: 'k',
      baseUrl: server.url,
      http: { sleep: async (ms) => void waits.push(ms), backoffMs: 100 },
    });
    expect(await provider.search('q')).toEqual([]);
    expect(calls).toBe(3);
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeGreaterThanOrEqual(150);
    expect(waits[1]).toBeLessThanOrEqual(250);
  });

  it('does not retry a rejected key and says what to check', async () => {
    const server = await fake(() => ({ status: 401, json: { message: 'Unauthorized.' } }));
    const error = await new SerperSearch({ apiKey: 'bad', baseUrl: server.url, http: noWait })
      .search('q')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SearchProviderError);
    expect(error).toMatchObject({ status: 401, hint: 'check the serper API key' });
    expect(server.requests).toHaveLength(1);
  });

  it('times out a hanging provider and gives up after the retries', async () => {
    const server = await fake(() => ({ delayMs: 2000, json: {} }));
    const started = Date.now();
    const error = await new BraveSearch({
      apiKey: 'k',
      baseUrl: server.url,
      http: { ...noWait, timeoutMs: 100, minIntervalMs: 0 },
    })
      .search('q')
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SearchProviderError);
    expect((error as Error).message).toMatch(/timed out after 100 ms/);
    expect(server.requests).toHaveLength(3);
    expect(Date.now() - started).toBeLessThan(1900);
  });

  it('reports an unreachable provider', async () => {
    const server = await fake(() => ({ json: {} }));
    const url = server.url;
    await server.close();
    servers.length = 0;
    await expect(new SearxngSearch({ baseUrl: url, http: noWait }).search('q')).rejects.toThrow(
      /searxng: is unreachable/,
    );
  });

  it('spaces requests by the rate limit', async () => {
    const waits: number[] = [];
    const server = await fake(() => ({ json: { results: [] } }));
    const provider = new SearxngSearch({
      baseUrl: server.url,
      http: { minIntervalMs: 500, sleep: async (ms) => void waits.push(ms) },
    });
    await provider.search('a');
    await provider.search('b');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(400);
  });
});
