"""Tracks: import and export, working the items, sharing, and what to study next."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from http import HTTPStatus

from sqlalchemy.ext.asyncio import AsyncSession

from questpath.auth import repository as users
from questpath.auth.credentials import hash_secret, new_share_token
from questpath.auth.principal import UserLike
from questpath.problems import Invalid, NotFound, Problem
from questpath.ruleset import Ruleset
from questpath.tracks import markdown, markdown_export, tree
from questpath.tracks import repository as repo
from questpath.tracks.drafts import CategoryDraft, ItemDraft, TrackDraft
from questpath.tracks.models import Track, TrackCategory, TrackItem, TrackShare
from questpath.tracks.rules import (
    Completion,
    completion_of,
    completion_of_counts,
)
from questpath.tracks.schemas import (
    ArchivedItemRead,
    CategoryRead,
    CompletionRead,
    ItemRead,
    ItemResourceRead,
    SharedTrackRead,
    ShareRead,
    TemplateRead,
    TrackExportRead,
    TrackList,
    TrackRead,
    TrackSummary,
    TrackUpdate,
)
from questpath.tracks.templates import templates

MAX_DOCUMENT_BYTES = 1024 * 1024
EXPORT_MEDIA_TYPES = {"markdown": "text/markdown; charset=utf-8", "json": "application/json"}
SHARED_PATH = "/api/shared/"


class DocumentTooLarge(Problem):
    status = HTTPStatus.REQUEST_ENTITY_TOO_LARGE


# Reading --------------------------------------------------------------------------------------


def completion_read(completion: Completion) -> CompletionRead:
    return CompletionRead(
        total=completion.total,
        done=completion.done,
        skipped=completion.skipped,
        in_progress=completion.in_progress,
        percent=completion.percent,
        finished=completion.finished,
    )


def item_read(node: tree.ItemNode, *, with_notes: bool = True) -> ItemRead:
    row = node.row
    return ItemRead(
        id=row.id,
        title=row.title,
        description=row.description,
        resources=[ItemResourceRead(**resource) for resource in row.resources],
        notes=row.notes if with_notes else "",
        state=row.state,
        priority=row.priority,
        horizon=row.horizon,
        due_date=row.due_date,
        topic=row.topic,
        effective_topic=node.topic,
        path_position=row.path_position,
        path_section_id=row.path_category_id,
        section=node.section,
        completed_at=row.completed_at,
        children=[item_read(child, with_notes=with_notes) for child in node.children],
    )


def _category_read(node: tree.CategoryNode, *, with_notes: bool = True) -> CategoryRead:
    assert node.id is not None
    return CategoryRead(
        id=node.id,
        title=node.title,
        notes=node.notes if with_notes else "",  # a shared track shows no notes at all
        progress=completion_read(node.completion),
        items=[item_read(i, with_notes=with_notes) for i in node.items],
        categories=[_category_read(c, with_notes=with_notes) for c in node.categories],
    )


def _share_read(share: TrackShare, new_token: str | None = None) -> ShareRead:
    """The link; its address only with `new_token`, the token made just now."""
    url = SHARED_PATH + new_token if new_token else None
    return ShareRead(token=new_token, url=url, created_at=share.created_at)


def summary(track: Track, completion: Completion) -> TrackSummary:
    return TrackSummary(
        id=track.id,
        title=track.title,
        description=track.description,
        template_id=track.template_id,
        progress=completion_read(completion),
        created_at=track.created_at,
        updated_at=track.updated_at,
    )


async def own_track(session: AsyncSession, user: UserLike, track_id: uuid.UUID) -> Track:
    """The caller's track; 404 alike for another learner's and for none at all."""
    track = await repo.track(session, user.id, track_id)
    if track is None:
        raise NotFound(f"no track with the id {track_id}")
    return track


async def load_tree(session: AsyncSession, track: Track) -> tree.CategoryNode:
    return tree.build(
        track,
        await repo.categories(session, track.user_id, track.id),
        await repo.items(session, track.user_id, track.id),
    )


async def all_trees(session: AsyncSession, user: UserLike) -> list[tuple[Track, tree.CategoryNode]]:
    """Every track of the learner with its tree, in two queries."""
    categories: defaultdict[uuid.UUID, list[TrackCategory]] = defaultdict(list)
    items: defaultdict[uuid.UUID, list[TrackItem]] = defaultdict(list)
    for category in await repo.all_categories(session, user.id):
        categories[category.track_id].append(category)
    for item in await repo.all_items(session, user.id):
        items[item.track_id].append(item)
    return [
        (track, tree.build(track, categories[track.id], items[track.id]))
        for track in await repo.tracks(session, user.id)
    ]


async def list_tracks(session: AsyncSession, user: UserLike) -> TrackList:
    counts = await repo.state_counts(session, user.id)
    return TrackList(
        items=[
            summary(track, completion_of_counts(counts.get(track.id, {})))
            for track in await repo.tracks(session, user.id)
        ]
    )


def _track_read(
    track: Track, root: tree.CategoryNode, share: TrackShare | None, *, with_notes: bool = True
) -> TrackRead:
    return TrackRead(
        **summary(track, root.completion).model_dump(),
        share=_share_read(share) if share else None,
        items=[item_read(i, with_notes=with_notes) for i in root.items],
        categories=[_category_read(c, with_notes=with_notes) for c in root.categories],
    )


async def read_track(session: AsyncSession, user: UserLike, track_id: uuid.UUID) -> TrackRead:
    track = await own_track(session, user, track_id)
    root = await load_tree(session, track)
    return _track_read(track, root, await repo.share_of(session, user.id, track.id))


async def read_track_for_mentor(
    session: AsyncSession, mentee: UserLike, track_id: uuid.UUID, *, with_notes: bool
) -> TrackRead:
    """The mentee's track as their mentor sees it: no share link, notes only if allowed."""
    track = await own_track(session, mentee, track_id)
    return _track_read(track, await load_tree(session, track), None, with_notes=with_notes)


async def export_tracks(session: AsyncSession, user: UserLike) -> list[TrackExportRead]:
    """Every track of the learner as `read_track` gives it, newest first, with its archived
    items: for the account export. A handful of queries however many tracks there are."""
    shares = await repo.all_shares(session, user.id)
    archived: defaultdict[uuid.UUID, list[TrackItem]] = defaultdict(list)
    for row in await repo.all_archived_items(session, user.id):
        archived[row.track_id].append(row)
    return [
        TrackExportRead(
            **_track_read(track, root, shares.get(track.id)).model_dump(),
            archived_items=_archived_reads(root, archived[track.id]),
        )
        for track, root in await all_trees(session, user)
    ]


def _archived_reads(root: tree.CategoryNode, rows: list[TrackItem]) -> list[ArchivedItemRead]:
    """Archived items, flat: each takes its topic and section from the category it was in."""
    categories = {node.id: node for node in root.walk_categories()}
    reads = []
    for row in rows:
        place = categories.get(row.category_id, root)
        node = tree.ItemNode(row, row.topic or place.topic, place.section)
        reads.append(
            ArchivedItemRead(
                **item_read(node).model_dump(),
                category_id=row.category_id,
                parent_id=row.parent_id,
                archived_at=row.archived_at,
            )
        )
    return reads


# Import and export ----------------------------------------------------------------------------


def decode_document(data: bytes) -> str:
    """The text of an uploaded Markdown document, or a 413/422 saying what was expected."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentTooLarge(
            f"the document is {len(data)} bytes; a track may be at most {MAX_DOCUMENT_BYTES} bytes"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid.field(
            "document",
            f"is not UTF-8 text (byte {exc.start} cannot be decoded); expected a Markdown file",
        ) from exc
    if "\x00" in text:
        raise Invalid.field(
            "document", "contains NUL bytes; expected a Markdown text file, not a binary one"
        )
    return text


async def import_markdown(
    session: AsyncSession, user: UserLike, data: bytes, title: str | None, now: datetime
) -> TrackSummary:
    text = decode_document(data)
    try:
        draft = markdown.parse_track(text, title)
    except markdown.MarkdownProblem as problem:
        raise Invalid.field("document", problem.message) from problem
    return await create_track(session, user, draft, now)


async def create_track(
    session: AsyncSession,
    user: UserLike,
    draft: TrackDraft,
    now: datetime,
    template_id: str | None = None,
) -> TrackSummary:
    """Store a track from its draft. Items that arrive done are history, not activity: they
    record no events and earn no XP until they are reopened and done again."""
    track = Track(
        user_id=user.id,
        id=uuid.uuid4(),
        title=draft.title,
        description=draft.description,
        template_id=template_id,
        created_at=now,
        updated_at=now,
    )
    categories: list[dict[str, object]] = []
    items: list[dict[str, object]] = []
    # Categories in document order, the track itself first: what a path place's section counts.
    category_ids: list[uuid.UUID | None] = [None, *(uuid.uuid4() for _ in draft.root.walk()[1:])]
    next_category_id = iter(category_ids[1:])

    def add_items(
        drafts: tuple[ItemDraft, ...], category_id: uuid.UUID | None, parent_id: uuid.UUID | None
    ) -> None:
        for position, item in enumerate(drafts):
            item_id = uuid.uuid4()
            row = item_row(user.id, track.id, item_id, category_id, parent_id, position, item, now)
            if item.path is not None:
                row["path_category_id"] = category_ids[item.path.section]
            items.append(row)
            add_items(item.children, category_id, item_id)

    def add_categories(drafts: tuple[CategoryDraft, ...], parent_id: uuid.UUID | None) -> None:
        for position, category in enumerate(drafts):
            category_id = next(next_category_id)
            categories.append(
                {
                    "user_id": user.id,
                    "id": category_id,
                    "track_id": track.id,
                    "parent_id": parent_id,
                    "position": position,
                    "title": category.title,
                    "notes": category.notes,
                }
            )
            add_items(category.items, category_id, None)
            add_categories(category.children, category_id)

    add_items(draft.root.items, None, None)
    add_categories(draft.root.children, None)
    await repo.add_track(session, track, categories, items)
    return summary(track, completion_of(str(item["state"]) for item in items))


def item_row(
    user_id: uuid.UUID,
    track_id: uuid.UUID,
    item_id: uuid.UUID,
    category_id: uuid.UUID | None,
    parent_id: uuid.UUID | None,
    position: int,
    item: ItemDraft,
    now: datetime,
) -> dict[str, object]:
    return {
        "user_id": user_id,
        "id": item_id,
        "track_id": track_id,
        "category_id": category_id,
        "parent_id": parent_id,
        "position": position,
        "title": item.title,
        "description": item.description,
        "resources": [{"title": r.title, "url": r.url} for r in item.resources],
        "notes": item.notes,
        "state": item.state,
        "priority": item.priority,
        "horizon": item.horizon,
        "due_date": item.due_date,
        "topic": item.topic,
        "path_category_id": None,
        "path_position": item.path.position if item.path else None,
        "completed_at": None,
        "updated_at": now,
        "archived_at": None,
    }


async def export_track(
    session: AsyncSession, user: UserLike, track_id: uuid.UUID, export_format: str
) -> tuple[str, str]:
    """The track as a document: its text and its file name."""
    if export_format == "markdown":
        track = await own_track(session, user, track_id)
        text = markdown_export.render_track(tree.to_draft(await load_tree(session, track)))
        return text, _file_name(track.title, "md")
    read = await read_track(session, user, track_id)
    document = {"format": "questpath-track", "version": 1, "track": read.model_dump(mode="json")}
    return json.dumps(document, ensure_ascii=False, indent=2), _file_name(read.title, "json")


def _file_name(title: str, extension: str) -> str:
    slug = "".join(c if c.isascii() and c.isalnum() else "-" for c in title.lower())
    slug = "-".join(part for part in slug.split("-") if part)[:60].strip("-")
    return f"{slug or 'track'}.{extension}"


# Changing a track -----------------------------------------------------------------------------


async def update_track(
    session: AsyncSession, user: UserLike, track_id: uuid.UUID, changes: TrackUpdate, now: datetime
) -> TrackSummary:
    track = await own_track(session, user, track_id)
    values = changes.set_fields(not_null=("title", "description"))
    if values:
        for name, value in values.items():
            setattr(track, name, value)
        track.updated_at = now
        await session.flush()
    return summary(track, (await load_tree(session, track)).completion)


async def delete_track(session: AsyncSession, user: UserLike, track_id: uuid.UUID) -> None:
    """Delete a track and everything in it. Its events stay in the log: XP and achievements
    earned on it are kept."""
    await own_track(session, user, track_id)
    await repo.delete_track(session, user.id, track_id)


# Sharing --------------------------------------------------------------------------------------


async def share_track(
    session: AsyncSession, user: UserLike, track_id: uuid.UUID, now: datetime
) -> tuple[ShareRead, bool]:
    """The track's read-only link, made now if it has none; and whether it was made now. Only a
    link made now shows its address: the database keeps only the token's hash."""
    await own_track(session, user, track_id)
    share = await repo.share_of(session, user.id, track_id)
    if share is not None:
        return _share_read(share), False
    return await _new_share(session, user, track_id, now), True


async def replace_share(
    session: AsyncSession, user: UserLike, track_id: uuid.UUID, now: datetime
) -> ShareRead:
    """A new link, shown in this answer only, in place of the old one, which stops at once."""
    await own_track(session, user, track_id)
    if await repo.share_of(session, user.id, track_id) is None:
        raise NotFound("the track is not shared, so there is no link to replace")
    await repo.delete_share(session, user.id, track_id)
    return await _new_share(session, user, track_id, now)


async def _new_share(
    session: AsyncSession, user: UserLike, track_id: uuid.UUID, now: datetime
) -> ShareRead:
    made = new_share_token()
    share = TrackShare(
        token_hash=made.token_hash, user_id=user.id, track_id=track_id, created_at=now
    )
    await repo.add_share(session, share)
    return _share_read(share, made.token)


async def unshare_track(session: AsyncSession, user: UserLike, track_id: uuid.UUID) -> None:
    """Revoke the link: it stops working at once, and a new share gets a new token."""
    await own_track(session, user, track_id)
    await repo.delete_share(session, user.id, track_id)


async def read_shared(session: AsyncSession, token: str) -> SharedTrackRead:
    share = await repo.shared(session, hash_secret(token))
    track = await repo.track(session, share.user_id, share.track_id) if share else None
    if track is None:
        raise NotFound("no shared track has this link; it may have been revoked")
    root = await load_tree(session, track)
    return SharedTrackRead(
        title=track.title,
        description=track.description,
        progress=completion_read(root.completion),
        items=[item_read(i, with_notes=False) for i in root.items],
        categories=[_category_read(c, with_notes=False) for c in root.categories],
    )


# Templates ------------------------------------------------------------------------------------


def list_templates(ruleset: Ruleset) -> list[TemplateRead]:
    return [
        TemplateRead(
            id=template_id,
            title=draft.title,
            description=draft.description,
            categories=sum(1 for _ in _all_categories(draft.root)),
            items=len(draft.root.all_items()),
        )
        for template_id, draft in templates(ruleset).items()
    ]


def _all_categories(category: CategoryDraft) -> Iterator[CategoryDraft]:
    for child in category.children:
        yield child
        yield from _all_categories(child)


async def adopt_template(
    session: AsyncSession, user: UserLike, template_id: str, ruleset: Ruleset, now: datetime
) -> TrackSummary:
    """A copy of the template as the learner's own track; adopting again makes another copy."""
    draft = templates(ruleset).get(template_id)
    if draft is None:
        raise NotFound(f"no track template with the id '{template_id}'")
    return await create_track(session, user, draft, now, template_id=template_id)


# Operators' commands --------------------------------------------------------------------------


async def import_for(
    session: AsyncSession, email: str, data: bytes, title: str | None, now: datetime
) -> TrackSummary:
    """Import a document into the tracks of the learner with `email`."""
    user = await users.get_user_by_email(session, email)
    if user is None:
        raise NotFound(f"no account has the e-mail address {email}")
    return await import_markdown(session, user, data, title, now)


async def export_by_id(
    session: AsyncSession, track_id: uuid.UUID, export_format: str
) -> tuple[str, str]:
    """Export any learner's track by its id alone."""
    owner_id = await repo.owner_of(session, track_id)
    owner = await users.get_user(session, owner_id) if owner_id else None
    if owner is None:
        raise NotFound(f"no track with the id {track_id}")
    return await export_track(session, owner, track_id, export_format)
