import { z } from 'zod';
import type { DisplayedOutput, DisplaySource, Execution } from './sandbox.js';

/** Per-call output bounds. */
export type OutputLimits = {
  /** Characters kept per stream (stdout, stderr); the rest is dropped with a marker. Default 100 000. */
  maxStreamChars: number;
  /** Images kept per call; later ones are dropped with a marker in stderr. Default 10. */
  maxImages: number;
  /** Largest PNG kept, in bytes; larger ones are dropped with a marker. Default 16 MiB. */
  maxImageBytes: number;
};

export const defaultOutputLimits: OutputLimits = {
  maxStreamChars: 100_000,
  maxImages: 10,
  maxImageBytes: 16 * 1024 * 1024,
};

const streamSchema = z.object({ name: z.enum(['stdout', 'stderr']), text: z.string() });
const mimeBundleSchema = z.object({ data: z.record(z.string(), z.unknown()) });
const displayDataSchema = mimeBundleSchema.extend({
  // The deepeyes kernel says who displayed it (kernel_shell.py display_source).
  metadata: z
    .object({ deepeyes: z.object({ source: z.enum(['show', 'auto', 'display']) }).optional() })
    .loose()
    .optional(),
});
const executeResultSchema = mimeBundleSchema.extend({
  execution_count: z.number().nullable().optional(),
  // The deepeyes kernel adds str(value) here; the bundle's text/plain is the repr.
  metadata: z
    .object({ deepeyes: z.object({ str: z.string() }).optional() })
    .loose()
    .optional(),
});
const errorSchema = z.object({ ename: z.string(), evalue: z.string(), traceback: z.array(z.string()) });
const executeInputSchema = z.object({ execution_count: z.number() });

/** Display records kept per call; a loop of display() calls beyond it is counted, not kept. */
const MAX_DISPLAYS = 10_000;

// Tracebacks come colourised for terminals; the model and API clients want plain text.
const ANSI_PATTERN = /\x1b\[[0-9;]*[A-Za-z]/g;

export function stripAnsi(text: string): string {
  return text.replace(ANSI_PATTERN, '');
}

/** What the collector saw, before the caller decides the call's status. */
export type CollectedOutput = Omit<Execution, 'status' | 'durationMs' | 'executionCount'> & {
  executionCount: number | undefined;
};

/**
 * Accumulates the IOPub messages of one execute request into stdout, stderr,
 * images and result, enforcing the output limits as the data arrives so a flood
 * never accumulates in memory.
 */
export class ExecutionCollector {
  private readonly streams = { stdout: '', stderr: '' };
  private readonly streamDropped = { stdout: 0, stderr: 0 };
  private readonly images: Uint8Array[] = [];
  private readonly displays: DisplayedOutput[] = [];
  private droppedDisplays = 0;
  private displayTextChars = 0;
  private droppedImages = 0;
  private oversizedImages = 0;
  private result: string | undefined;
  private resultDisplay: string | undefined;
  private error: Execution['error'];
  private executionCount: number | undefined;

  constructor(private readonly limits: OutputLimits = defaultOutputLimits) {}

  /** Feeds one IOPub message; unknown or malformed kinds are ignored (they carry nothing we return). */
  add(msgType: string, content: unknown): void {
    switch (msgType) {
      case 'stream': {
        const stream = streamSchema.safeParse(content);
        if (stream.success) this.appendStream(stream.data.name, stream.data.text);
        return;
      }
      case 'display_data': {
        const bundle = displayDataSchema.safeParse(content);
        if (bundle.success)
          this.addBundle(bundle.data.data, bundle.data.metadata?.deepeyes?.source ?? 'display');
        return;
      }
      case 'execute_result': {
        const bundle = executeResultSchema.safeParse(content);
        if (!bundle.success) return;
        this.addBundle(bundle.data.data, 'result');
        const text = bundle.data.metadata?.deepeyes?.str;
        if (text !== undefined) this.result = text;
        if (typeof bundle.data.execution_count === 'number')
          this.executionCount = bundle.data.execution_count;
        return;
      }
      case 'error': {
        const error = errorSchema.safeParse(content);
        if (!error.success) return;
        const traceback = stripAnsi(error.data.traceback.join('\n'));
        this.error = { name: error.data.ename, value: error.data.evalue, traceback };
        return;
      }
      case 'execute_input': {
        const input = executeInputSchema.safeParse(content);
        if (input.success) this.executionCount = input.data.execution_count;
        return;
      }
      default:
        return;
    }
  }

  /**
   * Takes the exception from the execute reply when no IOPub error came (IPython
   * could not format it, e.g. while memory was exhausted; it printed a fallback).
   */
  setErrorFromReply(name: string, value: string): void {
    this.error ??= { name, value, traceback: '' };
  }

  setExecutionCount(count: number): void {
    this.executionCount = count;
  }

  /**
   * The call's output. The traceback of an exception follows the stderr stream, as in
   * a notebook; `includeTraceback: false` leaves it out (an interrupt the sandbox sent
   * is reported by the sandbox's own notice instead).
   */
  finish(options: { includeTraceback: boolean } = { includeTraceback: true }): CollectedOutput {
    let stdout = this.streams.stdout;
    let stderr = this.streams.stderr;
    if (this.error !== undefined && options.includeTraceback) {
      const separator = stderr === '' || stderr.endsWith('\n') ? '' : '\n';
      stderr += `${separator}${this.error.traceback}\n`;
    }
    if (this.streamDropped.stdout > 0) {
      stdout += `\n[deepeyes: stdout truncated at ${this.limits.maxStreamChars} characters]\n`;
    }
    if (this.streamDropped.stderr > 0) {
      stderr += `\n[deepeyes: stderr truncated at ${this.limits.maxStreamChars} characters]\n`;
    }
    if (this.droppedImages > 0) {
      stderr += `[deepeyes: ${this.droppedImages} image(s) dropped, limit ${this.limits.maxImages} per call]\n`;
    }
    if (this.droppedDisplays > 0) {
      stderr += `[deepeyes: ${this.droppedDisplays} display output(s) dropped, limit ${MAX_DISPLAYS} per call]\n`;
    }
    if (this.oversizedImages > 0) {
      stderr += `[deepeyes: ${this.oversizedImages} image(s) dropped, larger than ${this.limits.maxImageBytes} bytes]\n`;
    }
    const collected: CollectedOutput = {
      stdout,
      stderr,
      images: this.images,
      displays: this.displays,
      executionCount: this.executionCount,
      truncated:
        this.streamDropped.stdout > 0 ||
        this.streamDropped.stderr > 0 ||
        this.droppedImages > 0 ||
        this.droppedDisplays > 0 ||
        this.oversizedImages > 0,
    };
    if (this.result !== undefined) collected.result = this.result;
    if (this.resultDisplay !== undefined) collected.resultDisplay = this.resultDisplay;
    if (this.error !== undefined && options.includeTraceback) collected.error = this.error;
    return collected;
  }

  private appendStream(name: 'stdout' | 'stderr', text: string): void {
    const room = this.limits.maxStreamChars - this.streams[name].length;
    if (room >= text.length) {
      this.streams[name] += text;
      return;
    }
    if (room > 0) this.streams[name] += text.slice(0, room);
    this.streamDropped[name] += text.length - Math.max(room, 0);
  }

  private addBundle(data: Record<string, unknown>, source: DisplaySource): void {
    if (this.displays.length >= MAX_DISPLAYS) {
      this.droppedDisplays += 1;
      return;
    }
    const displayed: DisplayedOutput = { source, stdoutOffset: this.streams.stdout.length };
    const png = data['image/png'];
    if (typeof png === 'string') {
      const index = this.addImage(png);
      if (index !== undefined) displayed.image = index;
    }
    const text = data['text/plain'];
    if (typeof text === 'string') {
      // A display's text may end up in a client's stdout: it shares the stream's budget.
      const room = Math.max(this.limits.maxStreamChars - this.displayTextChars, 0);
      displayed.text = text.slice(0, room);
      this.displayTextChars += displayed.text.length;
      if (source === 'result') {
        this.resultDisplay = text;
        this.result = text;
      }
    }
    this.displays.push(displayed);
  }

  /** The kept image's index, or undefined when a limit dropped it. */
  private addImage(base64: string): number | undefined {
    if (this.images.length >= this.limits.maxImages) {
      this.droppedImages += 1;
      return undefined;
    }
    // base64 is 4 characters per 3 bytes: check before decoding a huge payload.
    if (Math.floor((base64.length * 3) / 4) > this.limits.maxImageBytes + 3) {
      this.oversizedImages += 1;
      return undefined;
    }
    this.images.push(new Uint8Array(Buffer.from(base64, 'base64')));
    return this.images.length - 1;
  }
}
