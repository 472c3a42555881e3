"""Why an alternate question routes to another entry, and what its author should do about it.

The lint (:func:`faqbot.quality.lint.alternate_problems`) routes each alternate with itself
left out of the index; when another entry answers it, the author needs more than the
other entry's id: which of that entry's questions it met, and through which words.  A
greeting 「おはようございます」 lands on thanks through 「ありがとうございます」: the polite ending
「ございます」 is all they share, and greeting's other questions have none of it.

The evidence named is the alternate's own words (MeCab's cut, as written), grouped into
runs of consecutive words that the closest question holds too and no other question of
the alternate's entry holds, kept only where the router really saw them: the run shares
a character n-gram of the character channel's forms of both texts (polite endings, product
names and spelling folded away as the channel does), or, when the lexical channel weighs
in, a content-word lemma.  Runs are found on the written words (width, case and kana
folded), so a synonym the router reads as the same word (クレカ, クレジットカード) is not
named: the list can leave evidence out, never name a run the router saw nothing of.  Reporting
only: nothing here changes how anything routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from faqbot.routing.ngram_index import ngrams
from faqbot.text.analysis import Word, words
from faqbot.text.normalize import has_kanji, normalize_term

if TYPE_CHECKING:
    from faqbot.routing.router import Router

#: At most this many shared runs are named (the message stays one line).
MAX_SHARED = 3
# Parts of speech a run does not start with: 「の解約」 is named 「解約」.
_LEADING_DROPPED = frozenset({"助詞", "補助記号", "空白"})


@dataclass(frozen=True)
class Misroute:
    """What an alternate that routes to another entry shares with it, and with its own entry."""

    closest: str  # the other entry's stored question the router matched best
    shared: tuple[str, ...]  # runs of the alternate's words that question holds and its own entry's questions do not
    own_words: bool  # does it share a run the router saw with any other question of its own entry?
    # Does it share any run the router saw with ``closest`` at all? False with ``shared`` empty: no
    # word in common; True with ``shared`` empty: what it shares there, its own entry holds too.
    common: bool = False


def explain(router: Router, alternate: str, own: tuple[str, ...], closest: str) -> Misroute:
    """What ``alternate`` shares with ``closest`` (the other entry's best-matched question) and with ``own``.

    ``own``: the other questions of the alternate's entry (the alternate itself left out).
    """
    cut = [(word, normalize_term(word.surface)) for word in words(alternate)]
    cut = [(word, folded) for word, folded in cut if folded]
    surface = router.char_channel.surface(alternate)
    mine = [normalize_term(question) for question in own]
    seen = _runs(router, cut, surface, closest)
    shared = [run for run in seen if not any(_fold(run) in question for question in mine)]
    own_words = any(_runs(router, cut, surface, question) for question in own)
    return Misroute(closest, tuple(_display(run) for run in shared[:MAX_SHARED]), own_words, bool(seen))


def reason(found: Misroute, entry_id: str) -> str:
    """The lint message's tail: the closest question, the shared words, and what to do."""
    if not found.shared and found.common:
        return (
            f" (closest: {found.closest!r}; the words it shares with it are in other questions of {entry_id!r} too); "
            f"reword it so it says what only {entry_id!r} is about, or remove it"
        )
    if not found.shared:
        return (
            f" (closest: {found.closest!r}; no word in common with it); "
            f"add alternates to {entry_id!r} worded like it, or remove it"
        )
    shared = ", ".join(found.shared)
    if found.own_words:
        return f" (closest: {found.closest!r}; shared: {shared}); reword it so it says what only {entry_id!r} is about, or remove it"
    return (
        f" (closest: {found.closest!r}; shared: {shared}; none with the other questions of {entry_id!r}); "
        f"reword it so it says what only {entry_id!r} is about, add alternates to {entry_id!r} worded like it, or remove it"
    )


Run = tuple[tuple[Word, str], ...]


def _runs(router: Router, cut: list[tuple[Word, str]], surface: str, other: str) -> list[Run]:
    """The runs of consecutive words of ``cut`` that ``other`` holds, longest from each start, that the router saw.

    ``surface``: the character channel's form of the text ``cut`` is the words of.
    """
    channel = router.char_channel
    target = normalize_term(other)
    seen = set(ngrams(surface)).intersection(ngrams(channel.surface(other)))
    lemmas = set(router.analyze(other).topic_terms) if router.lexical_weight > 0.0 else set()
    found: list[Run] = []
    start = 0
    while start < len(cut):
        end = start
        while end < len(cut) and _fold(cut[start : end + 1]) in target:
            end += 1
        if end == start:
            start += 1
            continue
        run = _trimmed(tuple(cut[start:end]))
        text = _fold(run)
        if run and (len(text) > 1 or has_kanji(text)):
            gram_seen = bool(seen.intersection(ngrams(channel.surface(text))))
            if gram_seen or any(word.lemma in lemmas for word, _ in run):
                found.append(run)
        start = end
    return found


def _trimmed(run: Run) -> Run:
    """``run`` without the particles and symbols it starts with."""
    start = 0
    while start < len(run) and run[start][0].pos[:1] and run[start][0].pos[0] in _LEADING_DROPPED:
        start += 1
    return run[start:]


def _fold(run: Run | list[tuple[Word, str]]) -> str:
    return "".join(folded for _, folded in run)


def _display(run: Run) -> str:
    """The run as the author wrote it (MeCab's surfaces: width and case folded, spaces between Latin words)."""
    text = ""
    for word, _ in run:
        if text and text[-1].isascii() and text[-1].isalnum() and word.surface[:1].isascii() and word.surface[:1].isalnum():
            text += " "
        text += word.surface
    return text
