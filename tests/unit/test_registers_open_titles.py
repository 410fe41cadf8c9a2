"""The engine's closed registers (RegisterDef.open_titles, issue 16 涉密): only the named titles and admins open
one; anyone else reads an entry only while a step of its chain is theirs."""

from __future__ import annotations

from lib.domain.registers import life as L
from lib.domain.registers.model import Access, ChainStep, FieldDef, RegisterDef, may_create, may_open

CLOSED = RegisterDef("closed_example", "example", "test", fields=(FieldDef("name", "text"),),
                     open_titles=("保密员",), read_scope="all")
OPEN = RegisterDef("open_example", "example", "test", fields=(FieldDef("name", "text"),))


def who(role: str = "staff", *titles: str, user_id: int = 9) -> Access:
    return Access(user_id=user_id, role=role, titles=titles, department_id=1)


def test_a_register_naming_open_titles_is_opened_only_by_them_and_admins():
    assert may_open(CLOSED, who("staff", "保密员")) and may_open(CLOSED, who("admin"))
    assert not may_open(CLOSED, who("supervisor", "部门主管"))
    assert may_open(OPEN, who("staff"))  # no open titles: the engine as before


def test_nobody_else_creates_or_reads_even_their_own_or_an_all_scope_entry():
    assert not may_create(CLOSED, who("supervisor", "部门主管")) and may_create(CLOSED, who("staff", "保密员"))
    own = L.Life(state="recorded", created_by_id=9, department_id=1)
    assert not L.may_read(CLOSED, who("staff", user_id=9), own)
    assert L.may_read(OPEN, who("staff", user_id=9), own)


def test_a_chain_title_reads_the_entry_it_signs():
    life = L.Life(state="pending", created_by_id=1, department_id=1, chain=(ChainStep("行政主管"),), step_no=0)
    assert L.may_read(CLOSED, who("supervisor", "行政主管"), life)
    assert not L.may_read(CLOSED, who("supervisor", "部门主管"), life)
