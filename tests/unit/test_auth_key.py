"""The cookie signing key: from the environment, else generated once into secrets.toml (mode 600)."""

import stat

import pytest

from lib.auth import cookie_key


def test_key_is_generated_once_with_private_permissions(tmp_path, monkeypatch):
    monkeypatch.delenv("DUTYDESK_COOKIE_KEY", raising=False)
    path = tmp_path / ".streamlit" / "secrets.toml"
    first = cookie_key(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert cookie_key(path) == first


def test_environment_key_wins_and_weak_keys_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("DUTYDESK_COOKIE_KEY", "k" * 40)
    assert cookie_key(tmp_path / "secrets.toml") == "k" * 40
    assert not (tmp_path / "secrets.toml").exists()
    for weak in ("some_key", "short"):
        monkeypatch.setenv("DUTYDESK_COOKIE_KEY", weak)
        with pytest.raises(RuntimeError):
            cookie_key(tmp_path / "secrets.toml")
