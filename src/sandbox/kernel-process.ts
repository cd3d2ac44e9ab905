import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeepeyesError } from '../errors.js';
import { SANDBOX_RUN_DIR } from './bwrap-args.js';
import { KernelConnection } from './kernel-connection.js';
import type { KernelExit, SpawnRequest, ZygoteProcess } from './zygote-process.js';

export type KernelLaunch = {
  zygote: ZygoteProcess;
  /** Host run directory (see ZygoteOptions.runDir). */
  runDir: string;
  isolation: boolean;
  /** Short unique name; also names the socket and input directories. */
  key: string;
  uid: number;
  scratchMb: number;
  limits: SpawnRequest['limits'];
  readyTimeoutMs: number;
  /** Use the kernel's shell lane once it is ready (see KernelConnection.attachLane). */
  useLane: boolean;
};

/** IPC "ports" are suffixes of the socket path: `<dir>/k-<port>` (as ipykernel names them; sandbox_kernel.py binds the same). */
const PORTS = { shell_port: 1, iopub_port: 2, stdin_port: 3, control_port: 4, hb_port: 5 };
/** The kernel's shell lane, a Unix socket beside the ZeroMQ ones (sandbox_kernel.py LANE_NAME). */
const LANE_NAME = 'k-lane';

/** One forked kernel: its directories, its ZeroMQ connection and how it ended. */
export class KernelProcess {
  readonly exited: Promise<KernelExit>;
  private exitInfo: KernelExit | undefined;
  private disposed = false;
  /** Why the server killed this kernel, when it did so for a reason the user should read. */
  private killReason: string | undefined;

  private constructor(
    private readonly launch: KernelLaunch,
    readonly connection: KernelConnection,
    /** Its pid as the zygote sees it (the helper's, when isolated): the key to its /proc entries. */
    readonly pid: number,
    private readonly hostDirs: { inputs: string; ipc: string; scratch: string; temporary: string },
    exited: Promise<KernelExit>,
  ) {
    this.exited = exited.then((exit) => {
      this.exitInfo = exit;
      return exit;
    });
  }

  static async start(launch: KernelLaunch): Promise<KernelProcess> {
    const hostDirs = {
      inputs: join(launch.runDir, 'inputs', launch.key),
      ipc: join(launch.runDir, 'ipc', launch.key),
      scratch: join(launch.runDir, 'scratch', launch.key),
      // Without isolation the kernel's TMPDIR; the zygote creates it next to the scratch dir.
      temporary: join(launch.runDir, 'scratch', `${launch.key}-tmp`),
    };
    mkdirSync(hostDirs.inputs, { recursive: true, mode: 0o755 });
    mkdirSync(hostDirs.ipc, { recursive: true, mode: 0o700 });
    if (!launch.isolation) mkdirSync(hostDirs.scratch, { recursive: true, mode: 0o700 });
    const inside = (hostPath: string) =>
      launch.isolation ? hostPath.replace(launch.runDir, SANDBOX_RUN_DIR) : hostPath;
    const key = randomBytes(32).toString('hex');
    const connection = { ...PORTS, key, signature_scheme: 'hmac-sha256', kernel_name: 'python3' };
    let resolveExit: (exit: KernelExit) => void = () => {};
    const exited = new Promise<KernelExit>((resolve) => {
      resolveExit = resolve;
    });
    const cleanup = () => rmSync(join(launch.runDir, 'inputs', launch.key), { recursive: true, force: true });
    let pid: number;
    try {
      pid = await launch.zygote.spawnKernel(
        {
          key: launch.key,
          uid: launch.uid,
          scratchMb: launch.scratchMb,
          inputs: inside(hostDirs.inputs),
          ipc: inside(hostDirs.ipc),
          scratch: hostDirs.scratch,
          connection,
          limits: launch.limits,
        },
        (exit) => resolveExit(exit),
      );
    } catch (error) {
      cleanup();
      throw error;
    }
    const socket = (port: number) => `ipc://${join(hostDirs.ipc, `k-${port}`)}`;
    const client = new KernelConnection(
      {
        shell: socket(PORTS.shell_port),
        control: socket(PORTS.control_port),
        iopub: socket(PORTS.iopub_port),
      },
      key,
    );
    const kernel = new KernelProcess(launch, client, pid, hostDirs, exited);
    const died = kernel.exited.then((exit) => {
      throw new DeepeyesError(
        'kernel-start-failed',
        `The kernel exited during start-up (${describeExit(exit)})`,
        {
          hint: kernel.startupError(),
        },
      );
    });
    try {
      await Promise.race([client.waitReady(launch.readyTimeoutMs), died]);
      // The kernel listens on its lane before it serves, so after waitReady this is quick.
      if (launch.useLane) await client.attachLane(join(hostDirs.ipc, LANE_NAME));
    } catch (error) {
      kernel.kill();
      await kernel.dispose();
      throw error;
    }
    died.catch(() => {}); // later exits are handled by the session
    return kernel;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  get exitDescription(): string | undefined {
    if (!this.exitInfo) return undefined;
    const how = describeExit(this.exitInfo);
    return this.killReason === undefined ? how : `${how}: ${this.killReason}`;
  }

  /** Host path of the input directory (the kernel sees it read-only). */
  get inputsDir(): string {
    return this.hostDirs.inputs;
  }

  /** Path of the input directory as the kernel sees it. */
  get inputsDirInside(): string {
    return this.launch.isolation ? '/inputs' : this.hostDirs.inputs;
  }

  writeInput(name: string, bytes: Uint8Array): void {
    writeFileSync(join(this.hostDirs.inputs, name), bytes, { mode: 0o644 });
  }

  /** `reason`, when given, is told to the caller whose call the kill ends (see exitDescription). */
  kill(reason?: string): void {
    if (reason !== undefined && this.alive) this.killReason ??= reason;
    if (this.alive) this.launch.zygote.killKernel(this.launch.key);
  }

  /** Kills the kernel if needed, waits for its exit, closes sockets and deletes its directories. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.kill();
    this.connection.close();
    if (this.launch.zygote.running) {
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
    }
    for (const dir of Object.values(this.hostDirs)) rmSync(dir, { recursive: true, force: true });
  }

  private startupError(): string | undefined {
    try {
      return readFileSync(join(this.hostDirs.ipc, 'startup-error.txt'), 'utf8')
        .trim()
        .split('\n')
        .slice(-3)
        .join('\n');
    } catch {
      return undefined;
    }
  }
}

const SIGNAL_NAMES: Record<number, string> = {
  6: 'SIGABRT',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM',
  24: 'SIGXCPU',
  25: 'SIGXFSZ',
};

export function describeExit(exit: KernelExit): string {
  if (exit.signal !== null) {
    const name = SIGNAL_NAMES[exit.signal] ?? `signal ${exit.signal}`;
    if (exit.signal === 24) return `killed by ${name}: CPU time limit reached`;
    return `killed by ${name}`;
  }
  return `exit code ${exit.code}`;
}
