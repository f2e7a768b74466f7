"""local_path: whatever arrives as `next`, the browser goes somewhere on this site."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.web.redirects import local_path


def _is_safe(path: str) -> bool:
    stripped = path.replace("\t", "").replace("\n", "").replace("\r", "")
    return (
        path.startswith("/")
        and not stripped.startswith("//")
        and "\\" not in path
        and path.isascii()
        and all(char.isprintable() and not char.isspace() for char in path)
    )


@given(st.text())
def test_any_text_becomes_a_safe_local_path(target: str) -> None:
    assert _is_safe(local_path(target))


@given(st.text(alphabet=string.printable + "/\\\t\n\u3002\u200b\u202e", max_size=30))
def test_any_slashy_text_becomes_a_safe_local_path(target: str) -> None:
    assert _is_safe(local_path("/" + target))


@pytest.mark.parametrize(
    "target", ["/", "/statistics?period=weekly", "/tracks/t%C3%A9/x#top", "/a/./b"]
)
def test_a_plain_local_path_is_kept(target: str) -> None:
    assert local_path(target) == target


@pytest.mark.parametrize("target", [None, "", "x", "/\t/evil.example", "/\\evil", "/é", "/ a"])
def test_anything_else_goes_home(target: str | None) -> None:
    assert local_path(target) == "/"
