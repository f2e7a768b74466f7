"""xAPI attachments in the multipart/mixed transmission format (Communication 1.5.2).

Expectations come from the xAPI 1.0.3 spec and the requests the ADL conformance suite sends:
the spec's example request reads as its statement and one part; a response built for
`attachments=true` reads back as the same statements and the same octets, whatever they are;
each break of the format or of the match between attachment objects and parts is refused
with the rule it breaks and where.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.xapi.attachments import (
    AttachmentError,
    Part,
    build_multipart,
    check_attachments,
    parse_multipart,
)

CRLF = b"\r\n"
TEXT = b"here is a simple attachment"
TEXT_SHA256 = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
SUITE_BOUNDARY = "-------314159265358979323846"


def attachment(sha2: str, **more: Any) -> dict[str, Any]:
    return {
        "usageType": "http://example.com/attachment-usage/test",
        "display": {"en-US": "A test attachment"},
        "contentType": "text/plain",
        "length": 27,
        "sha2": sha2,
        **more,
    }


def statement(*attachments: dict[str, Any]) -> dict[str, Any]:
    return {
        "actor": {"mbox": "mailto:sample.agent@example.com", "objectType": "Agent"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": "http://www.example.com/tincan/activities/multipart"},
        "attachments": list(attachments),
    }


def body(boundary: str, *parts: bytes, preamble: bytes = b"", epilogue: bytes = b"") -> bytes:
    """A multipart body from raw parts (each its header lines, a blank line, its content)."""
    dash = b"--" + boundary.encode()
    inner = b"".join(dash + CRLF + part + CRLF for part in parts)
    return preamble + inner + dash + b"--" + epilogue


def json_part(value: object, content_type: bytes = b"application/json") -> bytes:
    return b"Content-Type: " + content_type + CRLF + CRLF + json.dumps(value).encode()


def data_part(content: bytes, sha2: str, *headers: bytes) -> bytes:
    lines = headers or (b"Content-Type: text/plain", b"Content-Transfer-Encoding: binary")
    hash_line = b"X-Experience-API-Hash: " + sha2.encode()
    return CRLF.join([*lines, hash_line]) + CRLF + CRLF + content


def suite_request(*parts: bytes) -> tuple[bytes, str]:
    return body(SUITE_BOUNDARY, *parts), f"multipart/mixed; boundary={SUITE_BOUNDARY}"


# The spec's example and the suite's requests --------------------------------------------------

SPEC_BOUNDARY = "abcABC0123'()+_,-./:=?"
SPEC_STATEMENT = b"""{
    "actor": {
        "mbox": "mailto:sample.agent@example.com",
        "name": "Sample Agent",
        "objectType": "Agent"
    },
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/answered",
        "display": {
            "en-US": "answered"
        }
    },
    "object": {
        "id": "http://www.example.com/tincan/activities/multipart",
        "objectType": "Activity",
        "definition": {
            "name": {
                "en-US": "Multi Part Activity"
            },
            "description": {
                "en-US": "Multi Part Activity Description"
            }
        }
    },
    "attachments": [
        {
            "usageType": "http://example.com/attachment-usage/test",
            "display": { "en-US": "A test attachment" },
            "description": { "en-US": "A test attachment (description)" },
            "contentType": "text/plain; charset=ascii",
            "length": 27,
            "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
        }
    ]
}""".replace(b"\n", CRLF)
# Communication 1.5.2.s6, byte for byte: an empty first line, no space after the header colons.
SPEC_BODY = CRLF.join(
    [
        b"",
        b"--" + SPEC_BOUNDARY.encode(),
        b"Content-Type:application/json",
        b"",
        SPEC_STATEMENT,
        b"--" + SPEC_BOUNDARY.encode(),
        b"Content-Type:text/plain",
        b"Content-Transfer-Encoding:binary",
        b"X-Experience-API-Hash:" + TEXT_SHA256.encode(),
        b"",
        TEXT,
        b"--" + SPEC_BOUNDARY.encode() + b"--",
    ]
)
SPEC_CONTENT_TYPE = f'multipart/mixed; boundary="{SPEC_BOUNDARY}"'


def test_the_spec_example_reads_as_its_statement_and_one_attachment_part() -> None:
    request = parse_multipart(SPEC_BODY, SPEC_CONTENT_TYPE)

    assert request.statements == json.loads(SPEC_STATEMENT)
    assert list(request.parts) == [TEXT_SHA256]
    part = request.parts[TEXT_SHA256]
    assert (part.content_type, part.content) == ("text/plain", TEXT)
    assert part.headers["content-transfer-encoding"] == "binary"


def test_the_spec_example_attachment_matches_its_part() -> None:
    request = parse_multipart(SPEC_BODY, SPEC_CONTENT_TYPE)
    assert isinstance(request.statements, dict)

    check_attachments([request.statements], request.parts)  # raises on a mismatch

    assert hashlib.sha256(request.parts[TEXT_SHA256].content).hexdigest() == TEXT_SHA256


@pytest.mark.parametrize("header", ["boundary=simple", 'boundary="simple"', 'BOUNDARY="simple"'])
def test_a_boundary_reads_the_same_quoted_or_not(header: str) -> None:
    request = parse_multipart(
        body("simple", json_part(statement()), epilogue=CRLF), f"multipart/mixed; {header}"
    )

    assert request.statements == statement()
    assert request.parts == {}


def test_the_conformance_suite_request_with_two_attachments_reads_and_matches() -> None:
    other = b"here is another simple attachment"
    other_sha = hashlib.sha256(other).hexdigest()
    sent = statement(attachment(TEXT_SHA256), attachment(other_sha, length=33))
    disposition = b'Content-Disposition: attachment; filename="text_data.txt"'
    headers = (disposition, b"Content-Type: text/plain", b"Content-Transfer-Encoding: binary")
    request_body = body(
        SUITE_BOUNDARY,
        json_part(sent),
        data_part(TEXT, TEXT_SHA256, *headers),
        data_part(other, other_sha, *headers),
        epilogue=CRLF,
    )

    request = parse_multipart(request_body, f"multipart/mixed; boundary={SUITE_BOUNDARY}")
    check_attachments([sent], request.parts)

    assert request.statements == sent
    assert {sha: part.content for sha, part in request.parts.items()} == {
        TEXT_SHA256: TEXT,
        other_sha: other,
    }


def test_a_part_without_content_transfer_encoding_is_taken_as_binary() -> None:
    request_body, content_type = suite_request(
        json_part(statement(attachment(TEXT_SHA256))),
        data_part(TEXT, TEXT_SHA256, b"Content-Type: text/plain"),
    )

    assert parse_multipart(request_body, content_type).parts[TEXT_SHA256].content == TEXT


def test_a_part_without_content_type_is_octet_stream() -> None:
    request_body, content_type = suite_request(
        json_part(statement()), data_part(TEXT, TEXT_SHA256, b"Content-Transfer-Encoding: binary")
    )

    part = parse_multipart(request_body, content_type).parts[TEXT_SHA256]
    assert part.content_type == "application/octet-stream"


def test_an_attachment_that_is_itself_a_mime_message_keeps_its_octets() -> None:
    inner = (
        b"Content-Type: multipart/mixed; boundary=inner\r\n\r\n--inner\r\n"
        b"Content-Type: text/plain\r\n\r\nhello\n\r\n--inner--\r\n"
    )
    sha = hashlib.sha256(inner).hexdigest()
    for media in (b"message/rfc822", b"multipart/mixed; boundary=inner"):
        request_body, content_type = suite_request(
            json_part(statement(attachment(sha))), data_part(inner, sha, b"Content-Type: " + media)
        )
        parts = parse_multipart(request_body, content_type).parts

        check_attachments([statement(attachment(sha))], parts)
        assert parts[sha].content == inner


def test_every_sha2_length_picks_its_algorithm() -> None:
    for algorithm in ("sha224", "sha256", "sha384", "sha512"):
        sha = hashlib.new(algorithm, TEXT).hexdigest()
        request_body, content_type = suite_request(
            json_part(statement(attachment(sha))), data_part(TEXT, sha)
        )
        parts = parse_multipart(request_body, content_type).parts

        check_attachments([statement(attachment(sha))], parts)
        assert parts[sha].content == TEXT


def test_an_attachment_with_a_file_url_needs_no_part() -> None:
    with_url = attachment(TEXT_SHA256, fileUrl="http://over.there.com/file.txt")

    check_attachments([statement(with_url)], {})  # raises when a part is missing

    request_body, content_type = suite_request(json_part(statement(with_url)))
    assert parse_multipart(request_body, content_type).parts == {}


def test_a_part_for_an_attachment_with_a_file_url_is_used() -> None:
    with_url = attachment(TEXT_SHA256, fileUrl="http://over.there.com/file.txt")
    request_body, content_type = suite_request(
        json_part(statement(with_url)), data_part(TEXT, TEXT_SHA256)
    )
    parts = parse_multipart(request_body, content_type).parts

    check_attachments([statement(with_url)], parts)

    assert list(parts) == [TEXT_SHA256]


def test_one_part_serves_the_same_attachment_in_several_statements() -> None:
    statements = [statement(attachment(TEXT_SHA256)), statement(attachment(TEXT_SHA256.upper()))]
    request_body, content_type = suite_request(json_part(statements), data_part(TEXT, TEXT_SHA256))
    request = parse_multipart(request_body, content_type)

    check_attachments(statements, request.parts)

    assert request.statements == statements


# The response for attachments=true ------------------------------------------------------------

media_types = st.sampled_from(
    ["application/octet-stream", "image/jpeg", "text/plain; charset=utf-8"]
)


@given(st.lists(st.tuples(st.binary(max_size=300), media_types), max_size=5))
def test_any_attachments_round_trip_through_the_response_format(
    contents: list[tuple[bytes, str]],
) -> None:
    parts = [
        Part(content_type=media, sha2=hashlib.sha256(data).hexdigest(), content=data, headers={})
        for data, media in contents
    ]
    statements = [statement(*(attachment(p.sha2, contentType=p.content_type) for p in parts))]
    statements_json = json.dumps(statements).encode()

    response, content_type = build_multipart(statements_json, parts)
    read = parse_multipart(response, content_type)

    assert read.statements == statements
    first = {p.sha2: p for p in reversed(parts)}
    assert {s: (p.content_type, p.content) for s, p in read.parts.items()} == {
        s: (p.content_type, p.content) for s, p in first.items()
    }
    check_attachments(statements, read.parts)


@given(st.binary(max_size=200), st.binary(max_size=200))
def test_line_breaks_and_dashes_in_content_survive_the_round_trip(head: bytes, tail: bytes) -> None:
    data = head + b"\r\n--\r\n\r\n--" + tail + b"\r"
    part = Part("application/octet-stream", hashlib.sha256(data).hexdigest(), data, {})

    response, content_type = build_multipart(b"[]", [part])

    assert parse_multipart(response, content_type).parts[part.sha2].content == data


def test_a_response_boundary_never_occurs_in_the_content() -> None:
    part = Part("text/plain", TEXT_SHA256, TEXT, {})
    _, first_type = build_multipart(b"[]", [part])
    first_boundary = first_type.split("boundary=")[1].encode()
    clash = Part("text/plain", TEXT_SHA256, b"x\r\n--" + first_boundary + b"--\r\n", {})

    response, content_type = build_multipart(b"[]", [clash])

    assert content_type != first_type
    assert parse_multipart(response, content_type).parts[TEXT_SHA256].content == clash.content


def test_the_response_is_what_the_suite_reads_a_boundary_from() -> None:
    response, content_type = build_multipart(b"{}", [Part("text/plain", TEXT_SHA256, TEXT, {})])

    # The suite takes everything after "boundary=" up to a ";" as the boundary: no quotes.
    boundary = content_type.split("boundary=")[1]
    assert content_type.startswith("multipart/mixed; ")
    assert '"' not in boundary
    assert ";" not in boundary
    assert response.startswith(b"--" + boundary.encode() + CRLF + b"Content-Type: application/json")
    assert response.endswith(CRLF + b"--" + boundary.encode() + b"--" + CRLF)


def test_a_response_has_one_part_per_hash() -> None:
    part = Part("text/plain", TEXT_SHA256, TEXT, {})

    response, _ = build_multipart(b"[]", [part, part])

    assert response.count(b"X-Experience-API-Hash: " + TEXT_SHA256.encode()) == 1


# Refusals -------------------------------------------------------------------------------------

GOOD_FIRST = json_part(statement(attachment(TEXT_SHA256)))
GOOD_DATA = data_part(TEXT, TEXT_SHA256)
SUITE_TYPE = f"multipart/mixed; boundary={SUITE_BOUNDARY}"


@pytest.mark.parametrize(
    ("request_body", "content_type", "rule", "field"),
    [
        pytest.param(
            body(SUITE_BOUNDARY, GOOD_FIRST, GOOD_DATA),
            f"multipart/form-data; boundary={SUITE_BOUNDARY}",
            "multipart.content-type",
            "Content-Type",
            id="form-data",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, GOOD_FIRST, GOOD_DATA),
            "multipart/mixed;",
            "multipart.boundary",
            "Content-Type",
            id="no-boundary-in-the-header",
        ),
        pytest.param(
            body("x" * 71, GOOD_FIRST),
            f"multipart/mixed; boundary={'x' * 71}",
            "multipart.boundary",
            "Content-Type",
            id="boundary-too-long",
        ),
        pytest.param(
            GOOD_FIRST + CRLF + GOOD_DATA,
            SUITE_TYPE,
            "multipart.delimiter",
            "body",
            id="no-boundary-in-the-body",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, GOOD_FIRST, GOOD_DATA).replace(CRLF, b"\n"),
            SUITE_TYPE,
            "multipart.delimiter",
            "body",
            id="bare-line-feeds",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, GOOD_FIRST, GOOD_DATA).removesuffix(
                b"--" + SUITE_BOUNDARY.encode() + b"--"
            ),
            SUITE_TYPE,
            "multipart.delimiter",
            "body",
            id="no-closing-boundary",
        ),
        pytest.param(
            body(SUITE_BOUNDARY), SUITE_TYPE, "multipart.missing-statements", "body", id="no-parts"
        ),
        pytest.param(
            # The suite's "first part has no boundary": the statements fall into the preamble.
            body(SUITE_BOUNDARY, GOOD_DATA, preamble=GOOD_FIRST + CRLF),
            SUITE_TYPE,
            "multipart.first-part-type",
            "parts[0]",
            id="no-statement-part",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, json_part(statement(), b"text/plain"), GOOD_DATA),
            SUITE_TYPE,
            "multipart.first-part-type",
            "parts[0]",
            id="first-part-text",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, b"Content-Type: application/json\r\n\r\n{'actor': 1}"),
            SUITE_TYPE,
            "multipart.first-part-json",
            "parts[0]",
            id="first-part-not-json",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, b"Content-Type: application/json\r\n\r\nNaN"),
            SUITE_TYPE,
            "multipart.first-part-json",
            "parts[0]",
            id="first-part-nan",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, b"Content-Type: application/json\r\n\r\n\xff{}"),
            SUITE_TYPE,
            "multipart.first-part-json",
            "parts[0]",
            id="first-part-not-utf8",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, json_part("a statement")),
            SUITE_TYPE,
            "multipart.first-part-json",
            "parts[0]",
            id="first-part-a-string",
        ),
        pytest.param(
            # The suite's "statements in two parts": the second has no X-Experience-API-Hash.
            body(SUITE_BOUNDARY, GOOD_FIRST, json_part(statement()), GOOD_DATA),
            SUITE_TYPE,
            "multipart.missing-hash",
            "parts[1]",
            id="statements-in-two-parts",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, GOOD_FIRST, b"Content-Type: text/plain\r\n\r\n" + TEXT),
            SUITE_TYPE,
            "multipart.missing-hash",
            "parts[1]",
            id="no-x-experience-api-hash",
        ),
        pytest.param(
            body(
                SUITE_BOUNDARY,
                GOOD_FIRST,
                data_part(TEXT, TEXT_SHA256, b"Content-Transfer-Encoding: base64"),
            ),
            SUITE_TYPE,
            "multipart.transfer-encoding",
            "parts[1]",
            id="base64",
        ),
        pytest.param(
            # The suite's "too many parts": a hash line that lost its header name.
            body(
                SUITE_BOUNDARY,
                GOOD_FIRST,
                GOOD_DATA,
                b"Content-Type: text/plain\r\n" + TEXT_SHA256.encode() + b"\r\n\r\n" + TEXT,
            ),
            SUITE_TYPE,
            "multipart.part-headers",
            "parts[2]",
            id="header-line-without-name",
        ),
        pytest.param(
            body(SUITE_BOUNDARY, GOOD_FIRST, GOOD_DATA, data_part(b"other", TEXT_SHA256)),
            SUITE_TYPE,
            "attachments.hash-mismatch",
            "parts[2]",
            id="one-hash-two-contents",
        ),
    ],
)
def test_a_malformed_request_is_refused_with_its_rule(
    request_body: bytes, content_type: str, rule: str, field: str
) -> None:
    with pytest.raises(AttachmentError) as refused:
        parse_multipart(request_body, content_type)

    assert (refused.value.rule, refused.value.field) == (rule, field)


def test_a_part_no_attachment_names_is_refused() -> None:
    other = b"here is a third simple attachment"
    other_sha = hashlib.sha256(other).hexdigest()
    request_body, content_type = suite_request(GOOD_FIRST, GOOD_DATA, data_part(other, other_sha))
    parts = parse_multipart(request_body, content_type).parts

    with pytest.raises(AttachmentError) as refused:
        check_attachments([statement(attachment(TEXT_SHA256))], parts)

    assert (refused.value.rule, refused.value.field) == (
        "attachments.unused-part",
        f"parts[{other_sha}]",
    )


def test_an_attachment_without_part_or_file_url_is_refused() -> None:
    missing = hashlib.sha256(b"never sent").hexdigest()
    sent = [statement(), statement(attachment(TEXT_SHA256), attachment(missing))]
    request_body, content_type = suite_request(json_part(sent), GOOD_DATA)
    parts = parse_multipart(request_body, content_type).parts

    with pytest.raises(AttachmentError) as refused:
        check_attachments(sent, parts)

    assert (refused.value.rule, refused.value.field) == (
        "attachments.missing-part",
        "statements[1].attachments[1]",
    )


def test_a_part_whose_content_has_another_hash_is_refused() -> None:
    request_body, content_type = suite_request(
        GOOD_FIRST, data_part(b"here is a changed attachment", TEXT_SHA256)
    )
    parts = parse_multipart(request_body, content_type).parts

    with pytest.raises(AttachmentError) as refused:
        check_attachments([statement(attachment(TEXT_SHA256))], parts)

    assert (refused.value.rule, refused.value.field) == (
        "attachments.hash-mismatch",
        f"parts[{TEXT_SHA256}]",
    )


@pytest.mark.parametrize(
    "declared", ["abc", "z" * 64, hashlib.sha1(TEXT, usedforsecurity=False).hexdigest()]
)
def test_a_hash_that_is_no_sha2_is_refused(declared: str) -> None:
    request_body, content_type = suite_request(
        json_part(statement(attachment(declared))), data_part(TEXT, declared)
    )
    parts = parse_multipart(request_body, content_type).parts

    with pytest.raises(AttachmentError) as refused:
        check_attachments([statement(attachment(declared))], parts)

    assert (refused.value.rule, refused.value.field) == (
        "attachments.hash-format",
        f"parts[{declared}]",
    )
