"""MeCab analyses of many texts on two cores: this process and a child process share the work.

A cold build at 10,000 entries analyses ~70,000 texts (questions, answers, page
titles) with MeCab, about a third of the build, on one core while the other one
idles (the kana-reading child apart).  :class:`PendingAnalyses` cuts the
texts into chunks; a child process analyses them from the front while this
process analyses them from the back, until the two meet: the split follows how
fast each side actually runs (the reading child, other load), with no fitted
ratio.

No thread and no pipe carries the analyses: the texts go to the child in a
temporary file, and the child appends each chunk's analyses to another one,
which this process reads between its own chunks (a helper thread waiting on a
pipe cost this process two thirds of its time in GIL hand-overs).  The one pipe
carries where this process has got to, four bytes at a time, so the child stops
before a chunk already taken; at most one chunk, the one both start at once,
is analysed twice.

Each text is analysed exactly as :func:`~faqbot.text.analysis.analyze` of its
:func:`~faqbot.text.analysis.masked` form would be in this process, one MeCab
call per text (texts are never joined into one parse: MeCab's context across
the join would change the result), so the analyses are identical whichever side
made them; only where they are computed changes.

The child is a fresh interpreter that imports :mod:`faqbot.text.analysis` alone
(as the kana-reading child does, :mod:`faqbot.text.readings`): a fork would start
as large as the building process.  A chunk the child could not answer (it died,
or could not be started) is analysed here, so the result never depends on the
child.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import struct
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from typing import IO, cast

from faqbot.text.analysis import Analysis, analyze, masked, word_mask
from faqbot.text.child import child_command, child_environment

# Below this many texts a child is not worth its start-up (an interpreter, fugashi and
# unidic-lite: ~0.3 s); an edit's few new texts are analysed here.
PARALLEL_FROM = 4096
# Texts per chunk: small enough that the two sides meet within a chunk of each other
# (~15 ms of questions), large enough that the file reads cost little.
CHUNK = 512
_CHILD = "from faqbot.text.parallel import _serve; _serve()"
# A chunk's analyses in the output file: its number and its pickle's length, then the pickle
# of (terms, readings, topic terms) per text.
_FRAME = struct.Struct("<qq")
# Where this process has got to (the lowest chunk it has taken), as it crosses the pipe.
_LIMIT = struct.Struct("<i")


class PendingAnalyses:
    """Analyses a child process starts on at once, from the front; :meth:`result` does the rest from the back.

    The caller can do other work between the two (the build makes its character
    channel): the child keeps the second core busy meanwhile.
    """

    def __init__(
        self, texts: Sequence[str], words: Sequence[str], parallel_from: int = PARALLEL_FROM, chunk: int = CHUNK
    ) -> None:
        """Start a child on ``texts`` when there are at least ``parallel_from`` of them; ``chunk``: texts per chunk."""
        self._texts = list(texts)
        self._mask = word_mask(words)
        self._chunk = chunk
        self._chunks: list[list[Analysis] | None] = [None] * -(-len(self._texts) // chunk)
        self._limit = len(self._chunks)  # this process has analysed chunks[limit:]
        many = len(self._texts) >= parallel_from and len(os.sched_getaffinity(0)) >= 2
        self._child = Child(self._texts, list(words), chunk) if many else None

    @property
    def in_parallel(self) -> bool:
        """Is a child process analysing (until :meth:`result`)?"""
        return self._child is not None

    def _take_one(self) -> bool:
        """Analyse the last chunk nobody has taken; False when the child has done the rest."""
        done = self._child.received(self._chunks) if self._child is not None else 0  # the child's chunks[:done]
        if self._limit <= done:
            return False
        self._limit -= 1
        if self._child is not None:
            self._child.stop_before(self._limit)
        start = self._limit * self._chunk
        self._chunks[self._limit] = [analyze(masked(text, self._mask)) for text in self._texts[start : start + self._chunk]]
        return True

    def work_while(self, busy: Callable[[], bool]) -> None:
        """Analyse chunks here, from the back, while ``busy()`` holds and chunks are left.

        For a caller about to wait on something else (the kana-reading child): the time
        goes to analyses instead of to waiting.
        """
        while busy() and self._take_one():
            pass

    def result(self) -> list[Analysis]:
        """The analysis of every text, in order: the child's chunks, and the rest analysed here."""
        while self._take_one():
            pass
        if self._child is not None:
            self._child.close()  # what it has not sent yet is not needed
            self._child = None
        return [analysis for found in self._chunks if found is not None for analysis in found]


class Child:
    """The child process, the two files it reads and writes, and the pipe that tells it where to stop."""

    def __init__(self, texts: list[str], words: list[str], chunk: int) -> None:
        """Start a child analysing ``texts`` (``words`` masked) ``chunk`` texts at a time, from the front."""
        self._process: subprocess.Popen[bytes] | None = None
        self._offset = 0  # how far the output file has been read
        self._pending = b""  # a frame read in part
        self._done = 0  # the child's chunks received, from the front
        self._input = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
        self._output = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
        pickle.dump((texts, words, chunk), self._input, protocol=pickle.HIGHEST_PROTOCOL)
        self._input.flush()
        fds = (self._input.fileno(), self._output.fileno())
        with contextlib.suppress(OSError):  # no child: this process analyses every chunk
            self._process = subprocess.Popen(  # noqa: S603 - this interpreter, our own code
                child_command(_CHILD, *map(str, fds)), stdin=subprocess.PIPE, pass_fds=fds, env=child_environment(),
            )

    def __enter__(self) -> Child:
        return self

    def stop_before(self, chunk: int) -> None:
        """Tell the child that this process has taken ``chunk`` and every later one."""
        if self._process is None:
            return
        try:
            os.write(cast(IO[bytes], self._process.stdin).fileno(), _LIMIT.pack(chunk))
        except OSError:
            self._process = None  # the child is gone: what it wrote still counts

    def received(self, chunks: list[list[Analysis] | None]) -> int:
        """Put the chunks the child has finished since the last call into ``chunks``; how many from the front it has done."""
        fd = self._output.fileno()
        data = self._pending + os.pread(fd, max(os.fstat(fd).st_size - self._offset, 0), self._offset)
        self._offset += len(data) - len(self._pending)
        at = 0
        while at + _FRAME.size <= len(data):
            number, length = _FRAME.unpack_from(data, at)
            if at + _FRAME.size + length > len(data):
                break  # the rest of this frame is not written yet
            rows = pickle.loads(data[at + _FRAME.size : at + _FRAME.size + length])  # noqa: S301 - our own child's
            if chunks[number] is None:
                chunks[number] = [Analysis(*row) for row in rows]
            self._done = number + 1
            at += _FRAME.size + length
        self._pending = data[at:]
        return self._done

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the child (it may be in the chunk both sides started) and remove the files."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            with contextlib.suppress(OSError):
                cast(IO[bytes], process.stdin).close()
        self._input.close()
        self._output.close()


def _serve() -> None:
    """The child's side: analyse the chunks from the front, each appended to the output file, until told to stop."""
    source, target = (int(fd) for fd in sys.argv[1:3])
    os.lseek(source, 0, os.SEEK_SET)  # the offset is shared with the parent, which wrote the file
    with os.fdopen(source, "rb") as handle:
        texts, words, chunk = pickle.load(handle)  # noqa: S301 - from our own parent
    mask = word_mask(words)
    limits = sys.stdin.buffer.fileno()
    limit = -(-len(texts) // chunk)
    for number in range(limit):
        while select.select([limits], [], [], 0)[0]:
            message = os.read(limits, _LIMIT.size * 64)
            if not message:
                return  # the parent has finished
            limit = min(limit, *(_LIMIT.unpack_from(message, at)[0] for at in range(0, len(message) - 3, _LIMIT.size)))
        if number >= limit:
            return
        found = [analyze(masked(text, mask)) for text in texts[number * chunk : (number + 1) * chunk]]
        rows = pickle.dumps([(a.terms, a.readings, a.topic_terms) for a in found], protocol=pickle.HIGHEST_PROTOCOL)
        frame = memoryview(_FRAME.pack(number, len(rows)) + rows)
        while frame:  # a write may take only part of it
            frame = frame[os.write(target, frame) :]
