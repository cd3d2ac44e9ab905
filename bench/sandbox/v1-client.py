"""A v1 API client in its own process, as DeepEyesV2's RL environment calls the sandbox:
Python, one keep-alive connection per client (``requests.Session`` when requests is
installed, else ``http.client``, which also keeps the connection open).

    python3 bench/sandbox/v1-client.py <base-url> v1|health <session-id> <warm-up calls> \\
        <timed calls> requests|http.client

`v1` times warm `print(1)` calls to POST /jupyter_sandbox; `health` times GET /health, the
floor of HTTP and client alone. Prints one JSON line:
{"client": ..., "ms": [latency of each timed call, in ms]}. Every answer is checked (status
200 and stdout "1\\n", or status "ok"), so a broken server cannot produce a fast number.
"""

import http.client
import json
import sys
import time
import urllib.parse


def make_caller(base_url, library):
    requests = None
    if library != "http.client":
        try:
            import requests
        except ImportError:
            pass
    if requests is not None:
        session = requests.Session()

        def call(method, path, body):
            response = session.request(method, base_url + path, json=body)
            return response.status_code, response.json()

        return "requests.Session " + requests.__version__, call

    parsed = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port)

    def call(method, path, body):
        if body is None:
            connection.request(method, path)
        else:
            payload = json.dumps(body).encode()
            connection.request(method, path, payload, {"Content-Type": "application/json"})
        response = connection.getresponse()
        return response.status, json.loads(response.read())

    return "http.client (keep-alive)", call


def main():
    base_url, target, session_id = sys.argv[1], sys.argv[2], sys.argv[3]
    warm_up, timed, library = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
    client, call = make_caller(base_url, library)
    body = {"session_id": session_id, "code": "print(1)"}
    samples = []
    for index in range(warm_up + timed):
        started = time.perf_counter()
        if target == "health":
            status, answer = call("GET", "/health", None)
            ok = status == 200 and answer.get("status") == "ok"
        else:
            status, answer = call("POST", "/jupyter_sandbox", body)
            output = answer.get("output")
            ok = status == 200 and isinstance(output, dict) and output.get("stdout") == "1\n"
        elapsed_ms = (time.perf_counter() - started) * 1000
        if not ok:
            raise SystemExit("unexpected answer: %r" % (answer,))
        if index >= warm_up:
            samples.append(elapsed_ms)
    if target != "health":
        call("POST", "/clear_session", {"session_id": session_id})
    print(json.dumps({"client": client, "ms": samples}))


if __name__ == "__main__":
    main()
