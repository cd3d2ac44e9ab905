"""deepeyes sandbox kernel: one IPython shell served over the Jupyter wire protocol.

Why not ipykernel: its IOPub thread, control thread, fd-watcher threads and flush
handshakes hand every message between threads, so one `print(1)` round trip cost
5-8 ms of GIL ping-pong and wake-ups on a busy machine while the code itself ran in
0.2 ms. Here the main thread does everything for a request (receive, run, publish,
reply) and a single helper thread, asleep until something arrives, serves interrupts
on the control channel and drains what subprocesses write to fds 1 and 2.

Speaks the subset of the messaging spec (5.3) the TypeScript client uses:
shell `kernel_info_request` and `execute_request`; control `interrupt_request`;
IOPub `status`, `execute_input`, `stream`, `display_data`, `execute_result`, `error`.

One extension, asked for per request: an `execute_request` whose metadata has
`"deepeyes_batch": true` gets its IOPub messages held back and returned inside the
`execute_reply` metadata (`deepeyes.outputs`, as `[msg_type, content]` pairs) instead
of published, so a quick cell costs two messages (request, reply) instead of six.
Each message crosses four threads (two ZeroMQ I/O threads, both main threads), which
on two vCPUs was most of a warm call. A cell that runs past BATCH_WINDOW_S or holds
more than BATCH_MAX_CHARS switches to plain IOPub for the rest of the call (busy, the
held messages, then everything live, then idle) and says so with `deepeyes.streamed`,
so long cells still stream and nothing is held for long. Clients that do not ask get
the standard protocol.

The shell channel is also served on a Unix stream socket, `<dir>/k-lane`, carrying the
same signed multipart messages, each frame length-prefixed (see kernel_wire.py). ZeroMQ
hands every message through an I/O thread on each side, four thread wake-ups per
round trip; the lane is read and written by the two main threads directly, which cut
a warm call's transport from ~0.2 ms to ~0.04 ms here. Control (interrupts) and IOPub
stay on ZeroMQ, so a Jupyter client that knows nothing of the lane works as before.
"""

import codecs
import ctypes
import io
import os
import resource
import select
import signal
import socket
import sys
import threading
import time

import zmq
from IPython.core.profiledir import ProfileDir
from kernel_shell import Publisher, ResultHook, SandboxShell, build_shell
from kernel_wire import PROTOCOL_VERSION, LaneClosed, StreamSocket, Wire

# Ports of the IPC "address" `<dir>/k-<port>`, as the client computes them.
SHELL_PORT, IOPUB_PORT, CONTROL_PORT = 1, 2, 4
LANE_NAME = 'k-lane'
# Exited, never-waited-for children tolerated before the kernel reaps them itself: a
# quarter of the process limit, so they can never be what exhausts it.
ZOMBIE_REAP_MAX = 16
# While a cell runs, stream text is published at most this often; the rest waits for
# the end of the cell (one message instead of one per print).
STREAM_PUBLISH_INTERVAL_S = 0.05
# A batched call holds its output back this long at most, and this many characters
# (text and base64 images) at most, before it streams like a plain call.
BATCH_WINDOW_S = 0.05
BATCH_MAX_CHARS = 4 * 1024 * 1024
# Consecutive helper-thread errors written to stderr before it goes quiet (it keeps serving).
HELPER_ERRORS_REPORTED = 3
# Free heap memory an idle kernel keeps at most; more is given back after the call.
IDLE_FREE_HEAP_BYTES = 4 * 1024 * 1024


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks', 'fsmblks', 'uordblks', 'fordblks', 'keepcost')]


_libc = ctypes.CDLL(None)
_mallinfo2 = getattr(_libc, 'mallinfo2', None)
if _mallinfo2 is not None:
    _mallinfo2.restype = _MallInfo2


_faults_at_last_release = 0


def release_free_heap():
    """Gives the heap's free pages back to the system once a call has left many of them.

    Large blocks come from the heap, not from a mapping of their own (zygote-process.ts sets
    glibc's thresholds): a fresh page costs a fault, 30-140 us each on the VMs measured, and
    an 8.5 MB init cell made ~25 such copies (64k faults, seconds) when each block was its own
    mapping; from the heap its copies reuse the pages the previous one freed. The price is that
    the heap keeps what the call freed, so an idle kernel trims it here, after the reply. Only
    after a call that touched fresh pages (one cheap getrusage otherwise): malloc counts trimmed
    pages as free still, so its free total alone would trim after every call."""
    global _faults_at_last_release
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    if faults - _faults_at_last_release < IDLE_FREE_HEAP_BYTES // resource.getpagesize():
        return
    _faults_at_last_release = faults
    if _mallinfo2 is not None and _mallinfo2().fordblks <= IDLE_FREE_HEAP_BYTES:
        return
    _libc.malloc_trim(0)


def _text_size(content):
    """Characters of text and base64 a message holds, roughly: what a batch may keep."""
    size = 0
    for value in content.values():
        if isinstance(value, str):
            size += len(value)
        elif isinstance(value, dict):
            size += _text_size(value)
    return size


def _asks_for_batch(message):
    metadata = message.get('metadata')
    return isinstance(metadata, dict) and metadata.get('deepeyes_batch') is True


def zombie_reap_threshold():
    limit = resource.getrlimit(resource.RLIMIT_NPROC)[0]
    if limit == resource.RLIM_INFINITY:
        return ZOMBIE_REAP_MAX
    return max(1, min(ZOMBIE_REAP_MAX, limit // 4))


def zombie_children():
    """PIDs of this process's children that have exited but were not waited for."""
    children = []
    for task in os.listdir('/proc/self/task'):
        try:
            with open(f'/proc/self/task/{task}/children') as listing:
                children.extend(int(pid) for pid in listing.read().split())
        except OSError:
            continue
    zombies = []
    for pid in children:
        try:
            with open(f'/proc/{pid}/stat') as stat:
                # The state follows the parenthesised command name, which may hold spaces.
                if stat.read().rsplit(')', 1)[1].split()[0] == 'Z':
                    zombies.append(pid)
        except (OSError, IndexError):
            continue
    return zombies


class CellStream(io.TextIOBase):
    """sys.stdout / sys.stderr: buffers a cell's text, capped per cell, published by the main thread."""

    def __init__(self, kernel, name, fd, pipe, limit):
        super().__init__()
        self.kernel = kernel
        self._name = name
        self.fd = fd
        # Read end of the pipe behind `fd`; both threads drain it under `pipe_lock` so
        # chunks keep their order.
        self.pipe = pipe
        self.pipe_lock = threading.Lock()
        self.decoder = codecs.getincrementaldecoder('utf-8')('replace')
        self.limit = limit
        self.lock = threading.Lock()
        self.chunks = []
        self.used = 0

    @property
    def name(self):
        return self._name

    @property
    def encoding(self):
        return 'utf-8'

    def fileno(self):
        # Subprocesses given this stream write to the captured fd, which the kernel drains.
        return self.fd

    def isatty(self):
        return False

    def writable(self):
        return True

    def reset(self):
        with self.lock:
            self.chunks.clear()
            self.used = 0

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f'write() argument must be str, not {type(text).__name__}')
        if os.getpid() != self.kernel.pid:
            # A forked child must not touch the parent's sockets: its text goes through the
            # captured fd, which the parent reads.
            os.write(self.fd, text.encode('utf-8', 'replace'))
            return len(text)
        self.append(text)
        if threading.get_ident() == self.kernel.main_thread:
            self.kernel.publish_streams_if_due()
        return len(text)

    def append(self, text):
        with self.lock:
            room = self.limit - self.used if self.limit else len(text)
            if room <= 0:
                return
            # One character past the limit tells the client to add its truncation marker.
            kept = text if len(text) <= room else text[: room + 1]
            self.used += len(kept)
            self.chunks.append(kept)

    def take(self):
        with self.lock:
            text = ''.join(self.chunks)
            self.chunks.clear()
            return text

    def flush(self):
        if os.getpid() == self.kernel.pid and threading.get_ident() == self.kernel.main_thread:
            self.kernel.publish_streams_if_due()


class Kernel:
    def __init__(self, ipc_dir, key, output_limit):
        self.pid = os.getpid()
        self.main_thread = threading.get_ident()
        self.output_limit = output_limit
        self.wire = Wire(key)
        self.context = zmq.Context(io_threads=1)
        self.shell_socket = self._bind(zmq.ROUTER, ipc_dir, SHELL_PORT)
        self.iopub_socket = self._bind(zmq.PUB, ipc_dir, IOPUB_PORT)
        self.control_socket = self._bind(zmq.ROUTER, ipc_dir, CONTROL_PORT)
        self.lane_listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lane_listener.bind(os.path.join(ipc_dir, LANE_NAME))
        self.lane_listener.listen(1)
        self.lane = None
        self.parent = None
        # While a batched request runs: the IOPub messages held back for its reply.
        self.batch = None
        self.batch_started = 0.0
        self.batch_chars = 0
        self.last_error = None
        self.last_stream_publish = 0.0
        self.streams = [self._capture('stdout', 1), self._capture('stderr', 2)]
        sys.stdout, sys.stderr = self.streams
        self.shell = self._make_shell()
        self.helper = threading.Thread(target=self._serve_helper, name='deepeyes-helper', daemon=True)

    def _bind(self, kind, ipc_dir, port):
        socket = self.context.socket(kind)
        socket.linger = 0
        socket.bind(f'ipc://{ipc_dir}/k-{port}')
        return socket

    def _capture(self, name, fd):
        """Points fd 1 or 2 into a pipe so C code and subprocesses are captured as well."""
        read_end, write_end = os.pipe()
        os.dup2(write_end, fd)
        os.close(write_end)
        os.set_blocking(read_end, False)
        return CellStream(self, name, fd, read_end, self.output_limit)

    def _make_shell(self):
        ResultHook.kernel = self
        Publisher.kernel = self
        SandboxShell.kernel = self
        shell = build_shell()
        # Built before the fork (in the zygote): point what it took from the zygote at this
        # kernel, its profile dir under the kernel's own temp dir and its working dir.
        ipython_dir = os.environ.get('IPYTHONDIR')
        if ipython_dir:
            # Often the zygote's path too (/tmp/.ipython), but on this kernel's own /tmp.
            os.makedirs(ipython_dir, exist_ok=True)
            shell.ipython_dir = ipython_dir
            shell.profile_dir = ProfileDir.create_profile_dir_by_name(ipython_dir, 'default')
        shell.history_manager.dir_hist[:] = [os.getcwd()]
        return shell

    # --- IOPub -------------------------------------------------------------------

    def publish(self, msg_type, content):
        if os.getpid() != self.pid:
            return  # never from a forked child
        if self.batch is not None:
            if time.monotonic() - self.batch_started < BATCH_WINDOW_S and self.batch_chars < BATCH_MAX_CHARS:
                self.batch.append([msg_type, content])
                self.batch_chars += _text_size(content)
                return
            self.stream_batch()
        self.wire.send(self.iopub_socket, msg_type, content, self.parent, identities=[b'kernel.' + msg_type.encode()])

    def stream_batch(self):
        """Gives up holding back: what the batch held goes out on IOPub, and so does the rest."""
        held, self.batch = self.batch, None
        self.publish('status', {'execution_state': 'busy'})
        for msg_type, content in held:
            self.publish(msg_type, content)

    def publish_streams(self):
        self.last_stream_publish = time.monotonic()
        for stream in self.streams:
            text = stream.take()
            if text:
                self.publish('stream', {'name': stream.name, 'text': text})

    def publish_streams_if_due(self):
        if time.monotonic() - self.last_stream_publish >= STREAM_PUBLISH_INTERVAL_S:
            self.publish_streams()

    def drain_fds(self):
        # One poll instead of a read per pipe that usually fails with EAGAIN (called twice a call).
        readable, _, _ = select.select([stream.pipe for stream in self.streams], [], [], 0)
        for stream in self.streams:
            if stream.pipe not in readable:
                continue
            with stream.pipe_lock:
                chunks = []
                while True:
                    try:
                        data = os.read(stream.pipe, 65536)
                    except (BlockingIOError, InterruptedError):
                        break
                    if not data:
                        break
                    chunks.append(data)
                text = stream.decoder.decode(b''.join(chunks))
                if text:
                    stream.append(text)

    def reap_abandoned_children(self):
        """Child processes that exited and that nobody waited for stay zombies, and each
        counts against the kernel's process limit: enough of them (a cell forking without
        wait, run a few times) and the session could never start a process again. Once
        they pile up they are reaped, with a note, at the cost of their exit statuses
        (a later wait() sees them gone); a few are left for the code that owns them."""
        try:
            # Peeks without reaping: one cheap call when, as usual, there is none.
            if os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
                return
        except ChildProcessError:
            return
        zombies = zombie_children()
        if len(zombies) < zombie_reap_threshold():
            return
        for pid in zombies:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        stderr = self.streams[1]
        stderr.append(
            f'[deepeyes: reaped {len(zombies)} finished child processes that were never waited for]\n'
        )

    # --- helper thread: control channel and captured fds ----------------------------

    def _serve_helper(self):
        poller = zmq.Poller()
        poller.register(self.control_socket, zmq.POLLIN)
        for stream in self.streams:
            poller.register(stream.pipe, zmq.POLLIN)
        failures = 0
        while True:
            try:
                ready = dict(poller.poll())
                if self.control_socket in ready:
                    self._handle_control()
                if any(stream.pipe in ready for stream in self.streams):
                    self.drain_fds()
                failures = 0
            except Exception as error:
                # The helper must outlive a bad message, but not hide it or spin on a broken
                # socket: the error goes to the current cell's stderr, and a helper failing
                # over and over backs off.
                failures += 1
                if failures <= HELPER_ERRORS_REPORTED:
                    self.streams[1].append(f'[deepeyes: kernel helper error: {type(error).__name__}: {error}]\n')
                time.sleep(min(0.001 * 2**failures, 1.0))

    def _handle_control(self):
        received = self.wire.receive(self.control_socket)
        if received is None:
            return
        identities, message = received
        msg_type = message['header'].get('msg_type')
        if msg_type == 'interrupt_request':
            # The kernel leads its process group: children started by the cell are interrupted too.
            try:
                os.killpg(os.getpgid(0), signal.SIGINT)
            except OSError:
                os.kill(self.pid, signal.SIGINT)
            self.wire.send(self.control_socket, 'interrupt_reply', {'status': 'ok'}, message, identities)
        elif msg_type == 'kernel_info_request':
            self.wire.send(self.control_socket, 'kernel_info_reply', self._kernel_info(), message, identities)

    # --- shell channel --------------------------------------------------------------

    def serve(self):
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        self.helper.start()
        poller = zmq.Poller()
        poller.register(self.shell_socket, zmq.POLLIN)
        poller.register(self.lane_listener, zmq.POLLIN)
        while True:
            # Before waiting, once the last request's and reply's objects are gone (see
            # release_free_heap); the first time, what the warm-up left.
            release_free_heap()
            # pyzmq answers a plain socket with its fd number, a ZeroMQ socket with itself.
            for ready, _ in poller.poll():
                self._serve_ready(poller, ready)

    def _serve_ready(self, poller, ready):
        if ready is self.shell_socket:
            self._serve_request(self.shell_socket)
        elif ready == self.lane_listener.fileno():
            self._accept_lane(poller)
        elif self.lane is not None and ready == self.lane.fileno():
            try:
                self._serve_request(self.lane)
                while self.lane.has_buffered_message():
                    self._serve_request(self.lane)
            except (LaneClosed, OSError):
                # The client went away (or sent garbage): the ZeroMQ shell still serves.
                poller.unregister(self.lane)
                self.lane.close()
                self.lane = None

    def _accept_lane(self, poller):
        connection, _ = self.lane_listener.accept()
        if self.lane is not None:
            # One client per kernel: a newer connection replaces the old one.
            poller.unregister(self.lane)
            self.lane.close()
        self.lane = StreamSocket(connection)
        poller.register(self.lane, zmq.POLLIN)

    def _serve_request(self, channel):
        received = self.wire.receive(channel)
        if received is None:
            return
        identities, message = received
        self.parent = message
        msg_type = message['header'].get('msg_type')
        batched = msg_type == 'execute_request' and _asks_for_batch(message)
        if batched:
            self.batch, self.batch_started, self.batch_chars = [], time.monotonic(), 0
        else:
            self.publish('status', {'execution_state': 'busy'})
        if msg_type == 'execute_request':
            reply = self._execute(message['content'])
            reply_type = 'execute_reply'
        elif msg_type == 'kernel_info_request':
            reply, reply_type = self._kernel_info(), 'kernel_info_reply'
        else:
            reply, reply_type = {'status': 'error', 'ename': 'UnknownMessage', 'evalue': msg_type}, 'error'
        metadata = None
        streamed = True
        if batched:
            held, self.batch = self.batch, None
            streamed = held is None
            metadata = {'deepeyes': {'outputs': held or [], 'streamed': streamed}}
        self.wire.send(channel, reply_type, reply, message, identities, metadata)
        if streamed:
            self.publish('status', {'execution_state': 'idle'})
        # Output a subprocess writes later still needs a parent header, but not the request's
        # content: an idle kernel would otherwise hold the last cell's text (8.5 MB for an
        # init cell carrying a base64 image) until the next call.
        self.parent = {'header': message['header'], 'metadata': {}, 'content': {}}

    def _kernel_info(self):
        return {
            'status': 'ok',
            'protocol_version': PROTOCOL_VERSION,
            'implementation': 'deepeyes-sandbox',
            'implementation_version': '1',
            'language_info': {'name': 'python', 'version': sys.version.split()[0], 'file_extension': '.py'},
            'banner': '',
            'help_links': [],
        }

    def _execute(self, content):
        code = content.get('code', '')
        if code.endswith('\n'):
            # History keeps cells without trailing newlines; stripped once here, the one string
            # serves the run, the history and IPython's last result (instead of two copies).
            code = code.rstrip('\n')
        silent = bool(content.get('silent', False))
        store_history = bool(content.get('store_history', not silent))
        shell = self.shell
        count = shell.execution_count
        # Text a subprocess left behind after the previous call belongs to no call.
        self.drain_fds()
        for stream in self.streams:
            stream.reset()
        self.last_error = None
        self.last_stream_publish = time.monotonic()
        if not silent and self.batch is None:
            # A batched call's reply carries the count; echoing the code back would be waste.
            self.publish('execute_input', {'code': code, 'execution_count': count})
        result = None
        interrupted = False
        try:
            signal.signal(signal.SIGINT, signal.default_int_handler)
            try:
                result = shell.run_cell(code, store_history=store_history, silent=silent)
            finally:
                signal.signal(signal.SIGINT, signal.SIG_IGN)
        except KeyboardInterrupt:
            # Arrived outside the user's code (IPython handles it inside); report it the same way.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            interrupted = True
        if os.getpid() != self.pid:
            os._exit(0)  # a child forked by the cell ran to its end: it must not answer for the kernel
        self.reap_abandoned_children()
        self.drain_fds()
        self.publish_streams()
        reply = {'status': 'ok', 'execution_count': shell.execution_count - 1 if store_history else count}
        reply['user_expressions'] = {}
        failed = interrupted or result is None or not result.success
        if failed:
            error = self.last_error or {'ename': 'KeyboardInterrupt', 'evalue': '', 'traceback': []}
            if self.last_error is None and result is not None:
                raised = result.error_before_exec or result.error_in_exec
                if raised is not None:
                    error = {'ename': type(raised).__name__, 'evalue': str(raised), 'traceback': []}
            if interrupted and self.last_error is None:
                self.publish('error', error)
            reply.update({'status': 'error', **error})
        return reply


def serve(ipc_dir, key, output_limit, warm_up_code='', after_start=None):
    """Builds the kernel, runs `after_start(shell)` (input loader, limits), then serves forever.

    `warm_up_code` runs first through the whole request path, as a call would (nobody
    listens yet): a forked kernel's first call is slow (copy-on-write faults on the
    zygote's pages, first use of IPython's and PIL's code paths), and this keeps that
    cost out of a session's first call. It runs without history, so counts start at 1.
    """
    kernel = Kernel(ipc_dir, key, output_limit)
    if warm_up_code:
        # One pass takes the copy-on-write faults and first-use paths; two more (as before)
        # cost ~17 ms of CPU per kernel for no measurable gain in the first call.
        kernel._execute({'code': warm_up_code, 'silent': False, 'store_history': False})
    if after_start is not None:
        after_start(kernel.shell)
    kernel.serve()
