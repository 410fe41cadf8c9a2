"""T26: the README and docs/ make sense from the repository alone: every link points inside it, at a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
JOB_PAGES = ["receptionist.md", "consultant.md", "sales-manager.md", "customer-service.md", "control-room.md",
             "admin.md", "operator.md"]


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return LINK.findall(text)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_T26_every_link_stays_in_the_repository_and_exists(doc: Path):
    bad = []
    for target in _links(doc):
        if re.match(r"^[a-z]+://", target) or target.startswith("#") or target.startswith("mailto:"):
            continue
        local = (doc.parent / target.split("#", 1)[0]).resolve()
        if ROOT not in local.parents and local != ROOT:
            bad.append(f"{target} (outside the repository)")
        elif not local.exists():
            bad.append(f"{target} (missing)")
    assert not bad, f"{doc.name}: " + ", ".join(bad)


def test_T26_no_document_sends_readers_to_shared():
    offenders = [p.name for p in DOCS if "../shared" in p.read_text(encoding="utf-8")]
    assert not offenders


def test_T26_one_guide_page_per_job_linked_from_the_index():
    index = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    for page in JOB_PAGES:
        assert (ROOT / "docs" / page).exists(), page
        assert f"({page})" in index, page
    assert "(docs/README.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_T26_the_link_check_sees_a_broken_link(tmp_path):
    """The checker itself can fail: a link to a missing file and one to ../shared are both found."""
    page = tmp_path / "x.md"
    page.write_text("[a](missing.md) [b](../shared/SPEC.md) [c](https://example.org)", encoding="utf-8")
    assert _links(page) == ["missing.md", "../shared/SPEC.md", "https://example.org"]
