"""The parent's end of a query worker's socket, read and written on the event loop.

The worker talks through a `multiprocessing.connection.Connection` (blocking, one message at a
time: it has nothing else to do). The server cannot block, and handing each read to a thread
cost two thread switches per query, most of the fixed cost of a cheap query. So the parent
writes and reads the same frames itself, with the event loop's non-blocking socket calls: a
4-byte big-endian signed length (-1, then an 8-byte length, past 2 GiB), then a pickle.

A read cancelled half-way (deadline, client gone) leaves the stream mid-frame: the caller must
then discard the worker, which the pool does (it kills it).
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct

FIRST_READ = 16 * 1024
"""Bytes asked for by the first read: a small answer (header and body) comes in one call."""
_SHORT = struct.Struct("!i")
_LONG = struct.Struct("!Q")


def frame(message: object) -> bytes:
    """`message` as one frame, as `Connection.send` writes it."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    if len(payload) > 0x7FFFFFFF:
        return _SHORT.pack(-1) + _LONG.pack(len(payload)) + payload
    return _SHORT.pack(len(payload)) + payload


async def send(sock: socket.socket, message: object) -> None:
    await asyncio.get_running_loop().sock_sendall(sock, frame(message))


async def receive(sock: socket.socket) -> object:
    """The next message; EOFError when the worker has gone (its end closed)."""
    loop = asyncio.get_running_loop()
    first = bytearray(FIRST_READ)
    got = await _fill(loop, sock, memoryview(first), 0, _SHORT.size)
    (size,) = _SHORT.unpack_from(first)
    start = _SHORT.size
    if size == -1:
        got = await _fill(loop, sock, memoryview(first), got, start + _LONG.size)
        (size,) = _LONG.unpack_from(first, start)
        start += _LONG.size
    if size < 0:
        raise EOFError(f"bad frame length {size} from the worker")
    end = start + size
    if end <= len(first):
        await _fill(loop, sock, memoryview(first), got, end)
        return pickle.loads(memoryview(first)[start:end])
    body = bytearray(size)
    already = first[start:got]
    body[: len(already)] = already
    await _fill(loop, sock, memoryview(body), len(already), size)
    return pickle.loads(body)


async def _fill(
    loop: asyncio.AbstractEventLoop, sock: socket.socket, buffer: memoryview, got: int, want: int
) -> int:
    """Read into `buffer` from `got` until at least `want` bytes are there (reads may bring
    more, up to the buffer's end); the count of bytes now in it."""
    while got < want:
        count = await loop.sock_recv_into(sock, buffer[got:])
        if count == 0:
            raise EOFError("the worker closed its end")
        got += count
    return got
