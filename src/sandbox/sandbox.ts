/** An image handed to a new session; it appears in the kernel as `image_<index>` (1-based, PIL). */
export type SessionImage = {
  /** Encoded bytes in any format PIL can open (PNG, JPEG, WebP, …). */
  bytes: Uint8Array;
};

export type OpenSessionOptions = {
  /** Loaded as `image_1`, `image_2`, … before the first call, as bytes rather than through code text. */
  images?: SessionImage[];
  /** Caller-chosen id (the v1 API's `session_id`); generated when absent. */
  sessionId?: string;
};

export type ExecuteOptions = {
  /** Wall-clock budget for this call alone, in ms. Default 30 000. */
  timeoutMs?: number;
};

/**
 * show: plt.show() or fig.show(); auto: a figure the cell left open, drawn at its end by
 * the inline backend; display: display() and other display calls; result: the last value.
 */
export type DisplaySource = 'show' | 'auto' | 'display' | 'result';

export type DisplayedOutput = {
  source: DisplaySource;
  /** Its text/plain form (a repr), when it had one. */
  text?: string;
  /** Index into `images` of its PNG, when one was kept. */
  image?: number;
  /** How many characters of `stdout` had been written when it was displayed. */
  stdoutOffset: number;
};

/**
 * What one call produced. Failing user code is data here, not an exception:
 * `error` holds the exception and `stderr` its Jupyter-style traceback.
 */
export type Execution = {
  stdout: string;
  stderr: string;
  /** `str()` of a bare last expression's value, when there is one (the v1 API's `result`). */
  result?: string;
  /**
   * How IPython displays that value (its `text/plain`, usually the repr): what a notebook
   * shows as `Out[n]`. Absent when there is no value.
   */
  resultDisplay?: string;
  /** PNG bytes of every figure shown / image displayed, in order, capped per call. */
  images: Uint8Array[];
  /**
   * Everything displayed, in order: figures, display() calls and the last value. Lets a
   * client rebuild what another front end would show (see reference-output.ts). Absent
   * from sandboxes that cannot tell.
   */
  displays?: DisplayedOutput[];
  error?: { name: string; value: string; traceback: string };
  /**
   * ok: ran to the end; error: raised; timeout: interrupted at its timeout, state kept;
   * killed: did not stop after the interrupt, kernel replaced and state lost;
   * dead: the kernel died (memory limit, os._exit, …) and the session is gone.
   */
  status: 'ok' | 'error' | 'timeout' | 'killed' | 'dead';
  /** Jupyter execution count of this call. */
  executionCount: number;
  durationMs: number;
  /** True when stdout, stderr or the image list was cut at a limit (a marker says so in the text). */
  truncated: boolean;
};

/** One stateful kernel. */
export interface SandboxSession {
  readonly id: string;
  execute(code: string, options?: ExecuteOptions): Promise<Execution>;
  /** Ends the kernel and deletes its scratch dir. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Why a session ended. evicted: closed while idle to make room (session limit or memory
 * budget); expired: idle past its TTL; dead: its kernel died; shutdown: the sandbox closed;
 * closed: its owner closed it.
 */
export type SessionCloseReason = 'evicted' | 'expired' | 'dead' | 'shutdown' | 'closed';

/** Opens sessions; the agent sees only this interface, never which implementation it has. */
export interface Sandbox {
  openSession(options?: OpenSessionOptions): Promise<SandboxSession>;
  /** Stops every session and background process. */
  close(): Promise<void>;
  /**
   * Hears every session that ends for a reason other than its owner's close (servers use it
   * to drop their entry and to tell a later caller why the state is gone). Optional.
   */
  onSessionClosed?(listener: (id: string, reason: SessionCloseReason) => void): void;
}
