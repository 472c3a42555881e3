"""Tests of faqbot.text.analysis: content-word lemmas, negation kept, odd input survived."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from faqbot.text.analysis import NEGATION, Word, analyze, prepare, terms, words
from tests.strategies import hostile_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # lemmas: spelling variants and inflections meet
        ("引落しの日", ("引き落とし", "日")),
        ("引き落とし日", ("引き落とし", "日")),
        ("払えません", ("払う", NEGATION)),
        ("カードを変えたい", ("カード", "変える")),
        # particles, auxiliaries, punctuation and emoji carry no weight
        ("カードを、変えたい！😊", ("カード", "変える")),
        # half-width katakana is read like full-width; loanwords keep their katakana
        ("ｸﾚｶ変更", ("クレカ", "変更")),
        ("パスポートの更新", ("パスポート", "更新")),
        # English: lower case, function words dropped, negation kept
        ("How do I cancel my auto-renewal?", ("how", "cancel", "auto", "renewal")),
        ("I can't pay", (NEGATION, "pay")),
        ("", ()),
        ("😀🎉", ()),
    ],
)
def test_terms(text: str, expected: tuple[str, ...]) -> None:
    assert terms(text) == expected


@pytest.mark.parametrize(
    ("negated", "affirmative"),
    [
        ("解約できません", "解約できます"),
        ("解約できない", "解約できる"),
        ("請求が来ていない", "請求が来ている"),
        ("I did not sign up", "I signed up"),
    ],
)
def test_negation_is_evidence_not_stripped(negated: str, affirmative: str) -> None:
    assert NEGATION in analyze(negated).terms and NEGATION not in analyze(affirmative).terms
    assert terms(negated) != terms(affirmative)


def test_readings_run_beside_terms() -> None:
    analysis = analyze("更新した")
    assert analysis.terms == ("更新", "為る") and analysis.readings == ("こうしん", "する")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # auxiliaries after て, the light verb, 「〜ばいい」: phrasing, not topic
        ("カードを失くしてしまったので教えてください", ("カード", "無くす", "教える")),
        ("申請をしたいのですが、どうすればいいですか", ("申請", "どう")),
        ("窓口はありますか", ("窓口",)),
        # negation stays evidence
        ("解約できません", ("解約", NEGATION)),
    ],
)
def test_topic_terms_leave_out_auxiliary_like_words(text: str, expected: tuple[str, ...]) -> None:
    analysis = analyze(text)
    assert analysis.topic_terms == expected
    assert set(analysis.topic_terms) < set(analysis.terms)  # every term is still there for the veto


def test_words_keep_particles_and_endings_with_lemmas_readings_and_parts_of_speech() -> None:
    assert words("カードを失くした") == (
        Word("カード", "カード", "かーど", ("名詞", "普通名詞", "一般")),
        Word("を", "を", "を", ("助詞", "格助詞")),
        Word("失くし", "無くす", "なくす", ("動詞", "一般")),
        Word("た", "た", "た", ("助動詞",)),
    )


def test_texts_sharing_a_word_share_one_word_object() -> None:
    # A server remembers thousands of texts' words: each must cost references, not copies.
    first = words("カードが使えない")[0]
    second = words("カードを変えたい")[0]
    assert first == Word("カード", "カード", "かーど", ("名詞", "普通名詞", "一般"))
    assert first is second


def test_prepare_folds_width_and_case() -> None:
    assert prepare("ＡＢＣｶｰﾄﾞ") == "abcカード"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_analysed_without_error(text: str) -> None:
    analysis = analyze(text)
    assert len(analysis.terms) == len(analysis.readings)
    assert all(analysis.terms)


def test_a_very_long_text_is_cut_not_refused() -> None:
    assert len(terms("解約したい。" * 2000)) >= 1


@settings(max_examples=200, deadline=None)
@given(hostile_text)
def test_hostile_text_is_analysed_without_error(text: str) -> None:
    assert all(analyze(text).terms)
