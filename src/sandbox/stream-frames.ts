/**
 * Multipart messages over a byte stream (the kernel's shell lane, see
 * kernel_wire.py StreamSocket): `<u32 frame count>` then `<u32 length><bytes>` per frame,
 * little-endian. Pure: no I/O here.
 */

/** One buffer holding a whole message, so it goes out in a single write. */
export function encodeStreamFrames(frames: Buffer[]): Buffer {
  let size = 4;
  for (const frame of frames) size += 4 + frame.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(frames.length, 0);
  let offset = 4;
  for (const frame of frames) {
    out.writeUInt32LE(frame.length, offset);
    frame.copy(out, offset + 4);
    offset += 4 + frame.length;
  }
  return out;
}

/** A message claiming more than this is a broken stream, not a big output. */
const MAX_MESSAGE_BYTES = 1 << 30;

/**
 * Reassembles messages from chunks as the stream delivers them (a message may span
 * chunks, a chunk may hold several messages). Throws on a stream that cannot be framed.
 */
export class StreamFrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  push(chunk: Buffer): Buffer[][] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const messages: Buffer[][] = [];
    let buffer = this.pending.length === 1 ? chunk : Buffer.concat(this.pending, this.pendingBytes);
    let offset = 0;
    for (;;) {
      const parsed = parseMessage(buffer, offset);
      if (parsed === undefined) break;
      messages.push(parsed.frames);
      offset = parsed.end;
    }
    if (offset === buffer.length) {
      this.pending = [];
      this.pendingBytes = 0;
    } else {
      buffer = buffer.subarray(offset);
      this.pending = [buffer];
      this.pendingBytes = buffer.length;
    }
    return messages;
  }
}

function parseMessage(buffer: Buffer, start: number): { frames: Buffer[]; end: number } | undefined {
  if (buffer.length - start < 4) return undefined;
  const count = buffer.readUInt32LE(start);
  let offset = start + 4;
  let total = 0;
  const frames: Buffer[] = [];
  for (let index = 0; index < count; index += 1) {
    if (buffer.length - offset < 4) return undefined;
    const size = buffer.readUInt32LE(offset);
    total += size;
    if (total > MAX_MESSAGE_BYTES) throw new Error(`stream message larger than ${MAX_MESSAGE_BYTES} bytes`);
    if (buffer.length - offset - 4 < size) return undefined;
    // A copy, so a frame does not pin the whole chunk it arrived in.
    frames.push(Buffer.from(buffer.subarray(offset + 4, offset + 4 + size)));
    offset += 4 + size;
  }
  return { frames, end: offset };
}
