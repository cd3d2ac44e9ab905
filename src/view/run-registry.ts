import { createHash } from 'node:crypto';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { CurationRunReader } from './curation-run-reader.js';
import { EvalRunReader } from './eval-run-reader.js';
import { MetricsReader } from './metrics-reader.js';
import { SampleIndex } from './sample-index.js';
import { isTrajectoryFolder, TrajectoryFolderReader } from './trajectory-folder-reader.js';

export type RunKind = 'eval' | 'curation' | 'training' | 'trajectories';

export type RunEntry = {
  /** Stable id used in URLs (`?run=`): the root's name and the path below it; never used as a path. */
  id: string;
  kind: RunKind;
  label: string;
  /** The given root this run was found under (files are served only from inside it). */
  root: string;
  directory: string;
};

export type OpenRun =
  | { entry: RunEntry; reader: EvalRunReader; index: SampleIndex }
  | { entry: RunEntry; reader: TrajectoryFolderReader; index: SampleIndex }
  | { entry: RunEntry; reader: CurationRunReader }
  | { entry: RunEntry; reader: MetricsReader };

/** How deep below a given directory runs are looked for. */
const MAX_DEPTH = 3;

function kindOf(directory: string): RunKind | undefined {
  if (existsSync(join(directory, 'run.sqlite'))) return 'eval';
  if (existsSync(join(directory, 'curation.sqlite'))) return 'curation';
  if (existsSync(join(directory, 'metrics.sqlite'))) return 'training';
  if (isTrajectoryFolder(directory)) return 'trajectories';
  return undefined;
}

/** The default folder for sidecar search indexes: `$XDG_CACHE_HOME/deepeyes/view`. */
export function defaultCacheDirectory(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'deepeyes', 'view');
}

/**
 * The runs under the directories given to `deepeyes view`, found again on every listing so new runs
 * appear while the server runs. Readers are opened lazily and kept; one that fails is listed with its error.
 */
export class RunRegistry {
  private readonly roots: { path: string; name: string }[];
  private readonly open = new Map<string, OpenRun>();

  constructor(
    roots: readonly string[],
    private readonly cacheDirectory: string,
  ) {
    const names = new Map<string, number>();
    this.roots = roots.map((root) => {
      const path = resolve(root);
      let name = basename(path) || 'root';
      const count = (names.get(name) ?? 0) + 1;
      names.set(name, count);
      if (count > 1) name = `${name}~${count}`;
      return { path, name };
    });
  }

  rootPaths(): string[] {
    return this.roots.map((root) => root.path);
  }

  list(): RunEntry[] {
    const entries: RunEntry[] = [];
    const visit = (root: { path: string; name: string }, directory: string, depth: number) => {
      const kind = kindOf(directory);
      if (kind) {
        const below = relative(root.path, directory).split(/[\\/]/).filter(Boolean);
        const id = [root.name, ...below].join('/');
        entries.push({
          id,
          kind,
          label: below.length ? below.join('/') : root.name,
          root: root.path,
          directory,
        });
        if (kind !== 'trajectories') return;
      }
      if (depth >= MAX_DEPTH) return;
      let children: string[] = [];
      try {
        children = readdirSync(directory, { withFileTypes: true })
          .filter(
            (entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'trajectories',
          )
          .map((entry) => entry.name)
          .sort();
      } catch {
        return;
      }
      for (const child of children) visit(root, join(directory, child), depth + 1);
    };
    for (const root of this.roots) visit(root, root.path, 0);
    return entries;
  }

  /** Opens (once) the reader of run `id`; throws the store's error for a corrupt or half-written run. */
  get(id: string): OpenRun | undefined {
    const cached = this.open.get(id);
    if (cached) return cached;
    const entry = this.list().find((candidate) => candidate.id === id);
    if (!entry) return undefined;
    const opened = this.openEntry(entry);
    this.open.set(id, opened);
    return opened;
  }

  private openEntry(entry: RunEntry): OpenRun {
    switch (entry.kind) {
      case 'eval': {
        const index = new SampleIndex(this.indexPath(entry.directory));
        try {
          return { entry, reader: new EvalRunReader(entry.directory, index), index };
        } catch (error) {
          index.close();
          throw error;
        }
      }
      case 'trajectories': {
        const index = new SampleIndex(this.indexPath(entry.directory));
        return { entry, reader: new TrajectoryFolderReader(entry.directory, index), index };
      }
      case 'curation':
        return { entry, reader: new CurationRunReader(entry.directory) };
      case 'training':
        return { entry, reader: new MetricsReader(entry.directory) };
    }
  }

  /** The sidecar index of a run: named by the run's real path, in the cache folder, never in the run. */
  private indexPath(directory: string): string {
    const key = createHash('sha256').update(realpathSync(directory)).digest('hex').slice(0, 20);
    return join(this.cacheDirectory, `${key}.sqlite`);
  }

  close(): void {
    for (const run of this.open.values()) {
      run.reader.close();
      if ('index' in run) run.index.close();
    }
    this.open.clear();
  }
}
