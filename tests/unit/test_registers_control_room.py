"""The control room's registers as hooks without a database (seed 004 D2, D9, D12, D16, D20; REGISTERS.md §1.5;
SPEC 5.5): S60 and C1–C…, one rule each; and the engine's per-field numbering stream."""

from __future__ import annotations

import pytest

from lib.domain.registers.model import FieldDef, RegisterDef
from lib.services.registers import store


def test_engine_stream_field_names_the_numbering_stream_and_must_be_a_field():
    """A register numbered per post takes its stream from the field; others keep the one stream ""."""
    per_post = RegisterDef("t_log", "t", "test", fields=(FieldDef("post", "text"),), stream_field="post")
    plain = RegisterDef("t_plain", "t", "test", fields=(FieldDef("post", "text"),))
    assert store.stream_of(per_post, {"post": "中控室"}) == "中控室"
    assert store.stream_of(per_post, {"post": "x" * 50}) == "x" * 40
    assert store.stream_of(per_post, {}) == ""
    assert store.stream_of(plain, {"post": "中控室"}) == ""
    with pytest.raises(ValueError, match="unknown field"):
        RegisterDef("t_bad", "t", "test", fields=(FieldDef("post", "text"),), stream_field="desk")
