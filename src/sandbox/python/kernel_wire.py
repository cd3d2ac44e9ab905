"""The Jupyter wire protocol as the deepeyes kernel speaks it: signed multipart messages
(messaging spec 5.3, HMAC-SHA256) over a ZeroMQ socket or over the shell lane, a Unix
stream socket carrying the same frames, each length-prefixed (see sandbox_kernel.py)."""

import datetime
import hashlib
import hmac
import json
import math
import struct
import uuid

DELIMITER = b'<IDS|MSG>'
PROTOCOL_VERSION = '5.3'
# A lane message larger than this is a broken or hostile client: the lane is dropped.
LANE_MAX_MESSAGE_BYTES = 1 << 30


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
                # One copy through a view (a bytearray slice would copy twice: 8.5 MB cells).
                with memoryview(buffer) as view:
                    frames.append(bytes(view[offset + 4 : offset + 4 + size]))
            offset += 4 + size
        if consume:
            if offset == len(buffer):
                # A fresh buffer: the old one may have grown to a large cell's size.
                self.buffer = bytearray()
            else:
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
