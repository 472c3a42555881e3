"""Properties of text normalisation, date extraction and entity extraction over any Unicode.

Whatever a customer types (see :mod:`tests.strategies`), these never raise;
normalisation is idempotent and leaves only letters and digits; extracted dates
are real dates inside the supported years and, when a text names a day
explicitly, that day exactly or nothing.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from faqbot.answers.answering import Engine
from faqbot.kb.dates import MAX_YEAR, MIN_YEAR, extract_date, extract_dates
from faqbot.text.normalize import has_kanji, is_kana_text, katakana_to_hiragana, normalize, normalize_term
from tests.strategies import hostile_text

FAST = settings(max_examples=400, deadline=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
SLOWER = settings(max_examples=150, deadline=1000, suppress_health_check=[HealthCheck.function_scoped_fixture])
# The API accepts reference dates in 1900-2999; the CLI any YYYY-MM-DD.
todays = st.dates(min_value=date(1900, 1, 1), max_value=date(2999, 12, 31))


@FAST
@given(hostile_text)
def test_normalize_is_idempotent_and_keeps_only_letters_and_digits(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    assert all(unicodedata.category(ch)[0] in "LN" for ch in once)


@FAST
@given(hostile_text)
def test_normalize_term_is_idempotent(text: str) -> None:
    once = normalize_term(text)
    assert normalize_term(once) == once


@FAST
@given(hostile_text)
def test_kana_and_kanji_helpers_never_raise(text: str) -> None:
    assert isinstance(katakana_to_hiragana(text), str)
    assert isinstance(has_kanji(text), bool)
    assert isinstance(is_kana_text(normalize(text)), bool)


@FAST
@given(hostile_text, todays)
def test_extracted_dates_are_real_and_in_range(text: str, today: date) -> None:
    found = extract_dates(text, today)
    for item in found:
        assert isinstance(item.value, date)
        assert MIN_YEAR <= item.value.year <= MAX_YEAR
    first = extract_date(text, today)
    assert first == (found[0] if found else None)


@FAST
@given(
    st.integers(MIN_YEAR, MAX_YEAR),
    st.integers(0, 13),
    st.integers(0, 32),
    st.sampled_from(["{y}年{m}月{d}日", "{y}/{m}/{d}", "{y}-{m:02d}-{d:02d}", "{y}.{m}.{d}", "有効期限は{y}年{m}月{d}日です"]),
    todays,
)
def test_an_explicit_day_is_found_exactly_or_not_at_all(y: int, m: int, d: int, form: str, today: date) -> None:
    """2027年2月30日 is impossible: nothing, never 3月2日 or 2月28日."""
    text = form.format(y=y, m=m, d=d)
    try:
        real: date | None = date(y, m, d)
    except ValueError:
        real = None
    values = [f.value for f in extract_dates(text, today)]
    assert values == ([real] if real else [])


@FAST
@given(hostile_text)
def test_full_width_digits_read_like_ascii(text: str) -> None:
    # NFKC folds ２０２７ to 2027: the extracted dates must not depend on the width.
    today = date(2026, 11, 26)
    wide = text.translate(str.maketrans("0123456789/-", "０１２３４５６７８９／－"))
    assert extract_dates(wide, today) == extract_dates(unicodedata.normalize("NFKC", wide), today)


@SLOWER
@given(hostile_text, todays)
def test_entity_extraction_names_only_known_products_and_plans(engine: Engine, text: str, today: date) -> None:
    entities = engine.extractor.extract(text, today)
    assert entities.product is None or entities.product in {p.id for p in engine.kb.products}
    assert entities.plan is None or entities.plan in {p.id for p in engine.kb.plans}
    assert entities.expiry is None or MIN_YEAR <= entities.expiry.value.year <= MAX_YEAR


LONG = [
    "あ" * 100_000,
    "\U0001f600" * 100_000,
    "\u0301" * 100_000,
    "\u200b" * 100_000,
    "\ud800" * 100_000,
    "2027年2月30日" * 10_000,
    "1/" * 50_000,
    "請求日はいつ？" * 15_000,
]


def test_hundred_thousand_characters_are_handled(engine: Engine) -> None:
    today = date(2026, 11, 26)
    for text in LONG:
        assert normalize(normalize(text)) == normalize(text)
        engine.extractor.extract(text, today)


_IDEOGRAPHS = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


_EDGES = st.sampled_from("\u33ff\u3400\u4dbf\u4dc0\u4e00\u9fff\ua000\uf8ff\uf900\ufaff\ufb00あア")


@given(st.text(st.one_of(st.characters(), st.characters(min_codepoint=0x3000, max_codepoint=0xFB00), _EDGES)))
def test_has_kanji_is_the_ideograph_class_search(text: str) -> None:
    assert has_kanji(text) is (_IDEOGRAPHS.search(text) is not None)
