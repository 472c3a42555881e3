"""The engine file: a small pickle plus every numpy array of the engine, mapped read-only.

Layout (all integers little-endian)::

    header   64 bytes: magic "FAQBOTE2", format version (u32), buffer count (u32),
             pickle length (u64), file length (u64), CRC-32 of table + pickle (u32),
             zero padding
    table    per buffer: offset (u64), length (u64)
    pickle   protocol 5, every contiguous ndarray left out of band
    buffers  each array's bytes, starting on a 64-byte boundary

Writing pickles the engine with protocol 5's ``buffer_callback``: any ndarray
anywhere in the object graph (the router's postings, packed strings, the packed
entries, a model a later change adds) is written out of band, with no list of
fields to keep up to date.  Reading maps the file and hands the pickle views of
the mapping as its buffers, so the arrays are read-only views of the page cache:
opening a 50,000-entry engine unpickles only the small object graph, pages are
read as queries touch them, and every process that maps the file shares them
(reference counts live in the small objects, never in the mapped pages).

Checks on reading: magic, version, the file's length (a truncated file), every
buffer inside the file, and the CRC of the table and pickle.  The arrays' bytes
are not checksummed — that would read the whole file and undo the mapping; files
are written to a temporary name, flushed to disk and renamed, so a reader never
sees a partial file.  Any failed check raises :class:`EngineFileError`.  A mapped
file must never be rewritten in place (a process reading a page cut off would get
SIGBUS): faqbot only renames new files over old ones and unlinks old ones, which
leaves every existing mapping intact.
"""

from __future__ import annotations

import mmap
import os
import pickle
import struct
import zlib
from pathlib import Path

from faqbot.text.heap import release

MAGIC = b"FAQBOTE2"
VERSION = 1
_HEADER = struct.Struct("<8sIIQQI")
_HEADER_SIZE = 64
_ENTRY = struct.Struct("<QQ")
_ALIGN = 64  # cache-line (and any numpy dtype) alignment for every array


class EngineFileError(ValueError):
    """The file is not a complete engine file of this format."""


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN


def write_engine_file(obj: object, path: Path, sync: bool = True) -> None:
    """Write ``obj`` to ``path`` (the caller renames it into place).

    ``sync``: flush it to disk before returning; without, the caller must (:func:`sync_file`)
    before renaming it into place.
    """
    buffers: list[pickle.PickleBuffer] = []
    body = pickle.dumps(obj, protocol=5, buffer_callback=buffers.append)
    raws = [buffer.raw() for buffer in buffers]
    table_size = _ENTRY.size * len(raws)
    offset = _aligned(_HEADER_SIZE + table_size + len(body))
    table = bytearray()
    offsets = []
    for raw in raws:
        offsets.append(offset)
        table += _ENTRY.pack(offset, raw.nbytes)
        offset = _aligned(offset + raw.nbytes)
    length = offsets[-1] + raws[-1].nbytes if raws else _HEADER_SIZE + table_size + len(body)
    crc = zlib.crc32(body, zlib.crc32(table))
    header = _HEADER.pack(MAGIC, VERSION, len(raws), len(body), length, crc).ljust(_HEADER_SIZE, b"\0")
    # Not opened with O_TRUNC when empty (the caller's fresh temporary file): truncating a file,
    # even an empty one, has ext4 start writing it back as it is closed (its rule for files
    # replaced by truncation), and the close waited for that: 0.02-0.06 s of a 10k edit, for
    # files that are flushed later (the engine's, in a thread) or never (the per-text caches).
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o666), "wb") as handle:
        if os.fstat(handle.fileno()).st_size:
            handle.truncate()  # at the start: what "wb" would have done
        handle.write(header)
        handle.write(table)
        handle.write(body)
        for start, raw in zip(offsets, raws, strict=True):
            handle.write(b"\0" * (start - handle.tell()))
            handle.write(raw)
            release(raw.obj)  # an array mapped from a file (a build's spilled index): its pages go back once copied
        handle.flush()
        if sync:
            os.fsync(handle.fileno())


def sync_file(path: Path) -> None:
    """Flush the file at ``path`` to disk (what :func:`write_engine_file` does unless told not to)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_engine_file(path: Path) -> object:
    """The object in the engine file at ``path``, its arrays mapped read-only.

    Raises :class:`EngineFileError` for a file that fails a check and
    :class:`OSError` for one that cannot be read.
    """
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < _HEADER_SIZE:
            raise EngineFileError(f"{path}: {size} bytes, shorter than the header")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    magic, version, count, body_size, length, crc = _HEADER.unpack_from(view, 0)
    if magic != MAGIC or version != VERSION:
        raise EngineFileError(f"{path}: not an engine file of this version")
    if length != size:
        raise EngineFileError(f"{path}: {size} bytes, the header says {length} (truncated?)")
    table_end = _HEADER_SIZE + _ENTRY.size * count
    if table_end + body_size > size:
        raise EngineFileError(f"{path}: the pickle runs past the end of the file")
    table = view[_HEADER_SIZE:table_end]
    body = view[table_end : table_end + body_size]
    if zlib.crc32(body, zlib.crc32(table)) != crc:
        raise EngineFileError(f"{path}: checksum mismatch")
    buffers = []
    for i in range(count):
        start, nbytes = _ENTRY.unpack_from(table, i * _ENTRY.size)
        if start < table_end + body_size or start + nbytes > size:
            raise EngineFileError(f"{path}: buffer {i} lies outside the file")
        buffers.append(view[start : start + nbytes])
    return pickle.loads(body, buffers=buffers)  # noqa: S301 - our own file, checked above
