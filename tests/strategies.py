"""Hypothesis strategies for hostile customer text, shared by ``tests/test_properties_*.py``.

Customers (and whatever sits between them and the API) send any Unicode: emoji
sequences, combining marks, zero-width and bidirectional controls, C0/C1
controls, half-width kana, compatibility characters that NFKC expands, lone
surrogates (a JSON ``"\\ud800"`` escape decodes to one), and the service's own
vocabulary mixed in, so the interesting code paths (dates, products, plans,
numbered picks, card numbers) are reached, not just the fallback.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Characters chosen because they break naive text handling.
NASTY = (
    "\u200b\u200c\u200d\u2060\ufeff"  # zero-width space/joiners, word joiner, BOM
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"  # bidi controls
    "\u0301\u0308\u20dd\u3099\u309a\ufe0f\ufe0e\U000e0100"  # combining marks, variation selectors
    "\x00\x07\x08\x1b\x7f\x85\x9f\r\n\t\x0b\x0c\u2028\u2029"  # C0/C1 controls, separators
    "\ud800\udbff\udc00\udfff"  # lone surrogates, as json.loads('"\\ud800"') produces
    "\u3000\u00a0\u2003"  # ideographic and other spaces
    "ｶﾞｷﾞｰｯｧ゛゜ヶヵゕゖ〜～ー々〆ヽゞ"  # half-width kana, iteration and long-vowel marks
    "\u0130\u00df\ufb03\u1e9e\u2126\u212b"  # İ ß ﬃ ẞ Ω Å: case folding and NFKC change length
    "①⑳㉑㊿⒈⑴㍻㍼㋿㌔㎏ℌ½²"  # NFKC expands these into digits, eras and letters
    "０１２３４５６７８９－／．年月日"  # full-width digits and date punctuation
    "\U0001f600\U0001f469\u200d\U0001f469\u200d\U0001f467\U0001f1ef\U0001f1f5"  # emoji, ZWJ family, flag
    "\u05d0\u05d1\u0627\u0644"  # Hebrew, Arabic (RTL letters)
    "\ufffd\uffff\U0010ffff\ue000"  # replacement, noncharacters, private use
)

# The service's own words, so extraction and routing get real work.
VOCAB = (
    "次の請求日はいつですか", "解約したい", "自動更新", "ウイルスバスター", "クラウド", "モバイル",
    "トータルセキュリティ", "月額", "年額版", "有効期限", "2027年3月31日", "2027/2/30", "R9.13.1",
    "令和9年2月29日", "平成31年4月31日", "来年の3月", "12月31日", "0229", "1", "２", "③", "はい",
    "やめます", "もっと詳しく", "の場合は？", "4111 1111 1111 1111", "９９９９年１３月", "0年0月0日",
)

any_char = st.one_of(
    st.characters(codec=None, exclude_categories=()),  # every code point, surrogates included
    st.sampled_from(NASTY),
)

#: Any text, including lone surrogates; short enough for many examples per second.
hostile_text = st.one_of(
    st.text(any_char, max_size=80),
    st.lists(st.one_of(st.sampled_from(VOCAB), st.text(any_char, max_size=6)), max_size=8).map("".join),
)
