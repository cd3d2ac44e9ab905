import { open } from 'node:fs/promises';

export type TextLine = {
  /** 1-based line number. */
  line: number;
  /** Absolute byte range of the line, without its terminator. */
  start: number;
  end: number;
  /** Offset where the next line starts. */
  next: number;
  text: string;
};

/**
 * Lines of a file read in chunks, one line in memory at a time (a JSON line holding an inline
 * base64 image may be many MB, the file many GB). `onBytes` sees every byte read from `from.offset`
 * on exactly once, up to the end of the last line yielded.
 */
export async function* readLines(
  path: string,
  options: {
    from?: { offset: number; line: number };
    onBytes?: (bytes: Buffer) => void;
    chunkBytes?: number;
  } = {},
): AsyncGenerator<TextLine> {
  const handle = await open(path, 'r');
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  let position = options.from?.offset ?? 0;
  let line = options.from?.line ?? 1;
  let lineStart = position;
  let parts: Buffer[] = [];
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await handle.read(chunk, 0, chunkBytes, position);
      const chunkStart = position;
      position += bytesRead;
      if (bytesRead === 0) {
        if (parts.length > 0) {
          for (const part of parts) options.onBytes?.(part);
          const text = Buffer.concat(parts).toString('utf8');
          yield { line, start: lineStart, end: chunkStart, next: chunkStart, text: text.replace(/\r$/, '') };
        }
        return;
      }
      let from = 0;
      for (let lf = chunk.indexOf(10, 0); lf !== -1 && lf < bytesRead; lf = chunk.indexOf(10, from)) {
        parts.push(chunk.subarray(from, lf + 1));
        for (const part of parts) options.onBytes?.(part);
        const text = Buffer.concat(parts).toString('utf8', 0, end0(parts));
        parts = [];
        const end = chunkStart + lf;
        yield { line, start: lineStart, end, next: end + 1, text: text.replace(/\r$/, '') };
        line++;
        lineStart = end + 1;
        from = lf + 1;
      }
      if (from < bytesRead) {
        // Copied: the chunk buffer is not reused, but a small slice would keep all of it alive.
        parts.push(Buffer.from(chunk.subarray(from, bytesRead)));
      }
    }
  } finally {
    await handle.close();
  }
}

/** Length of the parts without the final newline byte. */
function end0(parts: Buffer[]): number {
  return parts.reduce((sum, part) => sum + part.length, 0) - 1;
}
