import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import { CurationRunReader } from './curation-run-reader.js';
import { EvalRunReader } from './eval-run-reader.js';
import { MetricsReader } from './metrics-reader.js';
import { RunRegistry } from './run-registry.js';
import { resolveInside } from './safe-path.js';
import { listRuns } from './view-server.js';

/** Grid rows per data chunk: small enough to fetch fast, few enough files for 10,000 samples. */
export const ROWS_PER_CHUNK = 2000;

export type BundleOptions = {
  directories: readonly string[];
  out: string;
  cacheDirectory: string;
  webDirectory: string;
  onProgress?: (line: string) => void;
};

/**
 * Writes a static site: the built app, `data/runs.json`, per run `run.json`, grid rows and search text as
 * JSON chunks, one JSON file per sample, and the images as files. The app reads these with plain GETs
 * (no range requests), filters and searches in the browser, and keeps deep links (`?run=…&sample=…`).
 */
export async function writeBundle(options: BundleOptions) {
  if (!existsSync(join(options.webDirectory, 'index.html')))
    throw new UserError('web-not-built', `${options.webDirectory} holds no built viewer`, {
      hint: 'run `npm run build:web` (scripts/setup.sh does) and try again',
    });
  const registry = new RunRegistry(options.directories, options.cacheDirectory);
  const out = options.out;
  mkdirSync(join(out, 'data', 'runs'), { recursive: true });
  cpSync(options.webDirectory, out, { recursive: true });
  const html = readFileSync(join(options.webDirectory, 'index.html'), 'utf8');
  writeFileSync(
    join(out, 'index.html'),
    html.replace('<head>', '<head><script>window.__DEEPEYES_STATIC__ = true;</script>'),
  );
  let samples = 0;
  let images = 0;
  try {
    const runs = listRuns(registry).map((run, number) => ({ ...run, dataKey: String(number) }));
    writeJson(join(out, 'data', 'runs.json'), { runs });
    for (const listed of runs) {
      if (listed.error) continue;
      const run = registry.get(listed.id)!;
      const folder = join(out, 'data', 'runs', listed.dataKey);
      const filesUrl = `data/runs/${listed.dataKey}/files`;
      const base = { id: listed.id, kind: listed.kind, label: listed.label, summary: run.reader.summary() };
      if (run.reader instanceof CurationRunReader) {
        const curation = run.reader.details();
        writeJson(join(folder, 'run.json'), { ...base, curation });
        // Rejected teacher attempts open in the trajectory view: one file each, found through an index.
        const attempts: Record<string, number> = {};
        for (const [number, rejected] of curation.rejected.entries()) {
          const attempt = run.reader.attempt(rejected.id, rejected.attempt, filesUrl);
          if (!attempt) continue;
          images += await copyImages(attempt.trajectory, filesUrl, run.entry.directory, folder);
          writeJson(join(folder, 'attempts', `${number}.json`), attempt);
          attempts[`${rejected.id}#${rejected.attempt}`] = number;
        }
        writeJson(join(folder, 'attempts.json'), attempts);
      }
      if (run.reader instanceof MetricsReader)
        writeJson(join(folder, 'run.json'), { ...base, training: run.reader.curves() });
      if (!('index' in run)) continue;
      await run.reader.refreshIndex();
      if (run.reader instanceof EvalRunReader) await run.reader.whenTextIndexed();
      const detail =
        run.reader instanceof EvalRunReader
          ? {
              ...base,
              config: run.reader.config(),
              analytics: run.reader.analytics(),
              facets: run.index.facets(),
            }
          : { ...base, facets: run.index.facets() };
      const rows = run.index.allRows();
      const text = run.index.allText();
      const chunks = Math.ceil(rows.length / ROWS_PER_CHUNK);
      writeJson(join(folder, 'run.json'), { ...detail, chunks, total: rows.length });
      for (let chunk = 0; chunk < chunks; chunk++) {
        const slice = rows.slice(chunk * ROWS_PER_CHUNK, (chunk + 1) * ROWS_PER_CHUNK);
        writeJson(join(folder, `rows-${chunk}.json`), slice);
        writeJson(
          join(folder, `text-${chunk}.json`),
          slice.map((row) => (text.get(row.id) ?? '').toLowerCase()),
        );
      }
      for (const [number, row] of rows.entries()) {
        const sample = await run.reader.sample(row.id, filesUrl);
        if (!sample) continue;
        images += await copyImages(sample.trajectory, filesUrl, run.entry.directory, folder);
        const neighbours = {
          previous: rows[number - 1]?.id ?? null,
          next: rows[number + 1]?.id ?? null,
          index: number,
        };
        writeJson(join(folder, 'samples', `${number}.json`), { ...sample, row, neighbours });
        samples++;
        if (samples % 1000 === 0) options.onProgress?.(`bundle: ${samples} samples written`);
      }
    }
    return { runs: runs.length, samples, images };
  } finally {
    registry.close();
  }
}

/** Copies every image a trajectory points at (URLs under `filesUrl`) into the site, from inside the run only. */
async function copyImages(
  trajectory: unknown,
  filesUrl: string,
  runDirectory: string,
  folder: string,
): Promise<number> {
  const urls: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (typeof record.url === 'string' && record.url.startsWith(`${filesUrl}/`)) urls.push(record.url);
      for (const inner of Object.values(record)) visit(inner);
    }
  };
  visit(trajectory);
  let copied = 0;
  for (const url of new Set(urls)) {
    const relativePath = url
      .slice(filesUrl.length + 1)
      .split('/')
      .map(decodeURIComponent)
      .join('/');
    const source = await resolveInside(runDirectory, runDirectory, relativePath);
    if (!source) continue;
    const target = join(folder, 'files', relativePath);
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
    copied++;
  }
  return copied;
}

function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value));
}
