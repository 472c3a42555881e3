"""Tests of faqbot.kb.yamlsource: YAML that remembers the line of every key and item."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from faqbot.errors import KnowledgeBaseError
from faqbot.kb.yamlsource import YamlList, YamlMap, line_of, load_yaml

DOC = """\
# comment on line 1
service:
  name: あんしん自動更新
  company: トレンドマイクロ
entries:
  - id: first
    alternates:
      - one
      - two
  - id: second
"""


@pytest.fixture()
def doc(tmp_path: Path) -> YamlMap:
    path = tmp_path / "doc.yaml"
    path.write_text(DOC, encoding="utf-8")
    return load_yaml(path)


def test_mappings_and_lists_carry_their_lines(doc: YamlMap) -> None:
    assert isinstance(doc, YamlMap)
    assert doc == {
        "service": {"name": "あんしん自動更新", "company": "トレンドマイクロ"},
        "entries": [{"id": "first", "alternates": ["one", "two"]}, {"id": "second"}],
    }
    assert doc.line_of("service") == 2
    assert doc.line_of("entries") == 5
    assert doc["service"].line_of("company") == 4
    entries = doc["entries"]
    assert isinstance(entries, YamlList)
    assert [entries.line_of(0), entries.line_of(1)] == [6, 10]
    assert entries[0].line_of("alternates") == 7
    assert entries[0]["alternates"].item_lines == [8, 9]


def test_unknown_key_and_index_fall_back_to_the_container_line(doc: YamlMap) -> None:
    assert doc["service"].line_of("missing") == 3  # the mapping starts at its first key
    assert doc["entries"].line_of(99) == 6


@pytest.mark.parametrize(("container", "key", "expected"), [({"a": 1}, "a", 0), (None, "a", 0), ([1], 0, 0)])
def test_line_of_plain_values_is_zero(container: object, key: object, expected: int) -> None:
    assert line_of(container, key) == expected


def test_line_of_yaml_values(doc: YamlMap) -> None:
    assert line_of(doc, "entries") == 5
    assert line_of(doc["entries"], 1) == 10


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("a: 1\nb: c: d\n", 2, "invalid YAML"),
        ("a:\n  - x\n\t- y\n", 3, "(column 1: '\\t')"),  # the tab is named: it is the usual mistake
        ("a: [1, 2\nb: 3\n", 2, "invalid YAML"),
        ("a: 1\nb: 2\na: 3\n", 3, "duplicate key 'a' (first at line 1)"),
    ],
)
def test_bad_yaml_is_reported_with_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_yaml(path, display="faq/bad.yaml")
    (problem,) = info.value.problems
    assert (problem.path, problem.line) == ("faq/bad.yaml", line)
    assert words in problem.message
    assert str(problem).startswith(f"faq/bad.yaml:{line}: ")


def test_missing_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError) as info:
        load_yaml(tmp_path / "nope.yaml", display="nope.yaml")
    assert [str(p) for p in info.value.problems] == ["nope.yaml: file not found"]


# (encoding, the line of its first byte that is not UTF-8, that byte): the file is written here, not committed.
NOT_UTF8 = [("shift_jis", 3, 0x89), ("cp932", 3, 0x89), ("euc_jp", 3, 0xb2)]


@pytest.mark.parametrize(("encoding", "line", "byte"), NOT_UTF8, ids=[c[0] for c in NOT_UTF8])
def test_a_file_not_in_utf8_is_named_with_its_line_and_the_fix(tmp_path: Path, encoding: str, line: int, byte: int) -> None:
    path = tmp_path / "basic.yaml"
    path.write_bytes("category: basic\nentries:\n  - question: 解約したい\n".encode(encoding))
    with pytest.raises(KnowledgeBaseError) as info:
        load_yaml(path, display="faq/basic.yaml")
    assert [str(p) for p in info.value.problems] == [
        f"faq/basic.yaml:{line}: the file is not saved as UTF-8 (byte 0x{byte:02x} on this line is not UTF-8; "
        "Excel often saves Shift_JIS); save it as UTF-8 and run `faqbot check` again"
    ]


def test_yaml_tags_that_run_code_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("a: !!python/object/apply:os.system ['true']\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_yaml(path, display="evil.yaml")
    assert info.value.problems[0].line == 1


def test_texts_numbers_aliases_and_merges_load_as_pyyaml_loads_them(tmp_path: Path) -> None:
    text = """\
base: &base {name: 名前, count: 3}
copy:
  <<: *base
  extra: [a, !!str 12, 12, "12", null, true, *base]
quoted: !!int "5"
"""
    path = tmp_path / "doc.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = load_yaml(path)
    assert loaded == yaml.safe_load(text)
    assert loaded["copy"].key_lines == {"name": 1, "count": 1, "extra": 4}
