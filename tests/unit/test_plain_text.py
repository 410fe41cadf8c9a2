"""T19: ``lib.ui.plain`` keeps user text literal in every Markdown element."""

import re

import pytest

from lib.ui import plain

UNESCAPED_MARKUP = re.compile(r"(?<!\\)[*_`\[\]<>#|~$]|(?<!\\)\.(?=\s|$)|(?<!\\):")


@pytest.mark.parametrize("text", ["http://x", "https://evil.example/a?b=1", "www.example.com", "1. 张三",
                                  "2) 李四", "- item", "# 标题", "<b>粗</b>", "**粗** _斜_", "[点我](http://x)",
                                  "a | b", "~~删~~", "$x$", ":material/home:", "a@b.com", "`code`", "> 引用"])
def test_T19_plain_escapes_every_markdown_and_html_character(text):
    escaped = plain(text)
    assert not UNESCAPED_MARKUP.search(escaped), escaped
    assert re.sub(r"\\(.)", r"\1", escaped) == text, "unescaping gives the typed text back"


def test_T19_plain_keeps_chinese_and_line_breaks_and_empties():
    assert plain("王小明") == "王小明"
    assert plain(None) == ""
    assert plain("一\n二") == "一  \n二"
    assert plain(3) == "3"
