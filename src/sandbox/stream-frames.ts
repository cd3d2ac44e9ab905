/**
 * Multipart messages over a byte stream (the kernel's shell lane, see
 * kernel_wire.py StreamSocket): `<u32 frame count>` then `<u32 length><bytes>` per frame,
 * little-endian. Pure: no I/O here.
 */

/** Frames from this size on are written as they are, not copied into the message's buffer. */
const WRITE_AS_IS_BYTES = 64 * 1024;

/**
 * A whole message as pieces to write back to back (corked, so one writev): small frames are
 * copied into shared buffers, a large one (an init cell's 8.5 MB of code) goes as it is,
 * since a copy costs a fresh 8.5 MB of pages, and page faults are slow on VMs.
 */
export function encodeStreamFrames(frames: Buffer[]): Buffer[] {
  const pieces: Buffer[] = [];
  let pending: Buffer[] = [u32(frames.length)];
  for (const frame of frames) {
    pending.push(u32(frame.length));
    if (frame.length < WRITE_AS_IS_BYTES) {
      pending.push(frame);
      continue;
    }
    pieces.push(Buffer.concat(pending), frame);
    pending = [];
  }
  if (pending.length > 0) pieces.push(Buffer.concat(pending));
  return pieces;
}

function u32(value: number): Buffer {
  const out = Buffer.allocUnsafe(4);
  out.writeUInt32LE(value, 0);
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
