"""Hypothesis strategies shared by every form family of the hostile-input layer (R15).

What a browser, a pasted document or a hostile colleague can send: Markdown, HTML and
LaTeX, NUL and control characters, bidi marks, emoji and CJK, whitespace only, text up
to a few thousand characters, numbers at and beyond every limit, dates far in the past
or future, naive datetimes, and None.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from hypothesis import strategies as st

MARKUP = ["**粗体**", "[链接](http://evil.example/x)", "![x](http://evil.example/p.png)", "<script>alert(1)</script>",
          "<img src=x onerror=alert(1)>", "$\\frac{1}{0}$", "$$x^2$$", "`code`", "# 标题", "> 引用", "- [ ] 待办",
          "=HYPERLINK(\"http://evil.example\")", "'; DROP TABLE app_user; --", "{name}", "{0}", "%s", "\\u0000",
          "&lt;b&gt;", ":red[红]", "---", "|a|b|\n|-|-|"]
CONTROL = [chr(c) for c in (*range(0, 32), 0x7F, 0x85, 0xA0, 0x200B, 0x200E, 0x202E, 0x2028, 0x2066, 0xFEFF, 0x3000)]
EMOJI_CJK = "张王李赵刘陈杨黄周吴徐孙马胡朱郭何罗高林郑梁谢唐许冯宋韩邓彭曹曾田萧潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏傅方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪辛柯庄" \
            "😀👍🏻👨‍👩‍👧🇨🇳𠀀𪚥㐀々〇ｱ"
WHITESPACE = [" ", "\t", "\n", "\r\n", "\u3000", "\u00a0", "\u2003", "  \n\t "]

_control_or_markup = st.lists(st.sampled_from(CONTROL + MARKUP + WHITESPACE), min_size=1, max_size=8).map("".join)


def text(max_size: int = 3000) -> st.SearchStrategy[str | None]:
    """Any text a form field might receive, None included."""
    mixed = st.lists(st.one_of(st.text(max_size=20), st.sampled_from(MARKUP + CONTROL + WHITESPACE),
                               st.text(alphabet=EMOJI_CJK, max_size=20)), max_size=12).map("".join)
    return st.one_of(
        st.none(),
        st.text(max_size=60),
        st.text(alphabet=EMOJI_CJK, min_size=1, max_size=60),
        mixed,
        _control_or_markup,
        st.lists(st.sampled_from(WHITESPACE), min_size=1, max_size=5).map("".join),
        st.integers(min_value=0, max_value=max_size).flatmap(
            lambda n: st.sampled_from(["字", "a", "😀", " ", "\x00", "*"]).map(lambda c: c * n)),
        st.text(min_size=1, max_size=max_size),
    )


def phone() -> st.SearchStrategy[str | None]:
    """Phone-like input: plausible mobiles and landlines, near misses and the generic hostile text."""
    plausible = st.one_of(
        st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
        st.from_regex(r"\+86 ?1[3-9][0-9]{9}", fullmatch=True),
        st.from_regex(r"0[0-9]{2,3}-?[0-9]{7,8}", fullmatch=True),
        st.from_regex(r"[ \t]*1[3-9][0-9]{2}[ -][0-9]{4}[ -][0-9]{4}[ \t]*", fullmatch=True),
    )
    return st.one_of(plausible, st.from_regex(r"[0-9+\- ()]{0,25}", fullmatch=True), text(60))


def integer(low: int = 0, high: int = 100) -> st.SearchStrategy[object]:
    """Numbers at and beyond the limits, as ints, as typed text, as floats (NaN, inf) and None."""
    edges = [low - 1, low, low + 1, high - 1, high, high + 1, 0, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, -(2**63) - 1,
             10**30]
    as_int = st.one_of(st.sampled_from(edges), st.integers(min_value=low, max_value=high), st.integers())
    return st.one_of(as_int, as_int.map(str), st.none(), st.floats(allow_nan=True, allow_infinity=True),
                     st.sampled_from(["", " ", "1e3", "0x10", "١٢", "５", "1_000", "NaN", "-0", "3.5", "二"]))


def dates() -> st.SearchStrategy[dt.date | None]:
    """Dates near today and far in the past or future, and None."""
    today = dt.date.today()
    near = st.integers(min_value=-400, max_value=400).map(lambda d: today + dt.timedelta(days=d))
    return st.one_of(st.none(), near, st.dates(), st.sampled_from([dt.date.min, dt.date.max, dt.date(1900, 1, 1)]))


def datetimes() -> st.SearchStrategy[dt.datetime | None]:
    """Aware datetimes near now and far away, naive ones (a programming error the service must refuse) and None."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    near = st.integers(min_value=-3 * 86400 * 30, max_value=3 * 86400 * 30).map(lambda s: now + dt.timedelta(seconds=s))
    far = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30),
                       timezones=st.just(dt.timezone.utc))
    naive = st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30))
    return st.one_of(st.none(), near, far, naive)


def choice(valid: list[str]) -> st.SearchStrategy[object]:
    """One of the valid choices most of the time, else anything."""
    return st.one_of(st.sampled_from(valid), st.sampled_from(valid), text(40))


# ---- the normalisation the domain applies on purpose, written out for the expectation -----------------

def typed(value: object) -> str:
    """What a stored text field must equal (lib.domain.text, issue 12 R4): NFC, line breaks as ``\\n``, trimmed.

    Nothing else may change: control characters are refused, never dropped, and nothing is cut.
    """
    if value is None:
        return ""
    return unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n").strip()


# ---- whole forms: mostly plausible, a few fields hostile -------------------------------------------

NAMES = st.text(alphabet=EMOJI_CJK + "abcxyz ·-'", min_size=1, max_size=12).filter(lambda s: s.strip())
SHORT = st.one_of(NAMES, st.sampled_from([m for m in MARKUP if "\n" not in m]),
                  st.text(st.characters(categories=["L", "N", "P", "S", "Zs"]), min_size=1, max_size=30).filter(
                      lambda s: typed(s)))


def form(fields: dict[str, tuple[st.SearchStrategy, st.SearchStrategy]]) -> st.SearchStrategy[dict]:
    """A form's values: each field is drawn from its plausible strategy, except a few drawn from its hostile one
    (none, one, several or all), so refusals and stores both happen and every field gets its share of attacks."""
    names = sorted(fields)

    @st.composite
    def build(draw):
        few = st.sets(st.sampled_from(names), min_size=1, max_size=2)
        hostile = draw(st.one_of(st.just(set()), st.just(set()), few,
                                 st.sets(st.sampled_from(names)), st.just(set(names))))
        return {n: draw(fields[n][1] if n in hostile else fields[n][0]) for n in names}

    return build()


def plausible_phone() -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
                     st.from_regex(r"0[0-9]{2,3}-[0-9]{7,8}", fullmatch=True))


def plausible_int(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(min_value=low, max_value=high)


def recent_datetime() -> st.SearchStrategy[dt.datetime | None]:
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    earlier = st.integers(min_value=60, max_value=86400 * 3).map(lambda s: now - dt.timedelta(seconds=s))
    return st.one_of(st.none(), earlier)
