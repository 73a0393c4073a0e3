"""The parser runs markdown-it's inline pass only where an inline rule has something to
act on; the tree it reads is the one the full token stream gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skillpack.apidoc._tree import _MD, _MD_BLOCKS, build_tree, read_tokens, tokenize

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted(
    p
    for base in (ROOT / "tests" / "fixtures", ROOT / "tools" / "skillpack" / "examples")
    for p in base.rglob("*.md")
)

#: inline markup of every kind, and plain words around it
PIECES = st.sampled_from(
    [
        "plain", "words", "`code`", "``two `ticks` ``", "*em*", "_em_", "**strong**", "__x__",
        "[link](https://x.test/a_b)", "[ref][r]", "![img](i.png)", "<https://auto.test>",
        "<b>", "&amp;", "&copy;", "\\*", "\\_", "a_b_c", "snake_case", "2*3", "!", "[", "]",
        "<", "&", "|", "\u00e9", "  ", "\t", "\\",
    ]
)  # fmt: skip
LINE = st.builds(
    lambda start, sep, words: start + sep.join(words),
    st.sampled_from(["", "# ", "## ", "- ", "  - ", "1. ", "> ", "| ", "    ", "```", "[r]: /x "]),
    st.sampled_from([" ", "", "  \n"]),
    st.lists(PIECES | st.text(max_size=6), max_size=8),
)
DOC = st.lists(LINE, max_size=30).map("\n".join)


#: one case per character an inline rule acts on, each where it changes the text
MARKED = [
    "1\\. not a list, \\# no heading",  # an escape
    "a line  \nand a hard break, a line\nand a soft one",  # line breaks
    "a `code` span",
    "*em* and _em_",
    "see [the guide][r] and [a link](https://x.test/ab)\n\n[r]: https://x.test/guide",
    "an ![image](i.png)",
    "<https://auto.test> and <b>bold</b>",
    "&#35; and &amp; and &copy;",
]


def _shape(text: str, tokens) -> tuple:
    root = build_tree(tokens)
    sections = [(s.level, s.title, s.title_codes, s.line, s.blocks) for s in root.walk()]
    return sections, root.links


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_every_doc_here_reads_the_same_with_the_lighter_pass(path):
    text = path.read_text(encoding="utf-8", errors="replace")
    assert _shape(text, read_tokens(text)) == _shape(text, tokenize(text))


@pytest.mark.parametrize("text", MARKED)
def test_each_kind_of_inline_markup_reads_the_same_with_the_lighter_pass(text):
    for doc in (text, f"# {text}", f"- {text}", f"| a |\n|---|\n| {text} |"):
        assert _shape(doc, read_tokens(doc)) == _shape(doc, tokenize(doc)), doc


def test_the_lighter_pass_knows_every_rule_the_parser_runs():
    # `_INLINE_MARK` lists the characters these rules act on: a rule added to the parser
    # (linkify, strikethrough, typography) needs its characters there, and this test then
    assert _MD.core.ruler.get_active_rules() == ["normalize", "block", "inline", "text_join"]
    assert _MD.inline.ruler.get_active_rules() == [
        "text", "newline", "escape", "backticks", "emphasis", "link", "image", "autolink",
        "html_inline", "entity",
    ]  # fmt: skip
    assert _MD_BLOCKS.block.ruler.get_active_rules() == _MD.block.ruler.get_active_rules()
    assert _MD_BLOCKS.options == _MD.options


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(DOC)
def test_random_markdown_reads_the_same_with_the_lighter_pass(text):
    assert _shape(text, read_tokens(text)) == _shape(text, tokenize(text))


def test_plain_inline_text_is_spared_the_pass_and_marked_text_is_not():
    tokens = read_tokens("Plain words.\n\n- a `code` span\n\n| a | b |\n|---|---|\n| x | *y* |\n")
    inline = {t.content: t.children for t in tokens if t.type == "inline"}
    assert inline["Plain words."] is None
    assert inline["x"] is None
    assert [c.type for c in inline["a `code` span"]] == ["text", "code_inline", "text"]
    assert [c.type for c in inline["*y*"]] == ["em_open", "text", "em_close"]
