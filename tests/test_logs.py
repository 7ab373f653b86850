"""make logs leaves out every line that holds a secret of the stack (ops/logs.py)."""
from __future__ import annotations

from ops.logs import redacted


def test_a_line_holding_a_secret_is_left_out():
    assert redacted("token: SWMTKN-1-abcdefgh\nfine\n", {"SWMTKN-1-abcdefgh"}) == \
        "[a line holding a secret, left out]\nfine\n"


def test_a_private_key_block_line_is_left_out_even_when_not_a_known_secret():
    assert "BEGIN" not in redacted("-----BEGIN PRIVATE KEY-----\n", set())


def test_lines_without_secrets_stay_as_they_are():
    assert redacted("level=info msg=\"Starting up\"\n", {"SWMTKN-1-abcdefgh"}) == "level=info msg=\"Starting up\"\n"
