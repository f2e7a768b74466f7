"""Re-showing a form's errors: each beside the field it concerns, or above the form."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from questpath.web.forms import placed

NAMES = st.sampled_from(["title", "topic", "target", "target.count", "other", "form"])


def test_errors_go_beside_their_field_renamed_or_above_the_form() -> None:
    errors = [
        ("title", "is too long"),
        ("target.count", "must be at least 1"),
        ("user_id", "is not yours"),
        ("title", "a second problem with the title"),
    ]
    shown = placed(errors, ("title", "topic"), {"target.count": "count"})
    assert shown == {"title": "is too long", "count": "must be at least 1", "form": "is not yours"}


@given(st.lists(st.tuples(NAMES, st.text(min_size=1, max_size=5)), max_size=12))
def test_every_error_lands_on_a_shown_field_and_the_first_message_wins(
    errors: list[tuple[str, str]],
) -> None:
    fields, renamed = ("title", "topic"), {"target": "type", "target.count": "count"}
    shown = placed(errors, fields, renamed)
    assert set(shown) <= {*fields, *renamed.values(), "form"}
    for field, message in shown.items():
        first = next(m for n, m in errors if renamed.get(n, n if n in fields else "form") == field)
        assert message == first
    assert bool(shown) == bool(errors)
