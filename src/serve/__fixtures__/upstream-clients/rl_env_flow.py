"""Drives DeepEyesV2's unmodified RL environment (deepeyesv2.py, extracted by the test with
verl's tool_envs.py and prompt.py; verl's package __init__ files and search_utils are our
stand-ins): reset with the base64 init cell, code actions, and its error handling."""

import json
import sys

from PIL import Image

from verl.workers.agent.envs.deepeyesv2.deepeyesv2 import DeepEyesV2_ENV

url = sys.argv[1]
DeepEyesV2_ENV.code_sandbox_url = url  # the RL config points the class at the server
env = DeepEyesV2_ENV('deepeyes_v2', '', {})
image = Image.new('RGB', (2000, 1500), (12, 34, 56))
for x in range(0, 2000, 7):
    image.putpixel((x, x % 1500), (x % 256, 200, 100))


def action(code):
    return f'<think>look</think>\n<code>\n```python\n{code}\n```\n</code>'


report = {}
init = env.reset([], None, {'image': [image]}, {'index': 3})
report['init'] = {k: init[k] for k in ('status', 'stdout', 'stderr', 'result')}
obs, reward, done, info = env.execute(action('print(image_1.size, image_1.getpixel((14, 14)))\nimage_1.size'))
report['print'] = {'obs': obs, 'done': done}
obs, reward, done, info = env.execute(
    action('import matplotlib.pyplot as plt\nplt.imshow(image_1.crop((0, 0, 500, 400)))\nplt.show()')
)
report['plot'] = {
    'prompt': obs['prompt'],
    'images': [im.size for im in obs['multi_modal_data']['image']],
    'done': done,
}
# Upstream's indentation repair indents every line after a `def`, so f is called in a later action.
env.execute(action('def f(a):\n    return a / 0'))
obs, reward, done, info = env.execute(action('x = 1\ny = f(x)'))
report['error'] = {'obs': obs, 'done': done}
obs, reward, done, info = env.execute(action('print("unclosed'))
report['syntax'] = {'obs': obs, 'done': done}
# A refused request (wrong URL path: 404 from the server) takes the env's error branch.
DeepEyesV2_ENV.code_sandbox_url = url.replace('/jupyter_sandbox', '/nope')
obs, reward, done, info = env.execute(action('print(1)'))
report['refused'] = {'obs': obs, 'done': done}
print(json.dumps(report))
