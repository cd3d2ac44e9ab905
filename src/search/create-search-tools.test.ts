import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSearchObservation } from '../protocol/index.js';
import { createSearchTools, type SearchTools } from './create-search-tools.js';
import { DEMO_SEARCH_DIR } from './demo-indexes.js';
import { startFakeServer } from './testing/fake-http-server.js';

let cacheDir: string;
let tools: SearchTools;
beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'deepeyes-search-tools-'));
  tools = await createSearchTools({ cacheDir }, {});
});
afterAll(() => {
  tools.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('createSearchTools with no configuration (the offline demo default)', () => {
  it('answers the demo question from the bundled corpus: Kestrel Point Lighthouse, first lit 1871, 34 m', async () => {
    const hits = await tools.text.search('Kestrel Point Lighthouse first lit', { limit: 5 });
    expect(hits[0]?.title).toBe('Kestrel Point Lighthouse');
    expect(hits[0]?.snippet).toContain('first lit in 1871');
    expect(hits[0]?.snippet).toContain('34 metres tall');
    expect(hits).toHaveLength(5);
    expect(renderSearchObservation('Kestrel Point Lighthouse first lit', hits)).toMatch(
      /^<tool_response>\nA Google search for 'Kestrel Point Lighthouse first lit' found 5 results:\n\n## Web Results\n1\. \[Kestrel Point Lighthouse\]\(https:\/\/vellpedia\.example\/wiki\/Kestrel_Point_Lighthouse\)\nDate published: /,
    );
  });

  it('finds "The Amber Tide" first from the demo photo (a crop, resized and re-encoded)', async () => {
    const photo = readFileSync(join(DEMO_SEARCH_DIR, 'queries/amber-tide-photo.jpg'));
    const hits = await tools.image.searchImage(photo, { limit: 5 });
    expect(hits[0]).toMatchObject({
      title: 'The Amber Tide by Mira Solberg (oil on canvas, 1923)',
      link: 'https://example.org/art/amber-tide',
    });
    expect(hits[0]?.image?.length).toBeGreaterThan(1000);
  });

  it('describes what it uses and builds the demo indexes once', async () => {
    expect(tools.describe()).toMatch(
      /search: local BM25 index .*text-[0-9a-f]{12}\.sqlite \(bundled demo corpus\) \(330 passages\)/,
    );
    expect(tools.describe()).toMatch(/image_search: local near-duplicate index .* \(24 pictures\)/);
    const again = await createSearchTools({ cacheDir }, {});
    expect(again.describe()).toBe(tools.describe());
    again.close();
  });
});

describe('createSearchTools with online providers', () => {
  it('wires Serper behind the cache, taking the key from the environment', async () => {
    const server = await startFakeServer(() => ({ json: { organic: [{ title: 'T', link: 'https://t' }] } }));
    const online = await createSearchTools(
      {
        text: 'serper',
        image: 'none',
        baseUrls: { serper: server.url },
        cacheDir,
        cache: { mode: 'record' },
      },
      { SERPER_API_KEY: 'from-env' },
    );
    expect(await online.text.search('q')).toEqual([{ title: 'T', link: 'https://t' }]);
    expect(await online.text.search('Q')).toEqual([{ title: 'T', link: 'https://t' }]);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.headers['x-api-key']).toBe('from-env');
    expect(online.describe()).toContain(
      `search: serper, cache ${join(cacheDir, 'search-cache.sqlite')} (record)`,
    );
    await expect(online.image.searchImage(new Uint8Array([1]))).rejects.toThrow(/image search is disabled/);
    online.close();
    await server.close();
  });

  it('says which variable to set when a key is missing', async () => {
    await expect(createSearchTools({ text: 'brave', image: 'none', cacheDir }, {})).rejects.toThrow(
      /brave search needs an API key/,
    );
    await expect(createSearchTools({ text: 'searxng', image: 'none', cacheDir }, {})).rejects.toMatchObject({
      hint: expect.stringContaining('SEARXNG_URL'),
    });
  });
});
