"""Attachments of xAPI 1.0.3 statements in their multipart/mixed transmission format, pure.

Communication 1.5.2: the first part holds the statements (`application/json`); each later part
holds the raw octets of one attachment, named by its SHA-2 in `X-Experience-API-Hash` and sent
with `Content-Transfer-Encoding: binary`. Attachment objects are matched to parts by that hash
and no other way: an attachment with a `fileUrl` needs no part, every other one does, and a part
that no attachment names is refused.

The body is cut at the RFC 2046 delimiters here, byte for byte, and each part's header block is
read by the standard library's `email` parser. That parser is not given the whole body: it would
read a `message/rfc822` or `multipart/*` attachment as a nested message and hand back a
re-serialisation of it rather than the octets whose hash was declared.

No I/O, no clock, no settings: the route reads the body and hands it in.
"""

from __future__ import annotations

import hashlib
import json
import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.errors import MessageDefect
from email.message import Message
from email.parser import BytesParser
from typing import Any

CRLF = b"\r\n"
JSON = "application/json"
OCTET_STREAM = "application/octet-stream"
HASH_HEADER = "X-Experience-API-Hash"
# RFC 2046 5.1.1: a boundary is 1 to 70 of these characters and does not end with a space.
_BCHARS = frozenset(string.ascii_letters + string.digits + "'()+_,-./:=? ")
# The SHA-2 digests by the length of their hex form (Communication 1.5.2.s4.b4 asks providers
# for 256, 384 or 512; 224 is SHA-2 too and as unambiguous).
SHA2_BY_HEX_LENGTH = {56: "sha224", 64: "sha256", 96: "sha384", 128: "sha512"}
# Strict: a line in a header block that is not a header raises instead of starting the content.
_HEADERS = BytesParser(policy=policy.HTTP.clone(raise_on_defect=True))


@dataclass(frozen=True)
class Part:
    """One attachment's raw data as sent. `sha2` is its `X-Experience-API-Hash` in lowercase hex;
    `content_type` its Content-Type (application/octet-stream when it has none); `headers` all
    its part headers by lowercase name."""

    content_type: str
    sha2: str
    content: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Multipart:
    statements: object  # the first part's JSON: one statement (an object) or a list of them
    parts: dict[str, Part]  # by sha2; one part per hash


class AttachmentError(ValueError):
    """A request whose attachments break Communication 1.5.2; the route answers 400.

    `rule` names the broken rule (`multipart.*` for the transmission format, `attachments.*`
    for the match between attachment objects and parts); `field` says where: `Content-Type`,
    `body`, `parts[i]` (position in the body), `parts[<sha2>]` or
    `statements[i].attachments[j]`."""

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.field = field
        self.message = message


def media_type(content_type: object) -> str:
    """`type/subtype` of a Content-Type or contentType value, lowercase, parameters dropped."""
    if not isinstance(content_type, str):
        return ""
    return content_type.split(";", 1)[0].strip().lower()


def parse_multipart(body: bytes, content_type_header: str) -> Multipart:
    """The statements and attachment parts of a multipart/mixed statement request."""
    boundary = _boundary(content_type_header)
    raw_parts = _split(body, boundary)
    if not raw_parts:
        raise AttachmentError(
            "multipart.missing-statements", "body", "the first part must hold the statements"
        )
    headers, content = _read_part(raw_parts[0], "parts[0]")
    statements = _statements(headers, content)
    parts: dict[str, Part] = {}
    for index, raw in enumerate(raw_parts[1:], start=1):
        field = f"parts[{index}]"
        part = _attachment_part(*_read_part(raw, field), field)
        known = parts.setdefault(part.sha2, part)
        if known.content != part.content:
            raise AttachmentError(
                "attachments.hash-mismatch",
                field,
                "two parts declare the same X-Experience-API-Hash for different content",
            )
    return Multipart(statements=statements, parts=parts)


def check_attachments(statements: Sequence[Mapping[str, Any]], parts: Mapping[str, Part]) -> None:
    """Each part's content has the SHA-2 it declares; every attachment object without a
    `fileUrl` has a part with its `sha2`; every part is named by some attachment object."""
    for sha2, part in parts.items():
        _check_hash(part, f"parts[{sha2}]")
    named: set[str] = set()
    for i, statement in enumerate(statements):
        for j, attachment in _attachment_objects(statement):
            declared = attachment.get("sha2")
            if not isinstance(declared, str):
                continue  # statement validation reports a missing or mistyped sha2
            named.add(declared.lower())
            if "fileUrl" not in attachment and declared.lower() not in parts:
                raise AttachmentError(
                    "attachments.missing-part",
                    f"statements[{i}].attachments[{j}]",
                    "an attachment without a fileUrl needs a part whose X-Experience-API-Hash "
                    "is its sha2",
                )
    for sha2 in parts:
        if sha2 not in named:
            raise AttachmentError(
                "attachments.unused-part",
                f"parts[{sha2}]",
                "no attachment of the statements has this part's X-Experience-API-Hash as sha2",
            )


def build_multipart(statements_json: bytes, parts: Sequence[Part]) -> tuple[bytes, str]:
    """A statements response with attachments (`GET /statements?attachments=true`): the body
    and its Content-Type. One part per hash, even when several statements share it
    (1.5.2.s2.b2.b5). The boundary is a plain token, so the Content-Type needs no quotes."""
    unique: dict[str, Part] = {}
    for part in parts:
        unique.setdefault(part.sha2, part)
    boundary = _fresh_boundary(statements_json, list(unique.values()))
    chunks = [b"--", boundary, CRLF, b"Content-Type: ", JSON.encode(), CRLF, CRLF, statements_json]
    for part in unique.values():
        chunks += [CRLF, b"--", boundary, CRLF]
        chunks += [b"Content-Type: ", _header_value(part.content_type), CRLF]
        chunks += [b"Content-Transfer-Encoding: binary", CRLF]
        chunks += [HASH_HEADER.encode(), b": ", _header_value(part.sha2), CRLF, CRLF, part.content]
    chunks += [CRLF, b"--", boundary, b"--", CRLF]
    return b"".join(chunks), f"multipart/mixed; boundary={boundary.decode()}"


def _boundary(content_type_header: str) -> bytes:
    if (
        not content_type_header.isascii()
        or "\r" in content_type_header
        or "\n" in content_type_header
    ):
        raise AttachmentError("multipart.content-type", "Content-Type", "not a Content-Type")
    try:
        header = _HEADERS.parsebytes(
            b"Content-Type: " + content_type_header.encode() + CRLF + CRLF, headersonly=True
        )
    except MessageDefect as error:
        raise AttachmentError(
            "multipart.content-type", "Content-Type", "not a Content-Type"
        ) from error
    if header.get_content_type() != "multipart/mixed":
        raise AttachmentError(
            "multipart.content-type",
            "Content-Type",
            "statements with attachment data are sent as multipart/mixed",
        )
    boundary = header.get_boundary()
    if not boundary or len(boundary) > 70 or boundary.endswith(" ") or not set(boundary) <= _BCHARS:
        raise AttachmentError(
            "multipart.boundary",
            "Content-Type",
            "multipart/mixed needs a boundary parameter of 1 to 70 RFC 2046 characters",
        )
    return boundary.encode()


def _split(body: bytes, boundary: bytes) -> list[bytes]:
    """The body parts between the delimiters, each as sent (headers, blank line, content).
    RFC 2046: the CRLF before a boundary line belongs to the delimiter, not to the content."""
    dash = b"--" + boundary
    if body.startswith(dash):
        start = 0
    else:
        found = body.find(CRLF + dash)
        if found < 0:
            raise AttachmentError(
                "multipart.delimiter", "body", "no line of the body starts with the boundary"
            )
        start = found + len(CRLF)
    parts: list[bytes] = []
    while True:
        after = start + len(dash)
        if body.startswith(b"--", after):
            return parts  # the close delimiter; what follows it is the epilogue
        line_end = body.find(CRLF, after)
        if line_end < 0 or body[after:line_end].strip(b" \t"):
            raise AttachmentError(
                "multipart.delimiter", "body", "a boundary line goes on past the boundary"
            )
        begin = line_end + len(CRLF)
        end = body.find(CRLF + dash, begin)
        if end < 0:
            raise AttachmentError(
                "multipart.delimiter", "body", "the body ends without the closing boundary"
            )
        parts.append(body[begin:end])
        start = end + len(CRLF)


def _read_part(raw: bytes, field: str) -> tuple[Message, bytes]:
    if raw.startswith(CRLF):
        header_block, content = b"", raw[len(CRLF) :]
    elif (blank := raw.find(CRLF + CRLF)) >= 0:
        header_block, content = raw[: blank + len(CRLF)], raw[blank + 2 * len(CRLF) :]
    elif raw.endswith(CRLF):
        header_block, content = raw, b""  # headers and no content (RFC 2046 allows it)
    else:
        raise AttachmentError("multipart.part-headers", field, "a part's headers never end")
    try:
        headers = _HEADERS.parsebytes(header_block + CRLF, headersonly=True)
    except MessageDefect as error:
        raise AttachmentError(
            "multipart.part-headers", field, "a line of a part's headers is not a header"
        ) from error
    return headers, content


def _statements(headers: Message, content: bytes) -> object:
    if headers.get_content_type() != JSON:
        raise AttachmentError(
            "multipart.first-part-type",
            "parts[0]",
            "the first part holds the statements and its Content-Type is application/json",
        )
    try:
        statements: object = json.loads(content.decode("utf-8"), parse_constant=_not_json)
    except ValueError as error:  # bad UTF-8 or bad JSON
        raise AttachmentError(
            "multipart.first-part-json", "parts[0]", "the first part is not JSON in UTF-8"
        ) from error
    if not isinstance(statements, (dict, list)):
        raise AttachmentError(
            "multipart.first-part-json",
            "parts[0]",
            "the first part holds neither a statement nor a list of statements",
        )
    return statements


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


def _attachment_part(headers: Message, content: bytes, field: str) -> Part:
    sent = _as_sent(headers)
    hashes = {value.lower() for name, value in sent if name == "x-experience-api-hash"} - {""}
    if not hashes:
        raise AttachmentError(
            "multipart.missing-hash",
            field,
            "every part after the first needs an X-Experience-API-Hash header",
        )
    if len(hashes) > 1:
        raise AttachmentError(
            "multipart.part-headers", field, "a part has two different X-Experience-API-Hash"
        )
    by_name = dict(sent)
    if by_name.get("content-transfer-encoding", "binary").lower() != "binary":
        raise AttachmentError(
            "multipart.transfer-encoding",
            field,
            "attachment data is sent raw, with Content-Transfer-Encoding: binary",
        )
    content_type = by_name.get("content-type") or OCTET_STREAM
    if not content_type.isascii() or not content_type.isprintable():
        raise AttachmentError("multipart.part-headers", field, "a part's Content-Type is not ASCII")
    return Part(content_type=content_type, sha2=hashes.pop(), content=content, headers=by_name)


def _as_sent(headers: Message) -> list[tuple[str, str]]:
    """Each header as (lowercase name, value as sent, unfolded and trimmed): the parsed header
    objects would re-render values (quotes added around parameters)."""
    return [
        (name.lower(), re.sub(r"\r?\n(?=[ \t])", "", str(value)).strip())
        for name, value in headers.raw_items()
    ]


def _check_hash(part: Part, field: str) -> None:
    algorithm = SHA2_BY_HEX_LENGTH.get(len(part.sha2))
    if algorithm is None or not set(part.sha2) <= set(string.hexdigits):
        raise AttachmentError(
            "attachments.hash-format",
            field,
            "X-Experience-API-Hash is not the hex SHA-224, SHA-256, SHA-384 or SHA-512 of the data",
        )
    if hashlib.new(algorithm, part.content).hexdigest() != part.sha2.lower():
        raise AttachmentError(
            "attachments.hash-mismatch",
            field,
            "the part's content does not have the SHA-2 its X-Experience-API-Hash declares",
        )


def _attachment_objects(statement: Mapping[str, Any]) -> Iterator[tuple[int, Mapping[str, Any]]]:
    attachments = statement.get("attachments") if isinstance(statement, Mapping) else None
    if isinstance(attachments, list):
        for index, attachment in enumerate(attachments):
            if isinstance(attachment, Mapping):
                yield index, attachment


def _fresh_boundary(statements_json: bytes, parts: Sequence[Part]) -> bytes:
    """A boundary found in none of the contents: derived from them, so the same response is
    built the same way each time."""
    seed = hashlib.sha256(statements_json + "".join(p.sha2 for p in parts).encode()).hexdigest()
    counter = 0
    while True:
        boundary = f"xapi-{seed[:32]}-{counter}".encode()
        if all(
            b"--" + boundary not in chunk
            for chunk in (statements_json, *(p.content for p in parts))
        ):
            return boundary
        counter += 1


def _header_value(value: str) -> bytes:
    if not value.isascii() or not value.isprintable():
        raise ValueError(f"not a header value: {value!r}")
    return value.encode()
