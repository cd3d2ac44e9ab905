"""A small blocking HTTP client for env serve and reward serve (urllib; retries on 429/503)."""

import asyncio
import base64
import io
import json
import os
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


class DeepeyesServiceError(RuntimeError):
    """A deepeyes service answered an error (its JSON error message is kept) or could not be reached."""


def env_url():
    return os.environ.get("DEEPEYES_ENV_URL", "http://127.0.0.1:8010").rstrip("/")


def reward_url():
    return os.environ.get("DEEPEYES_REWARD_URL", "http://127.0.0.1:8003").rstrip("/")


# A step can wait at env serve's kernel gate for most of an RL step (`--sandbox-wait`, 3,600 s by default):
# the HTTP timeout is a little longer, so the server's own clear error arrives first.
DEFAULT_TIMEOUT_S = float(os.environ.get("DEEPEYES_HTTP_TIMEOUT", "3700"))

_executor = None
_executor_lock = threading.Lock()


async def in_http_thread(function, *args):
    """Runs a blocking call on the adapters' own thread pool, not asyncio's default one.

    The default pool has at most 32 threads. With 32 samples' steps waiting at env serve's kernel gate,
    the next step of an episode that holds a kernel would queue behind them, waiting for its own kernel
    to be freed: nothing moves until the server expires someone. One thread per waiting call (created
    lazily, DEEPEYES_HTTP_THREADS at most) lets every sample's request reach the server."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=int(os.environ.get("DEEPEYES_HTTP_THREADS", "4096")), thread_name_prefix="deepeyes-http"
            )
    return await asyncio.get_running_loop().run_in_executor(_executor, lambda: function(*args))


def request_json(method, url, body=None, timeout_s=None, max_wait_s=600.0):
    """Sends JSON, returns the decoded answer. Waits out 429/503 back-pressure (Retry-After) up to max_wait_s."""
    timeout_s = DEFAULT_TIMEOUT_S if timeout_s is None else timeout_s
    data = None if body is None else json.dumps(body).encode("utf-8")
    deadline = time.monotonic() + max_wait_s
    while True:
        request = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            request.add_header("content-type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                return json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            if error.code in (429, 503) and time.monotonic() < deadline:
                time.sleep(min(float(error.headers.get("retry-after") or 1), 10.0))
                continue
            raise DeepeyesServiceError(f"{method} {url} answered {error.code}: {text}") from None
        except urllib.error.URLError as error:
            raise DeepeyesServiceError(f"{method} {url} failed: {error.reason}") from None


def image_to_base64(image):
    """A PIL image (or encoded bytes, or a verl `{bytes}` dict) as base64 PNG/original bytes."""
    if isinstance(image, dict):
        image = image.get("bytes") or image.get("image")
    if isinstance(image, (bytes, bytearray)):
        return base64.b64encode(bytes(image)).decode("ascii")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def decode_images(wire_images):
    """The images of an env serve answer as PIL images, in order."""
    from PIL import Image

    images = []
    for wire in wire_images:
        image = Image.open(io.BytesIO(base64.b64decode(wire["data"])))
        image.load()
        images.append(image.convert("RGB"))
    return images


def question_of(raw_prompt, extra_info):
    """The question: extra_info.question when the row has it, else the last user text without `<image>`."""
    if extra_info and extra_info.get("question"):
        return str(extra_info["question"])
    for message in reversed(list(raw_prompt or [])):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, list):
            content = "".join(part.get("text", "") for part in content if isinstance(part, dict))
        return str(content).replace("<image>", "").strip()
    return ""


class Episode:
    """One env serve episode: create, step with each model turn, finish for the reward, delete."""

    def __init__(self, images, question, ground_truth=None, data_source=None, extra_info=None, profile=None, options=None):
        body = {
            "images": [image_to_base64(image) for image in images],
            "question": question,
            "profile": profile or os.environ.get("DEEPEYES_ENV_PROFILE", "deepeyesv2"),
        }
        if ground_truth is not None:
            body["ground_truth"] = str(ground_truth)
        if data_source is not None:
            body["data_source"] = str(data_source)
        if extra_info:
            body["extra_info"] = {key: value for key, value in extra_info.items() if key in ("index", "question")}
        if options:
            body["options"] = options
        created = request_json("POST", f"{env_url()}/episodes", body)
        self.id = created["episode_id"]
        self.prompt = created["prompt"]
        self.closed = False

    def step(self, text, finish_reason="stop"):
        return request_json("POST", f"{env_url()}/episodes/{self.id}/step", {"text": text, "finish_reason": finish_reason})

    def finish(self, response=None):
        body = {} if response is None else {"response": response}
        self.closed = True
        return request_json("POST", f"{env_url()}/episodes/{self.id}/finish", body)

    def close(self):
        if self.closed:
            return
        self.closed = True
        try:
            request_json("DELETE", f"{env_url()}/episodes/{self.id}", max_wait_s=0)
        except DeepeyesServiceError:
            pass  # already expired or finished: nothing to free
