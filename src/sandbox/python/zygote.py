"""deepeyes sandbox zygote.

Imports the heavy libraries once, then forks one IPython kernel per request so a
new kernel starts from warm, copy-on-write memory instead of a cold interpreter.

Control protocol: JSON lines on stdin (requests) and stdout (events).
  -> {"op": "spawn", "key", "uid", "scratchMb", "inputs", "ipc", "connection", "limits"}
  -> {"op": "kill", "key"}
  <- {"event": "ready", "isolated": bool, "pid"}
  <- {"event": "spawned", "key", "pid"}
  <- {"event": "exit", "key", "pid", "code", "signal"}
  <- {"event": "failed", "key", "message"}
Children never keep the zygote's stdin/stdout: they could forge events otherwise.
"""

import contextlib
import ctypes
import gc
import json
import os
import resource
import select
import selectors
import signal
import sys
import traceback

# One thread per library keeps idle kernels small and CPU use predictable on shared machines.
for _name in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'NUMEXPR_NUM_THREADS'):
    os.environ[_name] = '1'
os.environ.setdefault('MPLBACKEND', 'module://matplotlib_inline.backend_inline')
os.environ['PYDEVD_DISABLE_FILE_VALIDATION'] = '1'

ISOLATED = os.environ.get('DEEPEYES_ISOLATED') == '1'
# `python -I` leaves this file's directory off the import path.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def preload():
    """Import what model-written code uses so each kernel gets it for free."""
    import numpy  # noqa: F401
    import PIL.Image
    import PIL.ImageDraw  # noqa: F401
    import PIL.ImageEnhance  # noqa: F401
    import PIL.ImageFilter  # noqa: F401
    import PIL.ImageOps  # noqa: F401
    import matplotlib
    import matplotlib.pyplot  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401
    import cv2
    import sympy  # noqa: F401
    import scipy  # noqa: F401
    import scipy.ndimage  # noqa: F401
    import sandbox_kernel  # zmq and IPython's shell

    # Built once here and inherited by every kernel (see sandbox_kernel.build_shell). stdout
    # is this process's event channel: nothing the shell prints may land on it.
    with contextlib.redirect_stdout(sys.stderr):
        sandbox_kernel.build_shell()

    cv2.setNumThreads(1)
    PIL.Image.init()
    # Building the font cache once here saves every kernel a second on its first plot.
    import matplotlib.font_manager

    matplotlib.font_manager.fontManager.findfont('DejaVu Sans')
    matplotlib.use('module://matplotlib_inline.backend_inline')
    warm_tracebacks()


def warm_tracebacks():
    """Format one traceback so pygments and stack_data are loaded before the fork:
    the first error in every kernel is then as fast as the later ones."""
    from IPython.core.ultratb import AutoFormattedTB

    try:
        1 / 0
    except ZeroDivisionError:
        AutoFormattedTB(mode='Context', color_scheme='NoColor').structured_traceback(*sys.exc_info())


libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38


def check(result, what):
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f'{what}: {os.strerror(error)}')


def mount(source, target, fstype, flags, data=None):
    check(
        libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f'mount {target}',
    )


def isolate(request):
    """Give this kernel its own mounts, network (none) and IPC, then drop to its own uid.

    /scratch and /tmp: a private size-limited tmpfs that vanishes with the kernel.
    /inputs: the session's input images, read-only. /ipc: the kernel's sockets.
    /sandbox (every session's files) is covered by an empty read-only tmpfs.
    """
    uid = request['uid']
    check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC), 'unshare')
    mount(None, '/', None, MS_REC | MS_PRIVATE)
    flags = MS_NOSUID | MS_NODEV
    # One tmpfs holds both the working dir and /tmp, so one size limit bounds them.
    mount('tmpfs', '/scratch', 'tmpfs', flags, f'size={request["scratchMb"]}m,mode=0755')
    for name in ('work', 'tmp'):
        os.mkdir(f'/scratch/{name}', 0o700)
        os.chown(f'/scratch/{name}', uid, uid)
    mount('/scratch/tmp', '/tmp', None, MS_BIND)
    mount('/scratch/work', '/scratch', None, MS_BIND)
    if os.path.isdir('/dev/shm'):
        mount('tmpfs', '/dev/shm', 'tmpfs', flags, f'size=16m,mode=0700,uid={uid},gid={uid}')
    # A /proc of the kernel's own PID namespace: other kernels' processes are invisible.
    mount('proc', '/proc', 'proc', MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount(request['inputs'], '/inputs', None, MS_BIND | MS_REC)
    mount(None, '/inputs', None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
    os.chown(request['ipc'], uid, uid)
    mount(request['ipc'], '/ipc', None, MS_BIND)
    mount('tmpfs', '/sandbox', 'tmpfs', MS_RDONLY | flags, 'size=4k,mode=0555')
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def apply_limits(limits):
    def cap(kind, value):
        if value is not None:
            resource.setrlimit(kind, (value, value))

    cap(resource.RLIMIT_CORE, 0)
    cap(resource.RLIMIT_CPU, limits.get('cpuSeconds'))
    cap(resource.RLIMIT_FSIZE, limits.get('fileBytes'))
    cap(resource.RLIMIT_NOFILE, limits.get('openFiles'))
    if ISOLATED:
        # Counted per uid, and each isolated kernel has its own uid.
        cap(resource.RLIMIT_NPROC, limits.get('processes'))
    memory = limits.get('memoryBytes')
    if memory is not None:
        # RLIMIT_AS counts address space, including the shared libraries and thread
        # stacks mapped before user code runs, so the budget is added on top of that.
        with open('/proc/self/status') as status:
            for line in status:
                if line.startswith('VmSize:'):
                    current = int(line.split()[1]) * 1024
                    cap(resource.RLIMIT_AS, current + memory)
                    break


LOADER = '''
def __deepeyes_load_images(paths):
    import PIL.Image
    for index, path in enumerate(paths, start=1):
        # Opened, not decoded: PIL decodes on first use, so an idle session does not
        # hold the pixels (a 2000x1500 RGB image is 9 MB).
        globals()['image_%d' % index] = PIL.Image.open(path)
'''

# Run in every new kernel before it joins the pool (see sandbox_kernel.serve). No bare
# last expression, so it leaves no `Out` or `_` behind.
WARM_UP = '''
import io as __deepeyes_io
import PIL.Image as __deepeyes_image
for __deepeyes_format in ('PNG', 'JPEG'):
    __deepeyes_buffer = __deepeyes_io.BytesIO()
    __deepeyes_image.new('RGB', (16, 16)).save(__deepeyes_buffer, __deepeyes_format)
    __deepeyes_image.open(__deepeyes_buffer).size
print(end='')
del __deepeyes_io, __deepeyes_image, __deepeyes_format, __deepeyes_buffer
'''


def run_kernel(request):
    """Runs in the forked child; never returns."""
    import sandbox_kernel

    ipc = '/ipc' if ISOLATED else request['ipc']
    limits = request['limits']

    def after_start(shell):
        shell.run_cell(LOADER, store_history=False, silent=True)
        apply_limits(limits)

    sandbox_kernel.serve(ipc, request['connection']['key'], limits.get('outputChars'), WARM_UP, after_start)
    os._exit(0)


def detach_from_zygote():
    """Drop every inherited descriptor: the zygote's pipes must stay out of reach of user code."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.set_wakeup_fd(-1)
    null = os.open('/dev/null', os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, 65536)


def record_startup_error(request):
    try:
        ipc = '/ipc' if ISOLATED and os.getuid() != 0 else request['ipc']
        with open(os.path.join(ipc, 'startup-error.txt'), 'w') as handle:
            handle.write(traceback.format_exc())
    except OSError:
        pass


def helper_main(request):
    """Isolated mode: the zygote's direct child. It puts the kernel in a PID namespace of
    its own (so every process the kernel starts dies with it), waits, and exits the way
    the kernel did. Killing this helper kills the kernel through its parent-death signal."""
    try:
        detach_from_zygote()
        check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), 'prctl PR_SET_PDEATHSIG')
        check(libc.unshare(CLONE_NEWPID), 'unshare pid')
        alive_read, alive_write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(alive_write)
            kernel_main(request, alive_read)
        os.close(alive_read)
        # Asked to stop, kill the kernel and wait for it: the kernel is the PID namespace's
        # init, so its exit completes only after every process it left behind has gone.
        # Only then is the kernel's uid free for the next kernel (RLIMIT_NPROC is per uid).
        signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
        _, status = os.waitpid(pid, 0)
    except BaseException:
        record_startup_error(request)
        os._exit(71)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        # SIGKILL (how every closed kernel ends) and SIGSTOP cannot be given a handler, and
        # need none: signal.signal raises for them, which once sent this helper back into
        # the zygote's loop and through interpreter shutdown, copying the whole heap (~170 ms
        # of CPU per closed session).
        if number not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70)


def kernel_main(request, alive_read=None):
    """Runs in the kernel process; never returns."""
    try:
        if alive_read is None:
            detach_from_zygote()
        else:
            os.setsid()
        if ISOLATED:
            isolate(request)
        # The death signal is reset by a credential change, so it is set after the uid switch.
        # A kernel that could not arm these must not run user code: check() raises, and the
        # startup error is recorded for the server.
        check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), 'prctl PR_SET_PDEATHSIG')
        check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), 'prctl PR_SET_NO_NEW_PRIVS')
        check(libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 'prctl PR_SET_DUMPABLE')
        if alive_read is not None:
            # The parent may have died before the death signal was armed: its pipe end is then closed.
            readable, _, _ = select.select([alive_read], [], [], 0)
            if readable:
                os._exit(70)
        elif os.getppid() == 1:
            os._exit(70)
        scratch = '/scratch' if ISOLATED else request['scratch']
        os.chdir(scratch)
        temporary = '/tmp' if ISOLATED else request['scratch'] + '-tmp'
        os.makedirs(temporary, exist_ok=True)
        # IPython's profile dir goes to /tmp so the working dir starts empty.
        os.environ.update(
            {'HOME': scratch, 'TMPDIR': temporary, 'IPYTHONDIR': temporary + '/.ipython', 'USER': 'sandbox'}
        )
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        run_kernel(request)
    except BaseException:
        record_startup_error(request)
        os._exit(71)


class Zygote:
    def __init__(self):
        self.children = {}  # pid -> key
        self.keys = {}  # key -> pid
        self.out = sys.stdout

    def emit(self, event):
        self.out.write(json.dumps(event) + '\n')
        self.out.flush()

    def spawn(self, request):
        key = request['key']
        pid = os.fork()
        if pid == 0:
            # A forked child must never return into this loop (nor run interpreter shutdown,
            # which touches every copy-on-write page): whatever happens, it ends here.
            try:
                if ISOLATED:
                    helper_main(request)
                else:
                    kernel_main(request)
            finally:
                os._exit(70)
        self.children[pid] = key
        self.keys[key] = pid
        self.emit({'event': 'spawned', 'key': key, 'pid': pid})

    def kill(self, request):
        pid = self.keys.get(request['key'])
        if pid is not None:
            # Isolated: the helper, which kills the kernel and exits once its PID namespace
            # is empty (see helper_main). Unisolated: the kernel leads its own process group,
            # so its children go too.
            if ISOLATED:
                try:
                    os.kill(pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    pass
                return
            for kill in (os.killpg, os.kill):
                try:
                    kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass

    def reap(self):
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            key = self.children.pop(pid, None)
            if key is None:
                continue
            self.keys.pop(key, None)
            self.emit(
                {
                    'event': 'exit',
                    'key': key,
                    'pid': pid,
                    'code': os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
                    'signal': os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
                }
            )

    def handle(self, line):
        request = None  # a line that is not JSON leaves nothing to read a key from
        try:
            request = json.loads(line)
            operation = request.get('op')
            if operation == 'spawn':
                self.spawn(request)
            elif operation == 'kill':
                self.kill(request)
            else:
                raise ValueError(f'unknown op {operation!r}')
        except Exception as error:  # the zygote must outlive any bad request
            self.emit({'event': 'failed', 'key': request.get('key') if isinstance(request, dict) else None,
                       'message': f'{type(error).__name__}: {error}'})

    def serve(self):
        wake_read, wake_write = os.pipe()
        os.set_blocking(wake_write, False)
        os.set_blocking(wake_read, False)
        signal.set_wakeup_fd(wake_write)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        selector = selectors.DefaultSelector()
        selector.register(sys.stdin.fileno(), selectors.EVENT_READ, 'stdin')
        selector.register(wake_read, selectors.EVENT_READ, 'wake')
        buffer = b''
        self.emit({'event': 'ready', 'isolated': ISOLATED, 'pid': os.getpid()})
        while True:
            for selected, _ in selector.select():
                if selected.data == 'wake':
                    try:
                        os.read(wake_read, 4096)
                    except BlockingIOError:
                        pass
                    self.reap()
                    continue
                chunk = os.read(sys.stdin.fileno(), 1 << 20)
                if not chunk:
                    return
                buffer += chunk
                while b'\n' in buffer:
                    line, buffer = buffer.split(b'\n', 1)
                    if line.strip():
                        self.handle(line)
            self.reap()


if __name__ == '__main__':
    preload()
    # Objects alive now are shared with every kernel; freezing them keeps the
    # garbage collector from touching (and so copying) their pages after fork.
    gc.collect()
    gc.freeze()
    # What the imports freed goes back to the system rather than into every kernel's heap.
    ctypes.CDLL(None).malloc_trim(0)
    Zygote().serve()
