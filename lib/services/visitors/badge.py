"""A printable visitor badge as PDF: name, host, time in and a QR code of the visit number (T21c).

Chinese text needs a CJK font inside the PDF. None is shipped with the app: the badge uses the
first one found on the machine (``DUTYDESK_CJK_FONT``, then Debian's ``fonts-noto-cjk``,
``fonts-wqy-microhei`` / ``fonts-wqy-zenhei``, then whatever fontconfig offers for Chinese); with
none installed the desk is told which package to install instead of getting a broken badge.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

import segno
from fpdf import FPDF
from sqlalchemy.engine import Engine

from db.engine import session_scope
from db.models import User, VisitorEntry
from lib.domain.errors import DomainError
from lib.services import settings
from lib.services.base import WRITERS, Actor, require

FONT_ENV = "DUTYDESK_CJK_FONT"
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
BADGE_MM = (90.0, 55.0)  # a standard name-badge insert


def visit_number(visitor_id: int) -> str:
    """What the badge's QR code carries: the visit's number, readable by any scanner."""
    return f"VISIT-{visitor_id:06d}"


def _fc_match() -> str | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                             timeout=5, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return out if out.lower().endswith((".ttf", ".otf", ".ttc", ".otc")) else None


@lru_cache(maxsize=1)
def cjk_font() -> tuple[str, int] | None:
    """The CJK font file and its face number (Simplified Chinese face of a collection), or None."""
    candidates = [os.environ.get(FONT_ENV, ""), *KNOWN_FONTS]
    path = next((p for p in candidates if p and Path(p).is_file()), None) or _fc_match()
    if path is None:
        return None
    return path, _chinese_face(path)


def _chinese_face(path: str) -> int:
    if not path.lower().endswith((".ttc", ".otc")):
        return 0
    from fontTools.ttLib import TTCollection

    with TTCollection(path, lazy=True) as collection:
        names = [str(font["name"].getDebugName(1) or "") for font in collection.fonts]
    for marker in (" SC", "GB", " CN", "Hei", "Micro"):
        for index, name in enumerate(names):
            if marker in name and "Mono" not in name:
                return index
    return 0


def badge_pdf(engine: Engine, *, actor: Actor, visitor_id: int) -> bytes:
    """The badge of one visit as PDF bytes (T21). Refused with a clear message when no CJK font is installed."""
    require(actor, WRITERS)
    with session_scope(engine, write=False) as session:
        entry = session.get(VisitorEntry, visitor_id)
        if entry is None:
            raise DomainError("visitor.not_found")
        host = session.get(User, entry.host_id) if entry.host_id else None
        zone = settings.office_zone(session)
        name, company, host_name, time_in = entry.name, entry.company, host.name if host else "", entry.time_in
    font = cjk_font()
    if font is None:
        raise DomainError("badge.no_font")
    return render_badge(font=font, number=visit_number(visitor_id), name=name, company=company, host=host_name,
                        time_in=time_in.astimezone(zone), labels=_labels(actor.lang))


def _labels(lang: str) -> dict[str, str]:
    from lib.i18n import translate

    return {k: translate(f"badge.{k}", lang) for k in ("title", "host", "time_in")}


def render_badge(*, font: tuple[str, int], number: str, name: str, company: str, host: str,
                 time_in: dt.datetime, labels: dict[str, str]) -> bytes:
    """Lay the badge out on one card-sized page; text is drawn as typed, never interpreted."""
    path, face = font
    width, height = BADGE_MM
    pdf = FPDF(unit="mm", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margins(5, 5, 5)
    pdf.add_page()
    pdf.add_font("cjk", fname=path, collection_font_number=face)
    pdf.set_title(f"{labels['title']} {number}")
    text_w = width - 10 - 28
    pdf.set_font("cjk", size=9)
    pdf.set_xy(5, 5)
    pdf.cell(text_w, 5, labels["title"])
    _fit(pdf, name, text_w * 2, 18)
    pdf.set_xy(5, 11)
    pdf.multi_cell(text_w, pdf.font_size * 1.15, name)
    if company:
        _fit(pdf, company, text_w * 2, 9)
        pdf.set_x(5)
        pdf.multi_cell(text_w, pdf.font_size * 1.2, company)
    pdf.set_font("cjk", size=9)
    pdf.set_xy(5, height - 16)
    pdf.cell(text_w, 5, f"{labels['host']}：{host or '—'}")
    pdf.set_xy(5, height - 10)
    pdf.cell(text_w, 5, f"{labels['time_in']}：{time_in.strftime('%Y-%m-%d %H:%M')}")
    qr = io.BytesIO()
    segno.make(number, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.image(qr, x=width - 5 - 26, y=height / 2 - 13, w=26, h=26)
    pdf.set_font("cjk", size=7)
    pdf.set_xy(width - 5 - 26, height / 2 + 13)
    pdf.cell(26, 4, number, align="C")
    return bytes(pdf.output())


def _fit(pdf: FPDF, text: str, room_mm: float, size: float) -> None:
    """The largest font size (down to 7 pt) at which ``text`` fits in about two lines of the name area."""
    pdf.set_font("cjk", size=size)
    while size > 7 and pdf.get_string_width(text) > room_mm * 0.9:
        size -= 1
        pdf.set_font("cjk", size=size)
