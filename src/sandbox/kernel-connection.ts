import { connect, type Socket as StreamSocket } from 'node:net';
import { Dealer, type Socket, Subscriber } from 'zeromq';
import { DeepeyesError } from '../errors.js';
import { createMessageSigner, type JupyterMessage, type MessageSigner } from './jupyter-message.js';
import { encodeStreamFrames, StreamFrameReader } from './stream-frames.js';

/** ZeroMQ addresses of one kernel's channels (`ipc:///…` here). */
export type KernelEndpoints = { shell: string; control: string; iopub: string };

export type IopubListener = (message: JupyterMessage) => void;

type Pending = { resolve: (message: JupyterMessage) => void; reject: (error: Error) => void };

/**
 * A client for one Jupyter kernel over ZeroMQ: requests on the shell and control
 * channels, and IOPub messages routed to a listener by the request they belong to.
 * Once `attachLane` succeeds, shell requests go over the kernel's Unix-socket lane
 * instead (same messages, fewer thread hand-offs; see sandbox_kernel.py).
 */
export class KernelConnection {
  private readonly shell = new Dealer({ linger: 0, reconnectInterval: 5 });
  private readonly control = new Dealer({ linger: 0, reconnectInterval: 5 });
  private readonly iopub = new Subscriber({ linger: 0, reconnectInterval: 5 });
  private readonly signer: MessageSigner;
  private readonly pendingReplies = new Map<string, Pending>();
  private readonly iopubListeners = new Map<string, IopubListener>();
  private lane: StreamSocket | undefined;
  /** Requests in flight on the lane: if it breaks, their replies can no longer come. */
  private readonly laneRequests = new Set<string>();
  private closed = false;

  constructor(endpoints: KernelEndpoints, key: string) {
    this.signer = createMessageSigner(key);
    this.shell.connect(endpoints.shell);
    this.control.connect(endpoints.control);
    this.iopub.connect(endpoints.iopub);
    this.iopub.subscribe();
    void this.readReplies(this.shell);
    void this.readReplies(this.control);
    void this.readIopub();
  }

  /**
   * Sends a request; `listener` gets every IOPub message whose parent is this request
   * until `release(msgId)`. The reply promise rejects if the connection closes first.
   */
  request(
    channel: 'shell' | 'control',
    msgType: string,
    content: unknown,
    listener?: IopubListener,
    metadata?: Record<string, unknown>,
  ): { msgId: string; reply: Promise<JupyterMessage> } {
    if (this.closed) throw new DeepeyesError('kernel-closed', 'The kernel connection is closed');
    const { msgId, frames } = this.signer.encode(msgType, content, metadata);
    if (listener) this.iopubListeners.set(msgId, listener);
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      this.pendingReplies.set(msgId, { resolve, reject });
    });
    if (channel === 'shell' && this.lane) {
      this.laneRequests.add(msgId);
      const lane = this.lane;
      lane.cork();
      for (const piece of encodeStreamFrames(frames)) lane.write(piece);
      lane.uncork();
      return { msgId, reply };
    }
    const socket = channel === 'shell' ? this.shell : this.control;
    socket.send(frames).catch((error: unknown) => this.fail(msgId, error));
    return { msgId, reply };
  }

  /**
   * Connects to the kernel's shell lane (a Unix socket at `path`); shell requests use
   * it from then on. Resolves false, leaving ZeroMQ in charge, when there is none.
   */
  async attachLane(path: string, timeoutMs = 2000): Promise<boolean> {
    if (this.closed) return false;
    const socket = connect(path);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
      socket.once('error', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (!connected || this.closed) {
      socket.destroy();
      return false;
    }
    const reader = new StreamFrameReader();
    socket.on('data', (chunk: Buffer) => {
      let messages: Buffer[][];
      try {
        messages = reader.push(chunk);
      } catch {
        socket.destroy(); // unframeable: nothing more on this stream can be trusted
        return;
      }
      for (const frames of messages) this.resolveReply(frames);
    });
    socket.on('error', () => {}); // 'close' follows and does the work
    socket.on('close', () => this.loseLane(socket));
    this.lane = socket;
    return true;
  }

  /** True while shell requests go over the lane. */
  get laneAttached(): boolean {
    return this.lane !== undefined;
  }

  /** Stops routing IOPub messages of a finished request. */
  release(msgId: string): void {
    this.iopubListeners.delete(msgId);
    this.pendingReplies.delete(msgId);
    this.laneRequests.delete(msgId);
  }

  /**
   * Resolves once the kernel answers on shell and its IOPub stream reaches us, so no
   * output of the first execution can be missed (a late SUB join loses messages).
   */
  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let iopubLive = false;
    while (Date.now() < deadline) {
      const { msgId, reply } = this.request('shell', 'kernel_info_request', {}, () => {
        iopubLive = true;
      });
      const answered = await Promise.race([reply.then(() => true), delay(deadline - Date.now(), false)]);
      if (answered) {
        // IOPub status messages trail the reply by a little; give them a moment.
        for (let waited = 0; waited < 100 && !iopubLive; waited += 2) await delay(2, undefined);
      }
      this.release(msgId);
      if (iopubLive) return;
    }
    throw new DeepeyesError('kernel-start-timeout', `The kernel did not become ready within ${timeoutMs} ms`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    this.lane?.destroy();
    this.lane = undefined;
    const error = new DeepeyesError('kernel-closed', 'The kernel connection closed');
    for (const pending of this.pendingReplies.values()) pending.reject(error);
    this.pendingReplies.clear();
    this.iopubListeners.clear();
  }

  private loseLane(socket: StreamSocket): void {
    if (this.lane !== socket) return;
    this.lane = undefined;
    const error = new DeepeyesError('kernel-lane-closed', 'The connection to the kernel broke mid-request');
    for (const msgId of this.laneRequests) {
      const pending = this.pendingReplies.get(msgId);
      this.pendingReplies.delete(msgId);
      pending?.reject(error);
    }
    this.laneRequests.clear();
  }

  private fail(msgId: string, error: unknown): void {
    const pending = this.pendingReplies.get(msgId);
    this.pendingReplies.delete(msgId);
    pending?.reject(
      new DeepeyesError('kernel-send-failed', 'Could not send to the kernel', { cause: error }),
    );
  }

  private decode(frames: Buffer[]): JupyterMessage | undefined {
    try {
      return this.signer.decode(frames);
    } catch {
      // A message that fails its signature is not from our kernel; dropping it is the only safe answer.
      return undefined;
    }
  }

  private async readReplies(socket: Socket & AsyncIterable<Buffer[]>): Promise<void> {
    try {
      for await (const frames of socket) this.resolveReply(frames);
    } catch {
      // The socket was closed under the loop; close() already rejected what was pending.
    }
  }

  private resolveReply(frames: Buffer[]): void {
    const message = this.decode(frames);
    const parentId = message?.parentHeader.msg_id;
    if (!message || parentId === undefined) return;
    this.laneRequests.delete(parentId);
    const pending = this.pendingReplies.get(parentId);
    if (!pending) return;
    this.pendingReplies.delete(parentId);
    pending.resolve(message);
  }

  private async readIopub(): Promise<void> {
    try {
      for await (const frames of this.iopub) {
        const message = this.decode(frames);
        const parentId = message?.parentHeader.msg_id;
        if (!message || parentId === undefined) continue;
        this.iopubListeners.get(parentId)?.(message);
      }
    } catch {
      // Closed.
    }
  }
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), Math.max(ms, 0)));
}
