"""Write faqbot/text/data/ja_zipf.tsv.gz: the commonest Japanese words and their Zipf frequency.

The router weights a message's words by how rare they are in general Japanese
(a rare word the knowledge base never uses is a strong sign the message is
about something else).  The frequencies come from wordfreq (Robyn Speer et
al., CC BY-SA 4.0); this script extracts the commonest words once so that
faqbot needs neither wordfreq nor its data at run time.

    pip install wordfreq && python scripts/make_zipf_table.py
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

from wordfreq import get_frequency_dict

WORDS = 40_000
# Rarer words all weigh the same (see faqbot/text/rarity.py): the table stops here.
MIN_ZIPF = 3.0
OUT = Path(__file__).resolve().parent.parent / "faqbot" / "text" / "data" / "ja_zipf.tsv.gz"


def main() -> None:
    freqs = get_frequency_dict("ja")
    words = sorted(freqs, key=freqs.__getitem__, reverse=True)[:WORDS]
    # Zipf = log10(frequency per billion words); computed here from the frequency itself,
    # because wordfreq's zipf_frequency() would tokenise each word with MeCab first.
    lines = [f"{w}\t{math.log10(freqs[w]) + 9:.1f}" for w in words if "\t" not in w and math.log10(freqs[w]) + 9 >= MIN_ZIPF]
    with gzip.open(OUT, "wt", encoding="utf-8", compresslevel=9) as handle:
        handle.write("# word<TAB>Zipf frequency, from wordfreq 'ja' (CC BY-SA 4.0); scripts/make_zipf_table.py\n")
        handle.write("\n".join(lines) + "\n")
    print(f"{len(lines)} words → {OUT}")


if __name__ == "__main__":
    main()
