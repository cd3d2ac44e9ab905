"""Drives DeepEyesV2's unmodified VLMEvalKit sandbox client (agent_utils.py, extracted by the
test) the way vllm_api.py does: per item a new session id, the init cell opening the image by
its host path, then model code; sessions are never cleared. Prints a JSON summary."""

import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

# agent_utils creates its resize folder under /root at import; keep that off the host.
_makedirs = os.makedirs
os.makedirs = lambda path, *a, **k: None if str(path).startswith('/root/LMUData') else _makedirs(path, *a, **k)
import agent_utils  # noqa: E402

os.makedirs = _makedirs

image_dir, count, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
MODEL_CODE = '''
w, h = image_1.size
crop = image_1.crop((0, 0, w // 2, h // 2))
print(w, h, crop.size, image_1.getpixel((1, 1)))
'''
# Every tenth item also returns a figure, as a zoom-in answer does (kept to a few: CPU time).
PLOT_CODE = '''
import matplotlib.pyplot as plt
plt.imshow(crop)
plt.axis("off")
plt.show()
'''


def item(index):
    session_id = agent_utils.generate_session_id() + f'-{index}'
    path = os.path.join(image_dir, f'item-{index}.png')
    init = agent_utils.execute_code(session_id, agent_utils.return_init_code(path))
    if not init or init['status'] != 'success' or init['stderr']:
        return {'index': index, 'ok': False, 'stage': 'init', 'got': str(init)}
    out = agent_utils.execute_code(session_id, MODEL_CODE)
    expected = f'64 48 (32, 24) ({index % 256}, {(index * 7) % 256}, 9)\n'
    ok = bool(out) and out['status'] == 'success' and out['stdout'] == expected and out['stderr'] == ''
    if ok and index % 10 == 0:
        plot = agent_utils.execute_code(session_id, PLOT_CODE)
        ok = bool(plot) and plot['status'] == 'success' and len(plot['images']) == 1
    return {'index': index, 'ok': ok, 'stage': 'code', 'got': None if ok else str(out)}


with ThreadPoolExecutor(threads) as pool:
    results = list(pool.map(item, range(count)))

# A refusal (a timeout past the server's cap: HTTP 400) must reach the caller as data, not a crash.
refused = agent_utils.execute_code('refused', 'print(1)', code_timeout=1e9)
print(json.dumps({
    'ran': sum(result['ok'] for result in results),
    'failures': [result for result in results if not result['ok']][:5],
    'refused': None if refused is None else {k: refused[k] for k in ('status', 'stderr', 'stdout', 'result')},
}))
