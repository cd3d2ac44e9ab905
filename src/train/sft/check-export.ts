import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../../errors.js';

/**
 * What the curation export (`deepeyes curate export --format llamafactory`) writes beside
 * `dataset_info.json`: the limits it validated every sample against. The YAML must use the same ones,
 * or LLaMA-Factory silently drops or breaks samples (cut image pads fail with "Image features and
 * image tokens do not match"; a larger pixel budget makes samples longer than the export measured).
 */
export const exportManifestSchema = z.looseObject({
  image_max_pixels: z.number().int().positive(),
  cutoff_len: z.number().int().positive(),
  template: z.string().optional(),
  /** Datasets the export wrote (names in dataset_info.json). */
  datasets: z.array(z.string()).optional(),
  /** Folder image paths are relative to; absent when the export wrote absolute paths. */
  media_dir: z.string().optional(),
});
export type ExportManifest = z.infer<typeof exportManifestSchema>;

const datasetEntrySchema = z.looseObject({
  file_name: z.string().min(1),
  formatting: z.enum(['alpaca', 'sharegpt', 'openai']).optional(),
  columns: z.record(z.string(), z.string()).optional(),
});

export type CheckedExport = {
  exportDir: string;
  datasets: string[];
  /** The media dir the YAML should name (the manifest's, else the export dir). */
  mediaDir: string;
  manifest: ExportManifest | undefined;
  /** sha256 of dataset_info.json, the manifest and every data file, for job metadata. */
  dataHash: string;
};

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UserError('sft-export-invalid', `${what} ${path} is not valid JSON`, {
      cause: error,
      hint: 'LLaMA-Factory reads it with json.load, which refuses trailing commas and comments; re-export it',
    });
  }
}

/**
 * Checks an SFT export against the config about to be written; throws a `UserError` naming the
 * mismatch. `wanted` are the YAML's values (after flags and `--set`).
 */
export function checkSftExport(
  exportDir: string,
  wanted: {
    datasets?: string[];
    imageMaxPixels: number;
    cutoffLen: number;
    template: string;
    mediaDir?: string;
  },
): CheckedExport {
  const directory = resolve(exportDir);
  const infoPath = join(directory, 'dataset_info.json');
  if (!existsSync(infoPath))
    throw new UserError('sft-export-missing', `no dataset_info.json in ${directory}`, {
      hint: 'give --data the folder the curation export wrote (it holds dataset_info.json and the data files)',
    });
  const info = z.record(z.string(), datasetEntrySchema).safeParse(readJson(infoPath, 'dataset_info.json'));
  if (!info.success)
    throw new UserError(
      'sft-export-invalid',
      `dataset_info.json in ${directory} is not a map of dataset entries with file_name`,
      {
        cause: info.error,
      },
    );
  const manifestPath = join(directory, 'export-manifest.json');
  let manifest: ExportManifest | undefined;
  if (existsSync(manifestPath)) {
    const parsed = exportManifestSchema.safeParse(readJson(manifestPath, 'export-manifest.json'));
    if (!parsed.success)
      throw new UserError(
        'sft-export-invalid',
        `export-manifest.json in ${directory} lacks image_max_pixels/cutoff_len`,
        {
          cause: parsed.error,
        },
      );
    manifest = parsed.data;
  }
  const available = Object.keys(info.data);
  const datasets = wanted.datasets ?? manifest?.datasets ?? available;
  if (datasets.length === 0)
    throw new UserError('sft-export-empty', `dataset_info.json in ${directory} names no dataset`);
  for (const name of datasets) {
    if (!info.data[name])
      throw new UserError('sft-dataset-unknown', `dataset "${name}" is not in ${infoPath}`, {
        hint: `it has: ${available.join(', ') || 'nothing'}; pass one of them with --dataset`,
      });
    const file = join(directory, info.data[name].file_name);
    if (!existsSync(file))
      throw new UserError(
        'sft-export-missing',
        `dataset "${name}" names ${info.data[name].file_name}, which is not in ${directory}`,
      );
  }
  if (manifest) {
    if (manifest.image_max_pixels !== wanted.imageMaxPixels)
      throw new UserError(
        'sft-export-mismatch',
        `image_max_pixels ${wanted.imageMaxPixels} differs from the ${manifest.image_max_pixels} the export validated its samples with`,
        { hint: `use --image-max-pixels ${manifest.image_max_pixels}, or re-export with the new limit` },
      );
    if (manifest.cutoff_len !== wanted.cutoffLen)
      throw new UserError(
        'sft-export-mismatch',
        `cutoff_len ${wanted.cutoffLen} differs from the ${manifest.cutoff_len} the export validated sample lengths with`,
        { hint: `use --cutoff-len ${manifest.cutoff_len}, or re-export with the new length` },
      );
    if (manifest.template && manifest.template !== wanted.template)
      throw new UserError(
        'sft-export-mismatch',
        `template ${wanted.template} differs from the ${manifest.template} the export rendered samples with`,
        { hint: `use --template ${manifest.template}` },
      );
  }
  const manifestMedia = manifest?.media_dir
    ? isAbsolute(manifest.media_dir)
      ? manifest.media_dir
      : join(directory, manifest.media_dir)
    : undefined;
  const mediaDir = wanted.mediaDir ? resolve(wanted.mediaDir) : (manifestMedia ?? directory);
  if (!existsSync(mediaDir) || !statSync(mediaDir).isDirectory())
    throw new UserError('sft-media-missing', `media dir ${mediaDir} does not exist`, {
      hint: 'image paths in the export are relative to it; give --media-dir the folder holding the images',
    });
  if (manifestMedia && wanted.mediaDir && resolve(manifestMedia) !== mediaDir)
    throw new UserError(
      'sft-export-mismatch',
      `--media-dir ${mediaDir} is not the export's media dir ${manifestMedia}`,
      {
        hint: 'image paths in the export are relative to the export media dir; drop --media-dir',
      },
    );
  const hash = createHash('sha256');
  hash.update(readFileSync(infoPath));
  if (manifest) hash.update(readFileSync(manifestPath));
  for (const name of datasets) hash.update(readFileSync(join(directory, info.data[name]!.file_name)));
  return { exportDir: directory, datasets, mediaDir, manifest, dataHash: hash.digest('hex') };
}
