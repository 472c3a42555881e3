"""Replacing a file all at once: readers see the old file or the new one, never half of either.

The engine cache's files are memory-mapped by the processes that read them, and a
knowledge-base file rewritten by ``faqbot learn`` may be read by a server reloading it;
so nothing is written over a file in place. The new content goes to a temporary file
in the same folder (one file system, so the rename is atomic) and is renamed over the
old one when it is complete.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

__all__ = ["replaced_atomically"]


@contextmanager
def replaced_atomically(path: Path, prefix: str) -> Iterator[Path]:
    """A new temporary file beside ``path``, renamed over ``path`` when the block ends.

    Write the new content to the path the block receives. The temporary file is named
    ``.<prefix>….tmp`` (hidden, and no knowledge-base or cache file's pattern matches
    it); it takes the permission bits of the file it replaces, when there is one (a
    temporary file is created owner-only). When the block raises, the temporary file is
    removed, ``path`` is left as it was, and the exception goes on. Raises OSError when
    the folder cannot be written.
    """
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{prefix}", suffix=".tmp")
    os.close(fd)
    temporary = Path(name)
    try:
        yield temporary
        with suppress(FileNotFoundError):  # a new file: the temporary file's owner-only bits stand
            os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
