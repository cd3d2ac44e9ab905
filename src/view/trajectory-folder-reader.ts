import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { z } from 'zod';
import type { IndexedSample, SampleIndex } from './sample-index.js';
import { sampleText } from './sample-text.js';
import { toolsUsed } from './tools-used.js';
import { rewriteImagePaths } from './trajectory-images.js';

const lineSchema = z.looseObject({
  id: z.string().optional(),
  question: z.string().default(''),
  answer: z.string().nullable().default(null),
  reference: z.string().optional(),
  correct: z.boolean().optional(),
  turns: z.array(z.unknown()).default([]),
  stopReason: z.string().optional(),
  durationMs: z.number().default(0),
});

/** Whether a folder holds trajectory JSONL files at its top level. */
export function isTrajectoryFolder(directory: string): boolean {
  try {
    return readdirSync(directory).some((name) => name.endsWith('.jsonl'));
  } catch {
    return false;
  }
}

/**
 * Any folder of trajectory JSONL files (one trajectory per line, e.g. rollouts dumped by a trainer): every
 * line is a sample; a line that is not a trajectory is kept as a sample saying why.
 */
export class TrajectoryFolderReader {
  private signature = '';
  private lines = new Map<string, { value: unknown; problem: string | null }>();

  constructor(
    readonly directory: string,
    private readonly index: SampleIndex,
  ) {}

  private files(): string[] {
    return readdirSync(this.directory)
      .filter((name) => name.endsWith('.jsonl'))
      .sort();
  }

  summary() {
    const files = this.files();
    return {
      kind: 'trajectories' as const,
      files: files.length,
      items: this.lines.size,
      status: 'finished' as const,
    };
  }

  async refreshIndex(): Promise<void> {
    const files = this.files();
    const signature = files
      .map((name) => {
        const stat = statSync(join(this.directory, name));
        return `${name}:${stat.size}:${stat.mtimeMs}`;
      })
      .join('|');
    if (signature === this.signature) return;
    const lines = new Map<string, { value: unknown; problem: string | null }>();
    const samples: IndexedSample[] = [];
    for (const name of files) {
      const text = await readFile(join(this.directory, name), 'utf8');
      text.split('\n').forEach((line, lineIndex) => {
        if (line.trim() === '') return;
        let value: unknown;
        let problem: string | null = null;
        try {
          value = JSON.parse(line);
        } catch (error) {
          problem = `${name} line ${lineIndex + 1} is not JSON (${(error as Error).message})`;
        }
        const parsed = lineSchema.safeParse(value);
        if (!problem && !parsed.success) problem = `${name} line ${lineIndex + 1} is not a trajectory`;
        let id = parsed.success && parsed.data.id ? parsed.data.id : `${name}:${lineIndex + 1}`;
        if (lines.has(id)) id = `${id} (${name}:${lineIndex + 1})`;
        lines.set(id, { value, problem });
        const data = parsed.success ? parsed.data : lineSchema.parse({});
        const used = toolsUsed(value, {});
        samples.push({
          stamp: signature,
          text: sampleText(value, data.question),
          row: {
            id,
            position: samples.length,
            verdict: problem
              ? 'error'
              : data.correct === true
                ? 'right'
                : data.correct === false
                  ? 'wrong'
                  : 'unscored',
            category: name,
            capabilities: '',
            question: data.question,
            prediction: data.answer,
            reference: data.reference ?? '',
            tools: used.tools,
            toolCategories: used.categories,
            toolCalls: 0,
            turns: data.turns.length,
            durationMs: data.durationMs,
            stopReason: data.stopReason ?? null,
            errorKind: problem ? 'unreadable' : null,
          },
        });
      });
    }
    this.index.update(
      samples,
      [...this.index.stamps().keys()].filter((id) => !lines.has(id)),
    );
    this.lines = lines;
    this.signature = signature;
  }

  async sample(id: string, filesUrl: string) {
    const line = this.lines.get(id);
    if (!line) return undefined;
    return {
      item: { id },
      trajectory: rewriteImagePaths(line.value, (path) => {
        const normal = posix.normalize(path);
        return normal.startsWith('..') || posix.isAbsolute(normal)
          ? null
          : `${filesUrl}/${normal.split('/').map(encodeURIComponent).join('/')}`;
      }),
      problem: line.problem,
    };
  }

  close(): void {}
}
