"""One call of the reference sandbox design, for comparison benchmarks only.

Like the reference server (MultiModal-Jupyter-Sandbox), every call is a new
process: import the libraries, build a fresh IPython shell, restore the session's
variables from a pickle, run the code, pickle what can be pickled back.
(The reference keeps the pickle in Redis and uses cloudpickle; a file and pickle
stand in here.) Usage: reference-worker.py STATE_FILE < code; prints one JSON line.
"""

import io
import json
import os
import pickle
import sys
import time

started = time.perf_counter()
import numpy  # noqa: E402,F401
import PIL.Image  # noqa: E402,F401
import matplotlib  # noqa: E402

matplotlib.use('Agg')
import matplotlib.pyplot  # noqa: E402,F401
import cv2  # noqa: E402,F401
import sympy  # noqa: E402,F401
import scipy  # noqa: E402,F401
from IPython.core.interactiveshell import InteractiveShell  # noqa: E402

state_file = sys.argv[1]
code = sys.stdin.read()
shell = InteractiveShell.instance()
if os.path.exists(state_file):
    with open(state_file, 'rb') as handle:
        shell.user_ns.update(pickle.load(handle))
stdout, stderr = io.StringIO(), io.StringIO()
real_stdout, real_stderr = sys.stdout, sys.stderr
sys.stdout, sys.stderr = stdout, stderr
try:
    result = shell.run_cell(code, store_history=False)
finally:
    sys.stdout, sys.stderr = real_stdout, real_stderr
kept = {}
for name, value in list(shell.user_ns.items()):
    if name.startswith('_') or name in ('In', 'Out', 'exit', 'quit', 'get_ipython'):
        continue
    try:
        pickle.dumps(value)
    except Exception:
        continue  # the reference silently drops what does not pickle
    kept[name] = value
with open(state_file, 'wb') as handle:
    pickle.dump(kept, handle)
print(
    json.dumps(
        {
            'stdout': stdout.getvalue(),
            'stderr': stderr.getvalue(),
            'result': None if result.result is None else str(result.result),
            'stateBytes': os.path.getsize(state_file),
            'processMs': (time.perf_counter() - started) * 1000,
        }
    )
)
