"""How rare a word is in general Japanese: rare words say what a message is about.

The weights come from a table of the commonest Japanese words (Zipf frequency
3 and up: ~30,000 words) with their Zipf frequency (log10 of occurrences per
billion words), extracted from wordfreq by ``scripts/make_zipf_table.py`` and
shipped with faqbot.  A word's salience is ``8 − Zipf``: particles and する
weigh about 1, 更新 3, パスポート 4, and a word outside the table (rarer than any
in it) :data:`UNLISTED`.
"""

from __future__ import annotations

import gzip
from importlib.resources import files

# Zipf 8 would be a word making up a tenth of all text: nothing is that common.
_CEILING = 8.0
# The table stops at Zipf 3.0; a word not in it is rarer, and weighs as a Zipf-2.8 word.
UNLISTED = _CEILING - 2.8
_FLOOR = 1.0


def salience_table() -> dict[str, float]:
    """Salience (``8 − Zipf``, at least 1) of every word in the shipped table.

    Read once per engine build (a few tens of ms) and kept by the router, so a
    query never pays for it.
    """
    raw = (files("faqbot.text") / "data" / "ja_zipf.tsv.gz").read_bytes()
    lines = gzip.decompress(raw).decode("utf-8").split("\n")[1:]  # after the comment line
    # One split over the whole table and a C-level float map instead of a loop per line.
    cells = "\t".join(line for line in lines if line).split("\t")
    return {word: max(_FLOOR, _CEILING - float(zipf)) for word, zipf in zip(cells[0::2], cells[1::2], strict=True)}
