"""Many literal words found in a text at once, as a regular-expression alternation of them would.

The knowledge base's synonyms and product names (a few hundred words for the shipped
one) are found in every message and every stored question.  They were one regular
expression each, ``a|b|c…``; but the engine keeps them pickled, and unpickling a
pattern compiles it again — 13–18 ms of every ``faqbot ask`` for the three of them,
Python's ``sre`` compiler working character by character.  An Aho–Corasick automaton
(ahocorasick-rs, the Rust ``aho-corasick`` crate) is built from the same words in
about a millisecond and scans a message ~4× faster.  Its leftmost-first match kind
is the alternation's semantics exactly: the leftmost match, and of the words that
match there the one listed first; matches do not overlap.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ahocorasick_rs

from faqbot.text.inert import encodable


class Literals:
    """A fixed list of non-empty literal words, found in texts as the alternation ``w1|w2|…`` finds them."""

    __slots__ = ("_automaton", "words")

    def __init__(self, words: Sequence[str]) -> None:
        """The finder of ``words``, in order of preference; raises ValueError for an empty word."""
        if any(not word for word in words):
            raise ValueError("an empty word matches everywhere: leave it out of the literals")
        self.words = tuple(words)
        self._automaton = _automaton(self.words)

    def __getstate__(self) -> tuple[str, ...]:
        return self.words  # the automaton does not pickle: built again from the words (~1 ms)

    def __setstate__(self, words: tuple[str, ...]) -> None:
        self.words = words
        self._automaton = _automaton(words)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Literals) and other.words == self.words

    def __hash__(self) -> int:
        return hash(self.words)

    def __repr__(self) -> str:
        return f"Literals({len(self.words)} words)"

    def found(self, text: str) -> list[str]:
        """The words found in ``text``, left to right (non-overlapping, as ``finditer`` gives them)."""
        if self._automaton is None:
            return []
        return [self.words[word] for word, _, _ in _spans(self._automaton, text)]

    def replace(self, text: str, replacement: Callable[[str], str]) -> str:
        """``text`` with each word found replaced by ``replacement(word)``, as ``re.sub`` would."""
        if self._automaton is None:
            return text
        spans = _spans(self._automaton, text)
        if not spans:
            return text
        pieces: list[str] = []
        last = 0
        for word, start, end in spans:
            pieces.append(text[last:start])
            pieces.append(replacement(self.words[word]))
            last = end
        pieces.append(text[last:])
        return "".join(pieces)


def _spans(automaton: ahocorasick_rs.AhoCorasick, text: str) -> list[tuple[int, int, int]]:
    """The automaton's matches in ``text`` as (word, start, end) in characters.

    The automaton reads UTF-8, which a lone surrogate (「\\ud800」, from a broken client)
    cannot be encoded in; a regular expression reads it as any other character.  Such a
    text is searched with each lone surrogate read as U+FFFD, one character for one, so
    the positions are the text's own (only a word holding U+FFFD itself could match there).
    """
    try:
        return automaton.find_matches_as_indexes(text)
    except UnicodeEncodeError:
        return automaton.find_matches_as_indexes(encodable(text))


def _automaton(words: tuple[str, ...]) -> ahocorasick_rs.AhoCorasick | None:
    if not words:
        return None
    return ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostFirst)
