"""Which stored item each item of a re-imported document is: by id, by title in its category,
by a title unique in the track; and the preview's lists. Pure, no database."""

from __future__ import annotations

import uuid

from hypothesis import given
from hypothesis import strategies as st

from questpath.tracks.drafts import CategoryDraft, ItemDraft, Resource, TrackDraft
from questpath.tracks.markdown import parse_track
from questpath.tracks.markdown_export import render_track
from questpath.tracks.matching import StoredItem, match_items, placed_items, plan_reimport

IDS = [uuid.UUID(int=n) for n in range(1, 20)]


def track(*categories: tuple[str, list[ItemDraft]]) -> TrackDraft:
    return TrackDraft(
        CategoryDraft("T", children=tuple(CategoryDraft(t, items=tuple(i)) for t, i in categories))
    )


def stored(n: int, title: str, category: str, **fields: object) -> StoredItem:
    return StoredItem(IDS[n], title, (category,), **fields)  # type: ignore[arg-type]


def matched(known: list[StoredItem], draft: TrackDraft) -> list[uuid.UUID | None]:
    return list(plan_reimport(known, draft).matches)


def test_an_item_carrying_a_known_id_is_that_item_whatever_its_title_and_category() -> None:
    known = [stored(0, "Old", "A")]
    draft = track(("B", [ItemDraft("New", ref=str(IDS[0]))]))
    plan = plan_reimport(known, draft)
    assert plan.matches == (IDS[0],)
    assert [c.title for c in plan.moved] == ["New"]
    assert plan.moved[0].previous_title == "Old"
    assert plan.moved[0].previous_category == ("A",)
    assert plan.added == plan.removed == ()


def test_an_unknown_id_is_ignored_and_the_title_decides() -> None:
    known = [stored(0, "Same", "A")]
    draft = track(("A", [ItemDraft("Same", ref=str(uuid.uuid4())), ItemDraft("Other")]))
    assert matched(known, draft) == [IDS[0], None]


def test_an_id_two_items_carry_goes_to_the_first_the_second_is_new() -> None:
    known = [stored(0, "One", "A")]
    draft = track(("A", [ItemDraft("One", ref=str(IDS[0])), ItemDraft("Copy", ref=str(IDS[0]))]))
    assert matched(known, draft) == [IDS[0], None]


def test_without_ids_titles_match_within_the_category_in_any_case_in_document_order() -> None:
    known = [stored(0, "Read", "A"), stored(1, "Read", "A"), stored(2, "Read", "B")]
    draft = track(("B", [ItemDraft("read")]), ("A", [ItemDraft("READ"), ItemDraft("Read  ")]))
    assert matched(known, draft) == [IDS[2], IDS[0], IDS[1]]


def test_a_title_unique_in_the_track_follows_an_item_to_another_category() -> None:
    known = [stored(0, "Mover", "A"), stored(1, "Twin", "A"), stored(2, "Twin", "B")]
    draft = track(("C", [ItemDraft("Mover"), ItemDraft("Twin")]))
    plan = plan_reimport(known, draft)
    # "Twin" is held by two stored items: which one moved cannot be told, so it is new.
    assert plan.matches == (IDS[0], None)
    assert [c.id for c in plan.removed] == [IDS[1], IDS[2]]


def test_a_title_twice_in_the_document_does_not_move_the_one_stored_item() -> None:
    known = [stored(0, "Twin", "A")]
    draft = track(("B", [ItemDraft("Twin"), ItemDraft("Twin")]))
    assert matched(known, draft) == [None, None]


def test_an_archived_item_listed_again_is_restored_live_ones_are_taken_first() -> None:
    known = [stored(0, "Read", "A", archived=True), stored(1, "Read", "A")]
    draft = track(("A", [ItemDraft("Read"), ItemDraft("Read")]))
    plan = plan_reimport(known, draft)
    assert plan.matches == (IDS[1], IDS[0])
    assert [c.id for c in plan.restored] == [IDS[0]]
    assert plan.unchanged == 1


def test_an_archived_item_not_listed_is_not_removed_again() -> None:
    known = [stored(0, "Gone", "A", archived=True), stored(1, "Kept", "A")]
    plan = plan_reimport(known, track(("A", [ItemDraft("Kept")])))
    assert plan.removed == ()
    assert plan.unchanged == 1


def test_changed_lists_which_texts_of_a_kept_item_change() -> None:
    known = [
        stored(0, "Same", "A", description="d", notes="n", resources=(Resource("r", "u"),)),
        stored(1, "Child", "A", parent_id=IDS[0]),
    ]
    draft = track(
        (
            "A",
            [
                ItemDraft("Same", description="d2", notes="n", resources=()),
                ItemDraft("Child"),
            ],
        )
    )
    plan = plan_reimport(known, draft)
    assert [(c.title, c.fields) for c in plan.changed] == [
        ("Same", ("description", "resources")),
        ("Child", ("parent",)),
    ]


def test_sub_items_are_placed_under_their_parent_in_document_order() -> None:
    draft = track(("A", [ItemDraft("P", children=(ItemDraft("C1"), ItemDraft("C2")))]), ("B", []))
    placed = placed_items(draft)
    assert [(p.draft.title, p.category, p.parent) for p in placed] == [
        ("P", ("A",), None),
        ("C1", ("A",), 0),
        ("C2", ("A",), 0),
    ]


def test_ids_survive_export_and_import() -> None:
    draft = track(("A", [ItemDraft("**Bold**: text", ref=str(IDS[3]), description="more")]))
    parsed = parse_track(render_track(draft))
    assert parsed.root.children[0].items[0].ref == str(IDS[3])
    assert parsed == draft


def test_a_comment_that_is_not_an_id_stays_in_the_title() -> None:
    parsed = parse_track("- [ ] Learn <!-- qp:item nope -->\n")
    assert parsed.root.items[0].title == "Learn <!-- qp:item nope -->"
    assert parsed.root.items[0].ref is None


titles = st.sampled_from(["a", "b", "c", "A", "d"])
categories = st.sampled_from(["X", "Y", "Z"])


@given(
    known=st.lists(st.tuples(titles, categories, st.booleans()), max_size=8),
    document=st.lists(st.tuples(titles, categories, st.none() | st.integers(0, 9)), max_size=8),
)
def test_every_stored_item_is_taken_at_most_once_and_the_lists_account_for_everything(
    known: list[tuple[str, str, bool]], document: list[tuple[str, str, int | None]]
) -> None:
    items = [stored(n, t, c, archived=a) for n, (t, c, a) in enumerate(known)]
    by_category: dict[str, list[ItemDraft]] = {"X": [], "Y": [], "Z": []}
    for title, category, ref in document:
        by_category[category].append(
            ItemDraft(title, ref=str(IDS[ref]) if ref is not None else None)
        )
    draft = track(*by_category.items())
    plan = plan_reimport(items, draft)
    taken = [m for m in plan.matches if m is not None]
    assert len(taken) == len(set(taken))
    placed = placed_items(draft)
    assert len(plan.matches) == len(placed)
    assert match_items(items, placed) == [
        next(i for i, item in enumerate(items) if item.id == m) if m else None for m in plan.matches
    ]
    kept = len(plan.changed) + len(plan.moved) + len(plan.restored) + plan.unchanged
    assert kept + len(plan.added) == len(placed)
    live = [item.id for item in items if not item.archived]
    assert len(plan.removed) == len([i for i in live if i not in taken])
    for position, match in enumerate(plan.matches):
        ref = placed[position].draft.ref
        if ref is not None and uuid.UUID(ref) in {i.id for i in items}:
            owner = next(p for p in placed if p.draft.ref == ref)
            if owner is placed[position]:
                assert str(match) == ref
