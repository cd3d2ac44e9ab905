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
same signed multipart messages, each frame length-prefixed (see StreamSocket). ZeroMQ
hands every message through an I/O thread on each side, four thread wake-ups per
round trip; the lane is read and written by the two main threads directly, which cut
a warm call's transport from ~0.2 ms to ~0.04 ms here. Control (interrupts) and IOPub
stay on ZeroMQ, so a Jupyter client that knows nothing of the lane works as before.
"""

import base64
import codecs
import datetime
import hashlib
import hmac
import io
import json
import math
import os
import resource
import select
import signal
import socket
import struct
import sys
import threading
import time
import uuid

import zmq
from IPython.core import ultratb
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.profiledir import ProfileDir
from traitlets.config import Config

DELIMITER = b'<IDS|MSG>'
PROTOCOL_VERSION = '5.3'
# Ports of the IPC "address" `<dir>/k-<port>`, as the client computes them.
SHELL_PORT, IOPUB_PORT, CONTROL_PORT = 1, 2, 4
LANE_NAME = 'k-lane'
# Exited, never-waited-for children tolerated before the kernel reaps them itself: a
# quarter of the process limit, so they can never be what exhausts it.
ZOMBIE_REAP_MAX = 16
# A lane message larger than this is a broken or hostile client: the lane is dropped.
LANE_MAX_MESSAGE_BYTES = 1 << 30
# While a cell runs, stream text is published at most this often; the rest waits for
# the end of the cell (one message instead of one per print).
STREAM_PUBLISH_INTERVAL_S = 0.05
# A batched call holds its output back this long at most, and this many characters
# (text and base64 images) at most, before it streams like a plain call.
BATCH_WINDOW_S = 0.05
BATCH_MAX_CHARS = 4 * 1024 * 1024


def _finite(value):
    """NaN and infinities are not JSON; the client's JSON.parse would reject the message."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(key): _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


# Built once: json.dumps with these options would build a new encoder for every part.
_STRICT_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, default=str)
_LENIENT_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)


def _dumps(value):
    try:
        return _STRICT_ENCODER.encode(value).encode()
    except ValueError:
        return _LENIENT_ENCODER.encode(_finite(value)).encode()


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


def encode_bundle(data):
    """Formatters return PNG/JPEG as bytes; the wire carries them as base64 text."""
    return {
        mime: base64.b64encode(value).decode('ascii') if isinstance(value, (bytes, bytearray)) else value
        for mime, value in data.items()
    }


class Wire:
    """Signs, frames and parses Jupyter messages (HMAC-SHA256)."""

    def __init__(self, key):
        self.key = key.encode()
        self.session = uuid.uuid4().hex

    def sign(self, parts):
        digest = hmac.new(self.key, digestmod=hashlib.sha256)
        for part in parts:
            digest.update(part)
        return digest.hexdigest().encode()

    def send(self, socket, msg_type, content, parent, identities=(), metadata=None):
        header = {
            'msg_id': uuid.uuid4().hex,
            'msg_type': msg_type,
            'session': self.session,
            'username': 'kernel',
            'date': datetime.datetime.now(datetime.timezone.utc).isoformat(),
            'version': PROTOCOL_VERSION,
        }
        parent_header = parent['header'] if parent else {}
        parts = [_dumps(header), _dumps(parent_header), _dumps(metadata or {}), _dumps(content)]
        socket.send_multipart([*identities, DELIMITER, self.sign(parts), *parts])

    def receive(self, socket):
        """(identities, message), or None for a message that fails its signature."""
        frames = socket.recv_multipart()
        try:
            split = frames.index(DELIMITER)
        except ValueError:
            return None
        parts = frames[split + 2 : split + 6]
        if len(parts) < 4 or not hmac.compare_digest(frames[split + 1], self.sign(parts)):
            return None
        header, parent, metadata, content = (json.loads(part) for part in parts)
        return frames[:split], {'header': header, 'parent_header': parent, 'metadata': metadata, 'content': content}


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


class LaneClosed(Exception):
    pass


class StreamSocket:
    """One connected lane client: multipart messages over a byte stream, framed as
    `<u32 frame count>` then `<u32 length><bytes>` per frame (little-endian). Offers the
    two methods Wire uses on a ZeroMQ socket. Reads what the socket has in one call and
    parses from that buffer: a request usually arrives whole, in one read."""

    READ_SIZE = 1 << 16

    def __init__(self, connection):
        self.connection = connection
        connection.setblocking(True)
        self.buffer = bytearray()

    def fileno(self):
        return self.connection.fileno()

    def has_buffered_message(self):
        """A whole message already read: the socket will not poll readable for it."""
        return self._parse(consume=False) is not None

    def _parse(self, consume):
        buffer = self.buffer
        if len(buffer) < 4:
            return None
        (count,) = struct.unpack_from('<I', buffer, 0)
        offset, total, frames = 4, 0, []
        for _ in range(count):
            if len(buffer) - offset < 4:
                return None
            (size,) = struct.unpack_from('<I', buffer, offset)
            total += size
            if total > LANE_MAX_MESSAGE_BYTES:
                raise LaneClosed()
            if len(buffer) - offset - 4 < size:
                return None
            if consume:
                frames.append(bytes(buffer[offset + 4 : offset + 4 + size]))
            offset += 4 + size
        if consume:
            del buffer[:offset]
        return frames

    def recv_multipart(self):
        while True:
            frames = self._parse(consume=True)
            if frames is not None:
                return frames
            chunk = self.connection.recv(self.READ_SIZE)
            if not chunk:
                raise LaneClosed()
            self.buffer += chunk

    def send_multipart(self, frames):
        parts = [struct.pack('<I', len(frames))]
        for frame in frames:
            parts.append(struct.pack('<I', len(frame)))
            parts.append(frame)
        self.connection.sendall(b''.join(parts))

    def close(self):
        self.connection.close()


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


class ResultHook(DisplayHook):
    """The value of a bare last expression becomes `execute_result`; its str() rides in the metadata."""

    kernel = None

    def start_displayhook(self):
        self.pending = {'execution_count': self.prompt_count, 'data': {}, 'metadata': {}}

    def write_output_prompt(self):
        pass

    def compute_format_data(self, result):
        try:
            # The v1 API's `result` is str(value) (reference-sandbox fact 3), not the display text.
            self.pending_str = str(result)
        except Exception as error:  # a broken __str__ must not hide the display
            self.pending_str = f'<str() failed: {type(error).__name__}>'
        return super().compute_format_data(result)

    def write_format_data(self, format_dict, md_dict=None):
        self.pending['data'] = encode_bundle(format_dict)
        limit = self.kernel.output_limit or len(self.pending_str)
        self.pending['metadata'] = {**(md_dict or {}), 'deepeyes': {'str': self.pending_str[: limit + 1]}}

    def finish_displayhook(self):
        self.kernel.publish_streams()
        self.kernel.publish('execute_result', self.pending)
        self.pending = None


INLINE_BACKEND_FILE = os.path.join('matplotlib_inline', 'backend_inline.py')


def display_source():
    """Who asked for this display: `show` (plt.show() or fig.show()), `auto` (the inline
    backend drawing a figure the cell left open, at its end) or `display` (display() and
    everything else). The DeepEyesV2 reference sandbox returns only `show` figures as
    images and prints the text of a display(), so clients that mimic it need to know."""
    source = 'display'
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename.endswith(INLINE_BACKEND_FILE):
            # flush_figures draws through show(), so the outermost backend frame decides.
            source = 'auto' if frame.f_code.co_name == 'flush_figures' else 'show'
        frame = frame.f_back
    return source


class Publisher(DisplayPublisher):
    kernel = None

    def publish(self, data, metadata=None, source=None, *, transient=None, update=False, **kwargs):
        self.kernel.publish_streams()
        msg_type = 'update_display_data' if update else 'display_data'
        metadata = {**(metadata or {}), 'deepeyes': {'source': display_source()}}
        content = {'data': encode_bundle(data), 'metadata': metadata, 'transient': transient or {}}
        self.kernel.publish(msg_type, content)

    def clear_output(self, wait=False):
        self.kernel.publish('clear_output', {'wait': wait})


class SandboxShell(InteractiveShell):
    displayhook_class = ResultHook
    display_pub_class = Publisher

    def _showtraceback(self, etype, evalue, stb):
        self.kernel.publish_streams()
        self.kernel.last_error = {'ename': etype.__name__, 'evalue': str(evalue), 'traceback': stb}
        self.kernel.publish('error', self.kernel.last_error)

    def enable_gui(self, gui=None):
        pass  # no GUI event loops in a sandbox

    def should_run_async(self, raw_cell, *, transformed_cell=None, preprocessing_exc_tuple=None):
        # IPython tells a top-level-await cell apart by compiling the whole cell once more
        # (~50 us a call); a cell without the words `await` and `async` cannot be one.
        cell = transformed_cell if transformed_cell is not None else raw_cell
        if 'await' not in cell and 'async' not in cell:
            return False
        return super().should_run_async(
            raw_cell, transformed_cell=transformed_cell, preprocessing_exc_tuple=preprocessing_exc_tuple
        )


def build_shell():
    """The process's IPython shell, built on first call. The zygote calls this before it forks,
    so each kernel inherits a ready shell copy-on-write: building one (traitlets config,
    magics, aliases, the inline matplotlib backend) costs ~40 ms of CPU, which every new
    session paid after its fork and which bounded how many sessions per second two cores
    could start. Nothing in it refers to a kernel: the hooks find theirs through class
    attributes that Kernel sets after the fork."""
    if SandboxShell.initialized():
        return SandboxShell.instance()
    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = 'NoColor'
    config.InlineBackend.rc = {}
    shell = SandboxShell.instance(config=config)
    shell.enable_matplotlib('inline')
    keep_only_used_formats(shell.display_formatter)
    skip_token_transforms_for_plain_python(shell.input_transformer_manager)
    return shell


def may_hold_ipython_syntax(line):
    """False only when no token transform (magics `%`, shell `!`, help `?`, the `,` `;` `/`
    autocall escapes at the start of a line) can apply to this line."""
    return '%' in line or '!' in line or '?' in line or line.lstrip()[:1] in (',', ';', '/')


def skip_token_transforms_for_plain_python(manager):
    """IPython tokenizes every cell to look for magics, shell escapes and help syntax
    (~40 us for a one-line cell, more for longer ones). Plain Python, what a model writes,
    has none of the characters those start with, so the search can be skipped exactly."""
    search = manager.do_token_transforms

    def do_token_transforms(lines):
        if any(may_hold_ipython_syntax(line) for line in lines):
            return search(lines)
        return lines

    manager.do_token_transforms = do_token_transforms


# The client reads these two from a result or display(); every other formatter (HTML,
# LaTeX, SVG, JSON, ...) is called through a signature-binding decorator for every value
# shown, ~150 us per value for output nobody reads.
USED_FORMATS = ('text/plain', 'image/png')


def keep_only_used_formats(display_formatter):
    for mime in list(display_formatter.formatters):
        if mime not in USED_FORMATS:
            del display_formatter.formatters[mime]
    display_formatter.active_types = list(USED_FORMATS)


def newer_cell_label(original):
    """IPython 8.5 labels cell frames `Cell In [3], line 2`; newer IPython (upstream's Docker
    image, which the released weights saw) writes `Cell In[3], line 2`."""

    def format_filename(file, color_filename, color_normal, *, lineno=None):
        text = original(file, color_filename, color_normal, lineno=lineno)
        return text.replace('In [', 'In[', 1) if text.startswith('Cell ') else text

    return format_filename


ultratb._format_filename = newer_cell_label(ultratb._format_filename)


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
        while True:
            try:
                ready = dict(poller.poll())
                if self.control_socket in ready:
                    self._handle_control()
                if any(stream.pipe in ready for stream in self.streams):
                    self.drain_fds()
            except Exception:  # the helper must outlive a bad message
                pass

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
            # pyzmq answers a plain socket with its fd number, a ZeroMQ socket with itself.
            for ready, _ in poller.poll():
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
