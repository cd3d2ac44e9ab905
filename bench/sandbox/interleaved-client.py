"""Warm v1 calls against several sandbox servers, taking turns in small chunks so the
host's drifting load falls on all of them alike. Standard library only.

    python3 bench/sandbox/interleaved-client.py <rounds> <calls per chunk> <name>=<base-url> ...

Prints one JSON line: {"<name>": [latency of each timed call, in ms], ...}. The first round
warms up and is not timed; every answer is checked (stdout "1\\n").
"""

import http.client
import json
import sys
import time
import urllib.parse


def main():
    rounds, chunk = int(sys.argv[1]), int(sys.argv[2])
    targets = dict(argument.split('=', 1) for argument in sys.argv[3:])
    connections = {}
    for name, base_url in targets.items():
        parsed = urllib.parse.urlsplit(base_url)
        connections[name] = http.client.HTTPConnection(parsed.hostname, parsed.port)
    body = json.dumps({'session_id': 'interleaved', 'code': 'print(1)'}).encode()
    samples = {name: [] for name in targets}
    for round_index in range(rounds + 1):
        for name, connection in connections.items():
            for _ in range(chunk):
                started = time.perf_counter()
                connection.request('POST', '/jupyter_sandbox', body, {'Content-Type': 'application/json'})
                response = connection.getresponse()
                answer = json.loads(response.read())
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != 200 or answer['output']['stdout'] != '1\n':
                    raise SystemExit(f'unexpected answer from {name}: {answer}')
                if round_index > 0:
                    samples[name].append(elapsed)
    print(json.dumps(samples))


if __name__ == '__main__':
    main()
