"""Attachments (xAPI Data 2.4.11, Communication 1.5.2): their headers inside a Statement, and
whether the request carries the data of each one.

An Attachment's data travels either at its "fileUrl" or as a part of a multipart/mixed request
whose X-Experience-API-Hash header is the Attachment's "sha2"; an application/json request
therefore needs a fileUrl on every Attachment.
"""

from __future__ import annotations

from collections.abc import Collection

from questpath.xapi import checks as c
from questpath.xapi.checks import Violation
from questpath.xapi.formats import is_media_type

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
ATTACHMENT_PROPERTIES = (
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
)
ATTACHMENT_REQUIRED = ("usageType", "display", "contentType", "length", "sha2")


def attachments(value: object, field: str, out: c.Out) -> None:
    """The "attachments" array of a (Sub)Statement: each an Attachment header object."""
    if not isinstance(value, list):
        c.wrong_type(value, field, "an array of Attachments", out)
        return
    for index, attachment in enumerate(value):
        where = c.item(field, index)
        found = c.properties(
            attachment,
            where,
            out,
            what="an Attachment",
            allowed=ATTACHMENT_PROPERTIES,
            required=ATTACHMENT_REQUIRED,
        )
        if found is None:
            continue
        if "usageType" in found:
            c.iri(found["usageType"], c.at(where, "usageType"), out)
        for key in ("display", "description"):
            if key in found:
                c.language_map(found[key], c.at(where, key), out)
        content_type = None
        if "contentType" in found:
            content_type = c.formatted(
                found["contentType"],
                c.at(where, "contentType"),
                out,
                rule="content-type",
                test=is_media_type,
                expected='an Internet media type such as "image/png"',
            )
        if "length" in found:
            length = c.integer(found["length"], c.at(where, "length"), out)
            if length is not None and length < 0:
                message = f"{c.at(where, 'length')} is the size in octets: it cannot be negative."
                out.append(c.Violation("attachment.length", c.at(where, "length"), message))
        if "sha2" in found and c.string(found["sha2"], c.at(where, "sha2"), out) == "":
            message = f"{c.at(where, 'sha2')} must be the SHA-2 hash of the attachment's data."
            out.append(c.Violation("attachment.sha2", c.at(where, "sha2"), message))
        if "fileUrl" in found:
            c.irl(found["fileUrl"], c.at(where, "fileUrl"), out)
        signature = found.get("usageType") == SIGNATURE
        if signature and content_type not in (None, "application/octet-stream"):
            message = 'A signature attachment must have contentType "application/octet-stream".'
            out.append(c.Violation("attachment.signature", c.at(where, "contentType"), message))


def attachment_data_violations(body: object, received: Collection[str] = ()) -> list[Violation]:
    """The Attachments of a valid POST or PUT body whose data is neither at a "fileUrl" nor among
    the `received` hashes (the X-Experience-API-Hash of each multipart/mixed part; none for an
    application/json request, where every Attachment needs a fileUrl)."""
    out: c.Out = []
    hashes = set(received)
    for field, attachment in _attachment_objects(body):
        if "fileUrl" not in attachment and attachment.get("sha2") not in hashes:
            message = (
                f"{field} has no fileUrl and no part of the request carries its data "
                f"(X-Experience-API-Hash {c.shown(attachment.get('sha2'))}); send it as a "
                "multipart/mixed part or give a fileUrl."
            )
            out.append(c.Violation("attachment.data", field, message))
    return out


def declared_hashes(body: object) -> set[str]:
    """The "sha2" of every Attachment in a body: a multipart/mixed part whose
    X-Experience-API-Hash is none of them belongs to no Statement."""
    return {
        sha2
        for _, attachment in _attachment_objects(body)
        if isinstance(sha2 := attachment.get("sha2"), str)
    }


def _attachment_objects(body: object) -> list[tuple[str, dict[str, object]]]:
    found: list[tuple[str, dict[str, object]]] = []
    statements = body if isinstance(body, list) else [body]
    for index, statement in enumerate(statements):
        field = c.item("", index) if isinstance(body, list) else ""
        if not isinstance(statement, dict):
            continue
        holders = [(field, statement)]
        inner = statement.get("object")
        if isinstance(inner, dict) and inner.get("objectType") == "SubStatement":
            holders.append((c.at(field, "object"), inner))
        for where, holder in holders:
            attachments = holder.get("attachments")
            if isinstance(attachments, list):
                found.extend(
                    (c.item(c.at(where, "attachments"), position), attachment)
                    for position, attachment in enumerate(attachments)
                    if isinstance(attachment, dict)
                )
    return found
