"""Attachments (xAPI Data 2.4.11): their headers inside a Statement. Whether a request carries
the data of each one is `questpath.xapi.attachments`'s to check."""

from __future__ import annotations

from questpath.xapi.validation import checks as c
from questpath.xapi.validation.formats import is_media_type

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
