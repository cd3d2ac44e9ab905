"""The IPython shell each kernel runs code in, and what the kernel changes about it: where
results and displays go (to the kernel that owns the shell), which formats are computed,
the passes skipped for plain Python, and the cell label newer IPython prints."""

import base64
import linecache
import os
import re
import sys

from IPython.core import ultratb
from IPython.core.displayhook import DisplayHook
from IPython.core.displaypub import DisplayPublisher
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config


def encode_bundle(data):
    """Formatters return PNG/JPEG as bytes; the wire carries them as base64 text."""
    return {
        mime: base64.b64encode(value).decode('ascii') if isinstance(value, (bytes, bytearray)) else value
        for mime, value in data.items()
    }


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


# Lines longer than this are shortened in the copy of a cell kept for tracebacks.
LONG_LINE_CHARS = 65536
# Runs of base64-alphabet characters longer than this, in such a line, keep their first part.
LONG_RUN = re.compile(r'[A-Za-z0-9+/=]{4096,}')


def shorten_long_line(line):
    """A long run of base64-like characters (an image inlined as a string literal) keeps its
    first 64 characters and a marker of the same alphabet, so the line still parses (the literal
    stays a literal) and a traceback shows it at a readable length."""
    return LONG_RUN.sub(lambda run: run.group(0)[:64] + 'deepeyesELIDED' + str(len(run.group(0))), line)


def cache_without_copies(compiler):
    """IPython keeps every cell's lines in linecache for tracebacks: a second full copy of an
    8.5 MB init cell, per session, for as long as the session lives. Lines past
    LONG_LINE_CHARS are kept shortened (see shorten_long_line); every other line as before."""
    original = compiler.cache

    def cache(transformed_code, number=0, raw_code=None):
        name = original(transformed_code, number, raw_code)
        if len(transformed_code) > LONG_LINE_CHARS:
            size, mtime, lines, _ = linecache.cache[name]
            if any(len(line) > LONG_LINE_CHARS for line in lines):
                lines = [shorten_long_line(line) if len(line) > LONG_LINE_CHARS else line for line in lines]
                entry = (size, mtime, lines, name)
                linecache.cache[name] = entry
                linecache._ipython_cache[name] = entry
        return name

    compiler.cache = cache


def share_history_strings(history):
    """IPython stores each cell twice in its history, raw and transformed; for plain Python
    they differ only by blank lines at the ends, yet each is its own string. Storing the raw
    one for both keeps one copy of an 8.5 MB cell instead of two (In/_ih then show the cell
    as written, less its trailing newlines, as _i<n> always did)."""
    original = history.store_inputs

    def store_inputs(line_num, source, source_raw=None):
        if source_raw is not None and source is not source_raw:
            if source.strip('\n') == source_raw.strip('\n'):
                source = source_raw
        return original(line_num, source, source_raw)

    history.store_inputs = store_inputs


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
    cache_without_copies(shell.compile)
    share_history_strings(shell.history_manager)
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
