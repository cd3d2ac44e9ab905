import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InputFormatError, sqliteFileError, UserError } from '../errors.js';

/** What sets one kind of deepeyes index file apart: its name, its schema and how to build one. */
export type IndexFileKind = {
  /** How messages name it: `text index`, `image index`. */
  noun: string;
  /** `a` or `an`, before the noun. */
  article: 'a' | 'an';
  /** The table holding `('schema', version)`: it marks the file as this kind of index. */
  metaTable: string;
  schemaVersion: string;
  /** SQL creating the index's own tables in an empty file. */
  schemaSql: string;
  /** The command that builds one, for hints. */
  buildCommand: string;
  /** The command that rebuilds one of an older schema, for hints. */
  rebuildCommand: string;
};

/**
 * Opens (or with `create`, creates) a deepeyes index file: the SQLite database in WAL mode, its
 * schema checked or laid down. Every way the file can be wrong (missing, a directory, not SQLite,
 * another kind of file, an older schema) is a user error naming the path and how to build one.
 */
export function openIndexFile(
  path: string,
  kind: IndexFileKind,
  options: { create?: boolean; readonly?: boolean } = {},
): Database.Database {
  const create = options.create ?? false;
  if (create) mkdirSync(dirname(path), { recursive: true });
  let database: Database.Database;
  try {
    database = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !create });
  } catch (cause) {
    const isDirectory = statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
    throw new UserError(
      'index-not-found',
      `cannot open ${kind.noun} ${path}: ${isDirectory ? 'it is a directory' : create ? 'cannot create the file there' : 'no such file'}`,
      {
        cause,
        hint: isDirectory
          ? 'Give the path of an index file, not a directory.'
          : `build one with \`${kind.buildCommand}\``,
      },
    );
  }
  try {
    if (!options.readonly) database.pragma('journal_mode = WAL');
    ensureSchema(database, path, kind, create);
  } catch (error) {
    database.close();
    throw sqliteFileError(
      error,
      path,
      kind.noun,
      create
        ? `Give --out a new path (or an existing deepeyes ${kind.noun} to extend).`
        : `Give a file made by \`${kind.buildCommand}\`.`,
    );
  }
  return database;
}

function ensureSchema(database: Database.Database, path: string, kind: IndexFileKind, create: boolean): void {
  const hasMeta = database
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")
    .get(kind.metaTable);
  if (hasMeta) {
    const version = database
      .prepare(`SELECT value FROM ${kind.metaTable} WHERE key = 'schema'`)
      .pluck()
      .get();
    if (version !== kind.schemaVersion) {
      throw new InputFormatError(
        'index-version',
        `${path} is ${kind.article} ${kind.noun} of schema ${String(version)}, expected ${kind.schemaVersion}`,
        { hint: `rebuild it with \`${kind.rebuildCommand}\`` },
      );
    }
    return;
  }
  if (!create) {
    throw new InputFormatError('index-format', `${path} is not a deepeyes ${kind.noun}`, {
      hint: `build one with \`${kind.buildCommand}\``,
    });
  }
  database.exec(`
    CREATE TABLE ${kind.metaTable} (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO ${kind.metaTable} VALUES ('schema', '${kind.schemaVersion}');
    ${kind.schemaSql}
  `);
}
