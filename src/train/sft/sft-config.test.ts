import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { checkSftExport } from './check-export.js';
import { buildSftConfig, SFT_DEFAULTS, type SftSettings } from './sft-config.js';
import { formatYamlNumber, formatYamlScalar, parseSetValue } from './yaml-scalar.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');

const settings: SftSettings = {
  ...SFT_DEFAULTS,
  modelNameOrPath: 'Qwen/Qwen2.5-VL-7B-Instruct',
  datasets: ['deepeyes_sft'],
  datasetDir: '/data/export',
  mediaDir: '/data/export',
  outputDir: '/runs/sft-1/output',
  deepspeedPath: '/runs/sft-1/ds_z3_config.json',
};

describe('SFT YAML', () => {
  it('writes the paper defaults byte for byte', () => {
    expect(buildSftConfig(settings).yaml).toBe(fixture('sft-default.yaml'));
  });

  it('--set replaces a key in place and adds new ones at the end', () => {
    const config = buildSftConfig(settings, [
      ['learning_rate', parseSetValue('2e-6')],
      ['save_total_limit', parseSetValue('10')],
      ['max_samples', parseSetValue('100000')],
    ]);
    expect(config.values.get('learning_rate')).toBe(2e-6);
    expect(config.yaml).toContain('learning_rate: 2.0e-06\n');
    expect(config.yaml.endsWith('### overrides (--set)\nsave_total_limit: 10\nmax_samples: 100000\n')).toBe(
      true,
    );
  });

  it('derives gradient accumulation from batch 128 and refuses a batch the GPUs cannot make', () => {
    expect(buildSftConfig({ ...settings, gpus: 8 }).gradientAccumulationSteps).toBe(16);
    expect(() => buildSftConfig({ ...settings, gpus: 24 })).toThrow(
      'global batch 128 is not a multiple of per-device batch 1 × 24 GPU(s) = 24',
    );
    expect(() => buildSftConfig({ ...settings, gpus: 256 })).toThrow(UserError);
    expect(() => buildSftConfig(settings, [['Bad-Key', 1]])).toThrow(/not a LLaMA-Factory key name/);
  });

  it('writes numbers and strings PyYAML reads back as the same type', () => {
    // PyYAML (YAML 1.1) reads `1e-05` as a string; a float needs the dot.
    expect(formatYamlNumber(1e-5)).toBe('1.0e-05');
    expect(formatYamlNumber(1.5e-7)).toBe('1.5e-07');
    expect(formatYamlNumber(0.1)).toBe('0.1');
    expect(formatYamlNumber(3)).toBe('3');
    expect(formatYamlNumber(1e21)).toBe('1.0e+21');
    expect(formatYamlScalar('yes')).toBe('"yes"');
    expect(formatYamlScalar('on')).toBe('"on"');
    expect(formatYamlScalar('a: b')).toBe('"a: b"');
    expect(formatYamlScalar('Qwen/Qwen2.5-VL-7B-Instruct')).toBe('Qwen/Qwen2.5-VL-7B-Instruct');
    expect(parseSetValue('true')).toBe(true);
    expect(parseSetValue('null')).toBe(null);
    expect(parseSetValue('1.0e-5')).toBe(1e-5);
    expect(parseSetValue('cosine')).toBe('cosine');
  });
});

describe('checking the export against the YAML', () => {
  const root = mkdtempSync(join(tmpdir(), 'deepeyes-sft-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  let counter = 0;
  const makeExport = (options: { manifest?: unknown; info?: string } = {}) => {
    const directory = join(root, `export-${counter++}`);
    mkdirSync(join(directory, 'images'), { recursive: true });
    writeFileSync(join(directory, 'sft.json'), '[]');
    writeFileSync(
      join(directory, 'dataset_info.json'),
      options.info ??
        JSON.stringify({
          deepeyes_sft: {
            file_name: 'sft.json',
            formatting: 'sharegpt',
            columns: { messages: 'messages', images: 'images' },
          },
        }),
    );
    if (options.manifest)
      writeFileSync(join(directory, 'export-manifest.json'), JSON.stringify(options.manifest));
    return directory;
  };
  const wanted = { imageMaxPixels: 262144, cutoffLen: 20480, template: 'qwen2_vl' };
  const manifest = { image_max_pixels: 262144, cutoff_len: 20480, template: 'qwen2_vl', media_dir: 'images' };

  it('accepts a matching export and takes its datasets and media dir', () => {
    const directory = makeExport({ manifest });
    const checked = checkSftExport(directory, wanted);
    expect(checked.datasets).toEqual(['deepeyes_sft']);
    expect(checked.mediaDir).toBe(join(directory, 'images'));
    expect(checked.dataHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    ['a dataset name not in dataset_info.json', {}, { datasets: ['other'] }, 'dataset "other" is not in'],
    [
      'image_max_pixels other than the export validated',
      { manifest },
      { imageMaxPixels: 1003520 },
      'image_max_pixels 1003520 differs from the 262144',
    ],
    [
      'cutoff_len other than the export validated',
      { manifest },
      { cutoffLen: 32768 },
      'cutoff_len 32768 differs from the 20480',
    ],
    [
      'another template',
      { manifest },
      { template: 'qwen2_5_vl' },
      'template qwen2_5_vl differs from the qwen2_vl',
    ],
    [
      'a media dir that does not exist',
      {},
      { mediaDir: '/nonexistent/images' },
      'media dir /nonexistent/images does not exist',
    ],
    [
      'dataset_info.json with a trailing comma',
      { info: '{"a": {"file_name": "sft.json"},}' },
      {},
      'is not valid JSON',
    ],
    [
      'a data file the export lacks',
      { info: '{"a": {"file_name": "missing.json"}}' },
      {},
      'names missing.json, which is not in',
    ],
    [
      'a manifest without limits',
      { manifest: { template: 'qwen2_vl' } },
      {},
      'lacks image_max_pixels/cutoff_len',
    ],
  ])('refuses %s', (_name, exportOptions, override, message) => {
    const directory = makeExport(exportOptions as { manifest?: unknown; info?: string });
    const call = () => checkSftExport(directory, { ...wanted, ...override });
    expect(call).toThrow(UserError);
    expect(call).toThrow(message);
  });

  it('refuses a folder without dataset_info.json', () => {
    expect(() => checkSftExport(root, wanted)).toThrow('no dataset_info.json in');
  });
});
