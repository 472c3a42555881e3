"""faqbot.dialogue.one_shot: a billing question asked once reads as the chat's first turn reads it."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from faqbot.answers.answering import Engine, answer_query
from faqbot.cli import main
from faqbot.dialogue.one_shot import reread_billing
from tests.conftest import TODAY  # 2026-11-26


def _asked(engine: Engine, text: str):
    return reread_billing(engine, answer_query(engine, text, TODAY), TODAY)


def test_a_product_named_in_part_is_taken_when_its_words_settle_it(engine: Engine) -> None:
    text = "クラウドの月額で期限2027/3/31、次の請求日は？"
    assert answer_query(engine, text, TODAY).missing == ("product",)  # the extractor wants the whole name
    answer = _asked(engine, text)
    assert answer.missing == () and answer.billing is not None
    assert (answer.billing.product_id, answer.billing.billing_date.isoformat()) == ("virusbuster-cloud", "2027-03-31")


def test_an_impossible_expiry_is_explained_not_asked_for_as_if_never_given(engine: Engine) -> None:
    answer = _asked(engine, "クラウドの月額で期限2027/2/30、次の請求日は？")
    assert answer.missing == ("expiry",) and answer.entities.product == "virusbuster-cloud"
    assert answer.text.rstrip().endswith("「2027/2/30」という日付はありません（その月は28日までです）。\n有効期限を、年・月・日がそろった形で1つだけお送りください。")


def test_a_day_without_its_month_is_explained(engine: Engine) -> None:
    answer = _asked(engine, "ウイルスバスター クラウドの年額版で、有効期限は月末です。次の請求日は？")
    assert answer.missing == ("expiry",)
    assert "「月末」だけでは何月のことか分かりませんでした。" in answer.text


def test_an_answer_that_lacks_nothing_is_returned_as_it_is(engine: Engine) -> None:
    answer = answer_query(engine, "クレジットカード以外で払えますか？", TODAY)
    assert answer.missing == () and reread_billing(engine, answer, TODAY) is answer


def test_two_dates_are_not_computed_on_the_first(engine: Engine) -> None:
    text = "ウイルスバスター クラウドの年額版で、有効期限は2027年3月31日か2028年3月31日。次の請求日は？"
    assert answer_query(engine, text, TODAY).billing is not None  # the extractor takes the first date
    answer = _asked(engine, text)
    assert answer.billing is None and answer.missing == ("expiry",)
    assert "日付が複数あります（2027年3月31日、2028年3月31日）" in answer.text


def test_a_billing_answer_from_one_date_is_returned_as_it_is(engine: Engine) -> None:
    answer = answer_query(engine, "ウイルスバスター クラウドの年額版で、有効期限は2027年3月31日。次の請求日は？", TODAY)
    assert answer.billing is not None and reread_billing(engine, answer, TODAY) is answer


@pytest.mark.parametrize(
    ("message", "noted"),
    [("ありがとう。ところで明日の天気は？", True), ("なるほど、ありがとう", False), ("ありがとう", False)],
)
def test_ask_says_a_question_beside_a_pleasantry_is_not_answered(message: str, noted: bool) -> None:
    # As the chat does: the thanks are answered, and a question the KB has nothing on is not ignored.
    result = CliRunner().invoke(main, ["ask", "--today", "2026-11-26", message])
    assert result.exit_code == 0, result.output
    assert "どういたしまして" in result.output
    assert ("お答えできる情報が見つかりませんでした" in result.output) == noted
