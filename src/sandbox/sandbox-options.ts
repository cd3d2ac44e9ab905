import { z } from 'zod';

/**
 * Options of the local kernel sandbox. Every field has a default; times are in ms
 * unless the name says otherwise.
 */
export const kernelSandboxOptionsSchema = z.object({
  /** Python with IPython, pyzmq, numpy, PIL, matplotlib, cv2, sympy, scipy. Default Debian's `/usr/bin/python3`. */
  pythonPath: z.string().default('/usr/bin/python3'),
  /** Run kernels under bubblewrap (no network, read-only system, private scratch, own uid). Default true. */
  isolation: z.boolean().default(true),
  bwrapPath: z.string().default('/usr/bin/bwrap'),
  /** Kernels kept started and waiting for a session. Default 2. */
  poolSize: z.number().int().min(0).max(64).default(2),
  /** Open sessions at most; `openSession` beyond it fails with code `sandbox-full`. Default 64. */
  maxSessions: z.number().int().min(1).default(64),
  /**
   * How long a new session may wait for room (an idle session to evict, or memory) when the
   * session limit or the memory budget is reached, before it is refused. Default 30 s; 0 refuses at once.
   */
  sessionWaitMs: z.number().int().min(0).default(30_000),
  /**
   * Memory all kernels together may hold, in MB (PSS, sampled; see memory-budget.ts). Default:
   * half of the machine's RAM (or its cgroup limit) minus the server process's own use.
   */
  memoryBudgetMb: z.number().int().min(16).optional(),
  /** How often every kernel's memory is measured against the budget, in ms. Default 1000. */
  memorySampleMs: z.number().int().min(10).default(1000),
  /** An idle session is closed after this long without a call. Default 1 h (the reference keeps state 1 h). */
  sessionTtlMs: z.number().int().min(1).default(3_600_000),
  /** Budget of one call when the caller gives none. Default 30 s. */
  defaultTimeoutMs: z.number().int().min(1).default(30_000),
  /** After the interrupt at the timeout, how long the cell may take to stop before the kernel is killed. */
  interruptGraceMs: z.number().int().min(0).default(1_500),
  /** Memory a kernel may allocate beyond what it maps at start (RLIMIT_AS headroom), in MB. Default 2048. */
  memoryLimitMb: z.number().int().min(64).default(2048),
  /** Total CPU time one kernel may use over its life (RLIMIT_CPU), in seconds. Default 900. */
  cpuTimeLimitSeconds: z.number().int().min(1).default(900),
  /** Processes and threads per kernel (RLIMIT_NPROC; isolated kernels have their own uid). Default 64. */
  processLimit: z.number().int().min(8).default(64),
  /** Size of the private scratch tmpfs (also /tmp) per isolated kernel, in MB. Default 256. */
  scratchLimitMb: z.number().int().min(1).default(256),
  /** Largest file a kernel may write, in MB. Default 256. */
  fileSizeLimitMb: z.number().int().min(1).default(256),
  /** Characters kept per stream per call. Default 100 000. */
  maxOutputChars: z.number().int().min(1).default(100_000),
  /** Images returned per call. Default 10 (what the RL environment keeps). */
  maxImages: z.number().int().min(0).default(10),
  /** Largest PNG returned, in bytes. Default 16 MiB. */
  maxImageBytes: z
    .number()
    .int()
    .min(1)
    .default(16 * 1024 * 1024),
  /**
   * Send shell requests over each kernel's Unix-socket lane instead of ZeroMQ (same
   * Jupyter messages, fewer thread hand-offs; see sandbox_kernel.py). Default true.
   */
  kernelLane: z.boolean().default(true),
  /** How long a forked kernel may take to answer its first request. Default 30 s. */
  kernelStartTimeoutMs: z.number().int().min(1).default(30_000),
  /** How long the zygote may take to import the libraries. Default 120 s. */
  zygoteStartTimeoutMs: z.number().int().min(1).default(120_000),
  /** First uid of isolated kernels; kernel n runs as uidBase + n. Default 200 000. */
  uidBase: z.number().int().min(1000).default(200_000),
  /**
   * Host folders every kernel can read (not write) at the same path, e.g. the image folder
   * of an evaluation whose init cell opens images by host path. Each must be an existing
   * folder other than `/`. Default none.
   */
  readOnlyPaths: z.array(z.string()).default([]),
  /** Host directory for sockets and inputs; a fresh one under the system temp dir by default. */
  runDir: z.string().optional(),
});

export type KernelSandboxOptions = z.input<typeof kernelSandboxOptionsSchema>;
export type ResolvedSandboxOptions = z.output<typeof kernelSandboxOptionsSchema>;
