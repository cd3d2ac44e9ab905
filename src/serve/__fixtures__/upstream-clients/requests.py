"""Minimal stand-in for `requests` (absent from Debian's python3 here), written for deepeyes'
tests: only `post(url, json=..., timeout=...)` and `.json()`, which is all DeepEyesV2's sandbox
clients use. Like `requests`, it returns the body whatever the HTTP status."""

import json as _json
import urllib.error
import urllib.request


class Response:
    def __init__(self, status_code, body):
        self.status_code = status_code
        self._body = body

    def json(self):
        return _json.loads(self._body)


def post(url, json=None, timeout=None, headers=None):
    request = urllib.request.Request(
        url,
        data=_json.dumps(json).encode('utf-8'),
        headers={'content-type': 'application/json', **(headers or {})},
        method='POST',
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        return Response(error.code, error.read())
