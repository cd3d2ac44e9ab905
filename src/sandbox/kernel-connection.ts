import { Dealer, type Socket, Subscriber } from 'zeromq';
import { DeepeyesError } from '../errors.js';
import { createMessageSigner, type JupyterMessage, type MessageSigner } from './jupyter-message.js';

/** ZeroMQ addresses of one kernel's channels (`ipc:///…` here). */
export type KernelEndpoints = { shell: string; control: string; iopub: string };

export type IopubListener = (message: JupyterMessage) => void;

type Pending = { resolve: (message: JupyterMessage) => void; reject: (error: Error) => void };

/**
 * A client for one Jupyter kernel over ZeroMQ: requests on the shell and control
 * channels, and IOPub messages routed to a listener by the request they belong to.
 */
export class KernelConnection {
  private readonly shell = new Dealer({ linger: 0, reconnectInterval: 5 });
  private readonly control = new Dealer({ linger: 0, reconnectInterval: 5 });
  private readonly iopub = new Subscriber({ linger: 0, reconnectInterval: 5 });
  private readonly signer: MessageSigner;
  private readonly pendingReplies = new Map<string, Pending>();
  private readonly iopubListeners = new Map<string, IopubListener>();
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
    const socket = channel === 'shell' ? this.shell : this.control;
    socket.send(frames).catch((error: unknown) => this.fail(msgId, error));
    return { msgId, reply };
  }

  /** Stops routing IOPub messages of a finished request. */
  release(msgId: string): void {
    this.iopubListeners.delete(msgId);
    this.pendingReplies.delete(msgId);
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
    const error = new DeepeyesError('kernel-closed', 'The kernel connection closed');
    for (const pending of this.pendingReplies.values()) pending.reject(error);
    this.pendingReplies.clear();
    this.iopubListeners.clear();
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
      for await (const frames of socket) {
        const message = this.decode(frames);
        const parentId = message?.parentHeader.msg_id;
        if (!message || parentId === undefined) continue;
        const pending = this.pendingReplies.get(parentId);
        if (!pending) continue;
        this.pendingReplies.delete(parentId);
        pending.resolve(message);
      }
    } catch {
      // The socket was closed under the loop; close() already rejected what was pending.
    }
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
