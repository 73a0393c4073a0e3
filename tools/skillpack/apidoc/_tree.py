"""Walk markdown-it tokens once into a light tree of sections and blocks.

A section is a heading with everything up to the next heading of the same or a higher level.
Its blocks are paragraphs, list items, tables and code blocks, each with a 1-based line and the
inline text rebuilt from the syntax tree: emphasis markers dropped, code spans kept in
backticks (and also listed in ``codes``), so later steps read ``Primary key: `id` `` whatever
markup the author used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore, text_join
from markdown_it.rules_core import inline as inline_pass
from markdown_it.token import Token

_MD = MarkdownIt("commonmark").enable("table")
#: the same parser without its inline pass (see `read_tokens`)
_MD_BLOCKS = MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])
#: a character some inline rule acts on: a line break, an escape, a code span, emphasis, a
#: link or image, an autolink or HTML tag, an entity. Inline text holding none of them is
#: one plain run of text, whatever the rules.
_INLINE_MARK = re.compile(r"[\n\\`*_\[!<&]")
#: a code span that is a relative Markdown file name (`README.md`, `docs/tables.md`): prose
#: that names a file beside the doc points at it as a link would
_MARKDOWN_FILE = re.compile(r"[\w.-]+(?:/[\w.-]+)*\.md", re.IGNORECASE)
#: token types the tree is built from; every other type is skipped at once
_HANDLED = frozenset(
    [
        "inline",
        "heading_open",
        "heading_close",
        "bullet_list_open",
        "ordered_list_open",
        "bullet_list_close",
        "ordered_list_close",
        "list_item_open",
        "list_item_close",
        "table_open",
        "table_close",
        "thead_open",
        "thead_close",
        "tr_open",
        "tr_close",
        "fence",
        "code_block",
    ]
)


@dataclass(slots=True)
class Cell:
    text: str
    codes: list[str]


@dataclass(slots=True)
class Block:
    """A paragraph (``para``), list item (``item``), ``table`` or ``code`` block."""

    kind: str
    line: int
    text: str = ""
    codes: list[str] = field(default_factory=list)
    depth: int = 0
    header: list[Cell] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)
    row_lines: list[int] = field(default_factory=list)
    info: str = ""


@dataclass(slots=True, eq=False)
class Section:
    level: int
    title: str
    title_codes: list[str]
    line: int
    parent: Section | None = None
    blocks: list[Block] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)
    #: on the root only: every link target in the doc, and every code span that names a
    #: Markdown file ("documented in `README.md`"), with its line
    links: list[tuple[str, int]] = field(default_factory=list)

    def walk(self):
        """This section and every descendant, in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def all_blocks(self) -> list[Block]:
        """Blocks of this section and its descendants, in document order."""
        out = list(self.blocks)
        for child in self.children:
            out.extend(child.all_blocks())
        return out


def inline_text(tok: Token, links: list[str] | None = None) -> tuple[str, list[str]]:
    """Rebuild an inline token's text; code spans stay in backticks and are also returned;
    link targets are added to ``links`` when given."""
    children = tok.children
    if children is None:  # plain text the inline pass was spared (see `read_tokens`)
        return tok.content.strip(), []
    if len(children) == 1:  # the common table cell: one word or one code span
        only = children[0]
        if only.type == "text":
            return only.content.strip(), []
        if only.type == "code_inline":
            return f"`{only.content}`", [only.content]
    parts: list[str] = []
    codes: list[str] = []
    for child in children:
        t = child.type
        if t == "text" or t == "html_inline":
            parts.append(child.content)
        elif t == "code_inline":
            codes.append(child.content)
            parts.append(f"`{child.content}`")
        elif t == "softbreak" or t == "hardbreak":
            parts.append("\n")
        elif t == "link_open" and links is not None:
            links.append(str(child.attrs.get("href", "")))
    return "".join(parts).strip(), codes


def tokenize(text: str) -> list[Token]:
    """markdown-it's token stream for ``text`` (CommonMark plus tables)."""
    return _MD.parse(text)


def read_tokens(text: str) -> list[Token]:
    """The tokens :func:`build_tree` reads, as :func:`tokenize` gives them, but with the
    inline pass run only on inline text holding a character an inline rule acts on. Other
    inline tokens keep ``children`` unset: plain text, which the pass would only have
    copied into one text token. (Most table cells and many list items are plain, and the
    inline pass is some two fifths of tokenising.)"""
    env: dict = {}
    tokens = _MD_BLOCKS.parse(text, env)
    marked = []
    for t in tokens:
        if t.type == "inline":
            if _INLINE_MARK.search(t.content):
                marked.append(t)
            else:
                t.children = None  # (the block pass leaves an empty list)
    if marked:
        # the core rules `tokenize` runs after the block pass, on the marked tokens only;
        # ``env`` carries the link reference definitions the block pass collected
        state = StateCore("", _MD, env)
        state.tokens = marked
        inline_pass(state)
        text_join(state)
    return tokens


def build_tree(tokens: list[Token]) -> Section:
    """Sections and blocks of a token stream; the root (level 0) holds text before any heading."""
    root = Section(level=0, title="", title_codes=[], line=1)
    current = root
    list_depth = 0
    item_fresh: list[bool] = []  # per open list item: has its first paragraph been seen?
    table: Block | None = None
    row: list[Cell] | None = None
    in_head = False
    heading_level = 0
    for tok in tokens:
        t = tok.type
        if t not in _HANDLED:
            continue  # paragraph, cell and other wrappers: their inline token says it all
        if t == "inline":
            if heading_level:
                title, codes = inline_text(tok)
                line = tok.map[0] + 1 if tok.map else current.line
                parent = current
                while parent.level >= heading_level:
                    parent = parent.parent  # type: ignore[assignment]
                current = Section(heading_level, title, codes, line, parent=parent)
                parent.children.append(current)
            elif row is not None:
                text, codes = inline_text(tok)
                row.append(Cell(text, codes))
            else:
                hrefs: list[str] = []
                text, codes = inline_text(tok, hrefs)
                line = tok.map[0] + 1 if tok.map else current.line
                hrefs.extend(c for c in codes if _MARKDOWN_FILE.fullmatch(c))
                if hrefs:
                    root.links.extend((h, line) for h in hrefs)
                kind = "para"
                if item_fresh and item_fresh[-1]:
                    kind = "item"
                    item_fresh[-1] = False
                current.blocks.append(Block(kind, line, text, codes, depth=list_depth))
        elif t == "heading_open":
            heading_level = int(tok.tag[1])
        elif t == "heading_close":
            heading_level = 0
        elif t == "bullet_list_open" or t == "ordered_list_open":
            list_depth += 1
        elif t == "bullet_list_close" or t == "ordered_list_close":
            list_depth -= 1
        elif t == "list_item_open":
            item_fresh.append(True)
        elif t == "list_item_close":
            item_fresh.pop()
        elif t == "table_open":
            line = tok.map[0] + 1 if tok.map else current.line
            table = Block("table", line, depth=list_depth)
            current.blocks.append(table)
        elif t == "table_close":
            table = None
        elif t == "thead_open":
            in_head = True
        elif t == "thead_close":
            in_head = False
        elif t == "tr_open" and table is not None:
            row = []
            if not in_head:
                table.row_lines.append(tok.map[0] + 1 if tok.map else table.line)
        elif t == "tr_close" and table is not None and row is not None:
            if in_head:
                table.header = row
            else:
                table.rows.append(row)
            row = None
        elif t == "fence" or t == "code_block":
            line = tok.map[0] + 1 if tok.map else current.line
            current.blocks.append(
                Block("code", line, tok.content, depth=list_depth, info=tok.info.strip())
            )
    return root
