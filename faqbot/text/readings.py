"""Kana readings of kanji text, so that 「せいきゅうび」 can meet 「請求日」.

pykakasi's dictionary takes about a third of a second to load, so the
converter is created on first use only: routing a kanji query never needs it,
and the knowledge base's readings are computed once per index build.

pykakasi costs about 0.3 ms per question, which is 75 s for a 250,000-question
knowledge base.  :func:`readings` therefore cuts each text into segments that
pykakasi reads independently — before a kanji that follows a particle
(の を が は に で と も へ や よ), and around runs of characters that are neither
kana nor kanji (pykakasi converts each script run on its own) — and reads each distinct segment once.  A support site's questions reuse a
small vocabulary of such segments, so most texts become a few dict look-ups.
The cut never falls inside a word pykakasi knows (「何か月」「払い方」「乗っ取る」
keep their kana between kanji), so the result is the same as reading the whole
text: the tests check that on the shipped knowledge base.
"""

from __future__ import annotations

import pickle
import re
import select
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import IO, Any, cast

from faqbot.text.child import child_command, child_environment
from faqbot.text.collector import collector_paused
from faqbot.text.normalize import KANJI_CODE_RANGES, normalize

# pykakasi (and through it deprecated, wrapt, asyncio, ssl: ~90 ms) is imported where it is
# used: answering a question from a cached engine needs it not.

# From this many texts on (a knowledge base of several thousand entries),
# readings are computed in a child process: pykakasi keeps its ~110 MB
# dictionary for the life of the process that loads it, and the building
# process should peak at its indexes, not at its indexes plus the dictionary.
ISOLATE_FROM = 20_000
# The folder faqbot is imported from, and what the child process runs.
_CHILD = "from faqbot.text.readings import _serve; _serve()"
# What a child started before its texts are known runs (see WarmReadings).
_WARM_CHILD = "from faqbot.text.readings import _serve_when_told; _serve_when_told()"

_KANJI = "\u3005-\u3007" + "".join(f"{chr(low)}-{chr(high)}" for low, high in KANJI_CODE_RANGES)  # with 々 〆 〇
_KANA = "\u3040-\u30ff\uff66-\uff9f"
_JA = _KANJI + _KANA
# Cut before a kanji that follows a particle, and around every run of characters
# that are neither kana nor kanji (spaces, punctuation, Latin letters, digits).
_SEGMENT_START = re.compile(
    rf"(?<=[のをがはにでともへやよ])(?=[{_KANJI}])|(?<=[^{_JA}])(?=[{_JA}])|(?<=[{_JA}])(?=[^{_JA}])"
)


# pykakasi mishandles these two full-width signs: it drops the sign and reads the text
# before it twice (「テスト＝解約」 → 「てすとてすとかいやく」).  They are read as their
# ASCII forms, which is what normalisation turns them into anyway.
_PYKAKASI_SAFE = str.maketrans({"＝": "=", "；": ";"})


@lru_cache(maxsize=1)
def _converter() -> Any:
    import pykakasi

    # The dictionary is a few pickles of many small objects: with the garbage collector
    # running meanwhile, loading it took twice as long (0.41 s, not 0.21), and a reading
    # child's readiness is what a 10k edit's build ends up waiting for.
    with collector_paused():
        return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def reading(text: str) -> str:
    """The hiragana reading of ``text`` (kanji converted, everything else kept)."""
    if not text:
        return ""
    return "".join(part["hira"] for part in _converter().convert(text.translate(_PYKAKASI_SAFE)))


def readings(texts: Iterable[str], known: dict[str, str] | None = None) -> list[str]:
    """The readings of many texts (as :func:`reading`), each distinct segment read once.

    ``known``: readings of segments (:func:`segments_of`) already made, used as they are;
    each segment read here is added to it.
    """
    known = {} if known is None else known
    out: list[str] = []
    for text in texts:
        parts = []
        for segment in _SEGMENT_START.split(text):
            value = known.get(segment)
            if value is None:
                value = known[segment] = reading(segment)
            parts.append(value)
        out.append("".join(parts))
    return out


def segments_of(text: str) -> list[str]:
    """The segments :func:`readings` reads ``text`` in, in order: its reading is theirs joined."""
    return _SEGMENT_START.split(text)


def plain(segment: str) -> bool:
    """Is ``segment`` printable ASCII, which pykakasi reads as itself (a segment is all kana and kanji, or none)?

    pykakasi gives every character from the space to the tilde its own text as its
    reading (the tests check each one), and drops the control characters.
    """
    return segment.isascii() and segment.isprintable()


def segment_readings(known: dict[str, str]) -> dict[str, str]:
    """The readings of ``known``'s segments (see :func:`readings`) worth remembering: all but the :func:`plain` ones."""
    return {segment: read for segment, read in known.items() if not plain(segment)}


class WarmReadings:
    """A reading child started before its texts are known: it loads pykakasi's dictionary meanwhile.

    Loading the dictionary is most of a child's first half second; after a one-file
    edit the build needs the child's readings before that (its other work is a second
    at 10,000 entries).  Started as the build starts, the child is ready when the
    texts are: :class:`PendingReadings` hands them over (a temporary file's name
    through the pipe, so the hand-over never waits on the child).  Unused, it is
    ended by :meth:`close`.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = subprocess.Popen(  # noqa: S603 - this interpreter, our own code
            child_command(_WARM_CHILD), stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=child_environment(),
        )

    def give(self, texts: list[str]) -> subprocess.Popen[bytes] | None:
        """Hand ``texts`` to the child; the child process, which will write their readings (None: none left)."""
        process, self._process = self._process, None
        if process is None or process.stdin is None:
            return None
        with tempfile.NamedTemporaryFile(prefix="faqbot-readings-", suffix=".pickle", delete=False) as source:
            pickle.dump(texts, source, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            process.stdin.write(source.name.encode("utf-8") + b"\n")
            process.stdin.close()
        except OSError:  # the child is gone: its readings are made here instead
            Path(source.name).unlink(missing_ok=True)
            process.wait()
            return None
        return process

    def close(self) -> None:
        """End the child if no texts were handed to it."""
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            process.wait()
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()


class PendingReadings:
    """Readings being computed in a child process while the caller builds something else.

    Small inputs (every normal knowledge base) are read in-process, when
    :meth:`result` is called.  The child is a fresh interpreter that imports this
    module alone (:data:`_CHILD`), not a fork: a forked child starts as large as
    its parent (at 50,000 entries the build had ~550 MB of knowledge base and
    per-text cache when it forked, and the child peaked at ~670 MB with
    pykakasi's dictionary), while a fresh one needs only the interpreter, the
    texts and the dictionary.  (It is not a ``multiprocessing`` spawn either: that
    would run ``python -m faqbot``'s ``__main__`` again in the child.)
    """

    def __init__(self, texts: Sequence[str], build_size: int | None = None, warm: WarmReadings | None = None) -> None:
        """Start reading ``texts``; ``build_size``: how many texts the whole build reads (default: these).

        A build that has most readings already (an edit) still starts the child when the
        build is large: loading pykakasi's dictionary alone takes a second, better spent in parallel.
        ``warm``: a child started earlier, used (or ended) here.
        """
        self._texts = list(texts)
        self._child: subprocess.Popen[bytes] | None = None
        # The child also normalises each reading (:func:`~faqbot.text.normalize.normalize`, which
        # the reading index applies to them): work taken off the building process.
        self.normalized: list[str] | None = None
        # The readings of the segments read (:func:`segment_readings`), for the memo: an edit's
        # new texts are mostly made of segments an earlier build read.
        self.segments: dict[str, str] = {}
        size = len(self._texts) if build_size is None else build_size
        wanted = bool(self._texts) and size >= ISOLATE_FROM
        if warm is not None:
            self._child = warm.give(self._texts) if wanted else None
            warm.close()
        if wanted and self._child is None:
            # The texts go through a temporary file, not a pipe: writing 50,000 texts into a pipe
            # waited (0.1-0.2 s) until the fresh interpreter had started and read them.
            with tempfile.TemporaryFile() as source:
                pickle.dump(self._texts, source, protocol=pickle.HIGHEST_PROTOCOL)
                source.seek(0)
                self._child = subprocess.Popen(  # noqa: S603 - this interpreter, our own code
                    child_command(_CHILD), stdin=source, stdout=subprocess.PIPE, env=child_environment(),
                )

    def ready(self) -> bool:
        """Would :meth:`result` return without waiting long?  (The child writes only once it has read everything.)"""
        if self._child is None or self._child.stdout is None:
            return True
        return bool(select.select([self._child.stdout], [], [], 0)[0])

    def result(self) -> list[str]:
        """The readings, in the order of the texts (waits for the child when there is one)."""
        if self._child is None:
            known: dict[str, str] = {}
            read = readings(self._texts, known)
            self.segments = segment_readings(known)
            return read
        with cast(IO[bytes], self._child.stdout) as stdout:  # a pipe: stdout=PIPE
            out = stdout.read()
        if self._child.wait() != 0:
            raise RuntimeError(f"the kana-reading child process failed (exit status {self._child.returncode})")
        found: list[str]
        found, self.normalized, self.segments = pickle.loads(out)  # noqa: S301 - our own child's answer
        return found


def _serve() -> None:
    """The child's side of :class:`PendingReadings`: texts in on stdin, their readings and those normalised out on stdout."""
    _answer(pickle.load(sys.stdin.buffer))  # noqa: S301 - from our own parent


def _serve_when_told() -> None:
    """The child's side of :class:`WarmReadings`: the dictionary loaded first, then the texts from the file named on stdin."""
    _converter()
    name = sys.stdin.buffer.readline().decode("utf-8").strip()
    if not name:
        return  # not needed after all
    source = Path(name)
    try:
        with source.open("rb") as handle:
            texts = pickle.load(handle)  # noqa: S301 - written by our own parent
    finally:
        source.unlink(missing_ok=True)
    _answer(texts)


def _answer(texts: list[str]) -> None:
    """Write the readings of ``texts``, those normalised, and their segments' (:func:`segment_readings`) to stdout (pickled)."""
    known: dict[str, str] = {}
    read = readings(texts, known)
    answer = (read, [normalize(r) for r in read], segment_readings(known))
    pickle.dump(answer, sys.stdout.buffer, protocol=pickle.HIGHEST_PROTOCOL)
    sys.stdout.buffer.flush()


def readings_isolated(texts: Sequence[str]) -> list[str]:
    """:func:`readings`, computed in a short-lived child process for large inputs (see :class:`PendingReadings`)."""
    return PendingReadings(texts).result()
