"""English stems: inflections fold into one stem, compared only with stems."""

from __future__ import annotations

import pytest

from faqbot.text.stems import english_stem, english_stems


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("days", "day"),
        ("day", "day"),
        ("charged", "charg"),
        ("charges", "charg"),
        ("renewals", "renew"),
        ("cancelled", "cancel"),
        ("notify", "notifi"),  # a stem, not a lemma: compared only with stems
    ],
)
def test_inflections_share_a_stem(word: str, stem: str) -> None:
    assert english_stem(word) == stem


def test_only_english_words_are_stemmed() -> None:
    assert english_stems(frozenset({"days", "解約", "2027", "e-mail", "charged"})) == {"day", "charg"}
