"""Statements with attachments over HTTP: multipart/mixed in, multipart/mixed out."""

from __future__ import annotations

import hashlib
import json

import httpx

from questpath.xapi.attachments import Part, build_multipart, parse_multipart
from tests.helpers import Account, assert_problem
from tests.xapi.helpers import statement, xapi_headers

STATEMENTS = "/xapi/statements"
CERTIFICATE = "http://id.tincanapi.com/attachment/certificate-of-completion"


def _with_attachment(content: bytes) -> tuple[dict[str, object], Part]:
    sha2 = hashlib.sha256(content).hexdigest()
    sent = statement(
        attachments=[
            {
                "usageType": CERTIFICATE,
                "display": {"en-US": "Certificate"},
                "contentType": "application/pdf",
                "length": len(content),
                "sha2": sha2,
            }
        ]
    )
    return sent, Part("application/pdf", sha2, content, {})


async def test_an_attachment_sent_with_its_statement_comes_back_with_attachments_true(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    content = bytes(range(256)) * 40  # binary, with every byte value
    sent, part = _with_attachment(content)
    body, content_type = build_multipart(json.dumps(sent).encode(), [part])
    response = await client.post(
        STATEMENTS, content=body, headers={**headers, "Content-Type": content_type}
    )
    assert response.status_code == 200, response.text
    [statement_id] = response.json()

    read = await client.get(
        STATEMENTS, params={"statementId": statement_id, "attachments": "true"}, headers=headers
    )
    assert read.status_code == 200, read.text
    answer = parse_multipart(read.content, read.headers["content-type"])
    assert isinstance(answer.statements, dict)
    assert answer.statements["id"] == statement_id
    assert answer.parts[part.sha2].content == content
    listed = await client.get(STATEMENTS, params={"attachments": "true"}, headers=headers)
    assert parse_multipart(listed.content, listed.headers["content-type"]).parts.keys() == {
        part.sha2
    }


async def test_an_attachment_without_its_data_or_a_file_url_is_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    sent, _ = _with_attachment(b"%PDF-1.7")
    response = await client.post(STATEMENTS, json=sent, headers=headers)
    error = assert_problem(response, 400)["errors"][0]
    assert error["rule"] == "attachments.missing-part"
    listed = await client.get(STATEMENTS, headers=headers)
    assert listed.json()["statements"] == []


async def test_a_part_whose_content_does_not_match_its_hash_is_refused(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    sent, part = _with_attachment(b"the real certificate")
    forged = Part(part.content_type, part.sha2, b"something else", {})
    body, content_type = build_multipart(json.dumps(sent).encode(), [forged])
    response = await client.post(
        STATEMENTS, content=body, headers={**headers, "Content-Type": content_type}
    )
    assert assert_problem(response, 400)["errors"][0]["rule"] == "attachments.hash-mismatch"
