/** Where the host-side run directory appears inside the sandbox. */
export const SANDBOX_RUN_DIR = '/sandbox';
/** Where the zygote's Python files appear inside the sandbox. */
export const SANDBOX_CODE_DIR = '/opt/deepeyes';

export type BwrapLayout = {
  /** Host directory with `inputs/<key>` and `ipc/<key>` for every kernel; bound read-write at /sandbox. */
  runDir: string;
  /** Host directory holding zygote.py; bound read-only. */
  codeDir: string;
  pythonPath: string;
  /** Top-level host paths that are symlinks (merged /usr): recreated as symlinks, not bound. */
  symlinks: Record<string, string>;
  /** Host paths bound read-only at the same place: needed /etc entries, and /lib etc. when not merged into /usr. */
  readOnlyPaths: string[];
  /** `--ro-path` folders, bound read-only at their own path (see ro-paths.ts). */
  sharedPaths?: { source: string; target: string }[];
};

/** Capabilities the zygote keeps (it runs our code only); each kernel drops all of them. */
const ZYGOTE_CAPABILITIES = [
  'CAP_SYS_ADMIN', // private mounts and network namespace per kernel
  'CAP_SETUID',
  'CAP_SETGID', // a distinct uid per kernel
  'CAP_CHOWN', // hand the kernel its socket directory
  'CAP_KILL', // stop kernels that run as other uids
];

/**
 * The bubblewrap command line for the zygote: no network (not even the host's
 * loopback), no view of the host besides a read-only /usr and a few /etc files,
 * a private /proc and /dev, and only the run directory writable.
 */
export function buildBwrapArgs(layout: BwrapLayout): string[] {
  const args = [
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-pid',
    '--unshare-uts',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--new-session',
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const [path, target] of Object.entries(layout.symlinks)) args.push('--symlink', target, path);
  const binds = [
    ...layout.readOnlyPaths.map((path) => ({ source: path, target: path })),
    ...(layout.sharedPaths ?? []),
  ];
  const made = new Set<string>();
  for (const bind of binds) {
    // bwrap makes missing parents 0700 root, which a kernel's own uid could not cross
    // (so /etc/localtime, or an --ro-path folder, would be unreadable to user code).
    for (const parent of parentsOf(bind.target)) {
      if (made.has(parent) || parent === '/usr' || parent.startsWith('/usr/')) continue;
      made.add(parent);
      args.push('--perms', '0755', '--dir', parent);
    }
    args.push('--ro-bind', bind.source, bind.target);
  }
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--tmpfs',
    '/tmp',
    '--dir',
    '/scratch',
    '--dir',
    '/inputs',
    '--dir',
    '/ipc',
    '--ro-bind',
    layout.codeDir,
    SANDBOX_CODE_DIR,
    '--bind',
    layout.runDir,
    SANDBOX_RUN_DIR,
    '--chdir',
    '/tmp',
  );
  for (const capability of ZYGOTE_CAPABILITIES) args.push('--cap-add', capability);
  args.push('--', layout.pythonPath, '-I', '-s', `${SANDBOX_CODE_DIR}/zygote.py`);
  return args;
}

/** /etc entries the Python stack reads; only those present on the host are bound. */
export const NEEDED_ETC_PATHS = [
  '/etc/matplotlibrc',
  '/etc/fonts',
  '/etc/alternatives',
  '/etc/ld.so.cache',
  '/etc/localtime',
  '/etc/python3',
  '/etc/python3.11',
  '/etc/mime.types',
];

/** `/a/b/c` → `/a`, `/a/b`. */
function parentsOf(path: string): string[] {
  const parts = path.split('/').filter(Boolean);
  return parts.slice(0, -1).map((_, index) => `/${parts.slice(0, index + 1).join('/')}`);
}
