"""Signed statements (xAPI 1.0.3 Data 2.6).

Expectations come from the spec and the ADL conformance suite's signed-statement tests: a
statement signed with RS256, RS384 or RS512 over its own JSON passes, with or without its
certificate in `x5c`; a signature with the wrong content type, the wrong algorithm (HS256),
content that is no JWS, a payload that is not JSON or is another statement, or one that does not
verify against its certificate, is refused with the rule it breaks.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from functools import cache
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from questpath.xapi.attachments import Part, check_attachments, parse_multipart
from questpath.xapi.signatures import SIGNATURE_USAGE, SignatureError, check_signature

STATEMENT: dict[str, Any] = {
    "id": "33cff416-e331-4c9d-969e-5373a1756120",
    "actor": {"mbox": "mailto:example@example.com", "name": "Example Learner"},
    "verb": {
        "id": "http://adlnet.gov/expapi/verbs/experienced",
        "display": {"en-US": "experienced"},
    },
    "object": {"id": "https://www.example.com/activities/tax-return", "objectType": "Activity"},
    "timestamp": "2013-04-01T12:00:00Z",
}


@cache
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def other_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def certificate_of(key: rsa.RSAPrivateKey) -> str:
    """A self-signed certificate for `key`, base64 DER as `x5c` holds it."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Signer")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(datetime(2026, 1, 1, tzinfo=UTC))
        .not_valid_after(datetime(2027, 1, 1, tzinfo=UTC))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


def sign(
    payload: object,
    *,
    algorithm: str = "RS256",
    key: Any = None,
    headers: dict[str, Any] | None = None,
) -> bytes:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    token = jwt.PyJWS().encode(
        data, key if key is not None else signing_key(), algorithm=algorithm, headers=headers
    )
    return token.encode()


def signed(
    statement: dict[str, Any],
    signature: bytes,
    *,
    content_type: str = "application/octet-stream",
    part_content_type: str | None = None,
) -> tuple[dict[str, Any], dict[str, Part]]:
    """The statement with its signature attachment added, and the request's parts."""
    sha2 = hashlib.sha256(signature).hexdigest()
    attachment = {
        "usageType": SIGNATURE_USAGE,
        "display": {"en-US": "Signature"},
        "contentType": content_type,
        "length": len(signature),
        "sha2": sha2,
    }
    with_signature = {**statement, "attachments": [*statement.get("attachments", []), attachment]}
    part = Part(part_content_type or content_type, sha2, signature, {})
    return with_signature, {sha2: part}


def refusal(statement: dict[str, Any], parts: dict[str, Part]) -> tuple[str, str]:
    with pytest.raises(SignatureError) as refused:
        check_signature(statement, parts, "statements[0]")
    return refused.value.rule, refused.value.field


SIGNATURE_FIELD = "statements[0].attachments[0]"


# Signatures that pass -------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_a_statement_signed_with_an_rsa_sha_algorithm_passes(algorithm: str) -> None:
    statement, parts = signed(STATEMENT, sign(STATEMENT, algorithm=algorithm))

    check_signature(statement, parts, "statements[0]")  # raises when refused

    assert statement["attachments"][0]["usageType"] == SIGNATURE_USAGE


def test_a_signature_with_its_certificate_chain_verifies() -> None:
    chain = [certificate_of(signing_key()), certificate_of(other_key())]
    statement, parts = signed(STATEMENT, sign(STATEMENT, headers={"x5c": chain}))

    check_signature(statement, parts, "statements[0]")

    assert jwt.get_unverified_header(next(iter(parts.values())).content)["x5c"] == chain


def test_a_statement_without_a_signature_passes() -> None:
    plain = {**STATEMENT, "attachments": [{"usageType": "http://example.com/u", "sha2": "ab"}]}

    check_signature(plain, {}, "statements[0]")
    check_signature(STATEMENT, {}, "statements[0]")

    assert "attachments" not in STATEMENT


def test_the_payload_may_leave_out_what_the_lrs_sets_and_write_times_in_another_zone() -> None:
    payload = {k: v for k, v in STATEMENT.items() if k != "id"}
    payload["timestamp"] = "2013-04-01T14:00:00.000+02:00"
    stored = {
        **STATEMENT,
        "stored": "2026-12-04T10:00:00Z",
        "authority": {"mbox": "mailto:l@x.org"},
    }
    statement, parts = signed(stored, sign(payload))

    check_signature(statement, parts, "statements[0]")

    assert statement["timestamp"] != payload["timestamp"]


def test_the_other_attachments_are_part_of_what_is_signed() -> None:
    essay = {"usageType": "http://example.com/essay", "sha2": "ab", "fileUrl": "http://x.org/e"}
    with_essay = {**STATEMENT, "attachments": [essay]}

    statement, parts = signed(with_essay, sign(with_essay))
    check_signature(statement, parts, "statements[0]")

    statement, parts = signed(with_essay, sign(STATEMENT))
    assert refusal(statement, parts) == (
        "signature.payload-mismatch",
        "statements[0].attachments[1]",
    )


# Signatures that are refused ------------------------------------------------------------------


def test_a_signature_attachment_of_another_content_type_is_refused() -> None:
    statement, parts = signed(STATEMENT, sign(STATEMENT), content_type="text/plain; charset=ascii")

    assert refusal(statement, parts) == ("signature.content-type", SIGNATURE_FIELD)


def test_a_signature_part_of_another_content_type_is_refused() -> None:
    statement, parts = signed(STATEMENT, sign(STATEMENT), part_content_type="text/plain")

    assert refusal(statement, parts) == ("signature.content-type", SIGNATURE_FIELD)


def test_a_signature_with_a_symmetric_algorithm_is_refused() -> None:
    token = sign(STATEMENT, algorithm="HS256", key=b"a shared secret of thirty-two bytes!")
    statement, parts = signed(STATEMENT, token)

    assert refusal(statement, parts) == ("signature.algorithm", SIGNATURE_FIELD)


@pytest.mark.parametrize(
    "content",
    [
        b"not a signature at all",
        b"\xff\xfe\x00",
        json.dumps(
            {"payload": "e30", "signatures": [{"protected": "e30", "signature": ""}]}
        ).encode(),
    ],
    ids=["text", "binary", "json-serialisation"],
)
def test_content_that_is_no_compact_jws_is_refused(content: bytes) -> None:
    statement, parts = signed(STATEMENT, content)

    assert refusal(statement, parts) == ("signature.not-jws", SIGNATURE_FIELD)


def test_a_payload_that_is_not_json_is_refused() -> None:
    broken = json.dumps(STATEMENT).replace('"', "'", 1).encode()  # as the suite breaks it
    statement, parts = signed(STATEMENT, sign(broken))

    assert refusal(statement, parts) == ("signature.payload-json", SIGNATURE_FIELD)


def test_a_payload_for_a_different_statement_is_refused() -> None:
    other = {**STATEMENT, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    statement, parts = signed(STATEMENT, sign(other))

    assert refusal(statement, parts) == ("signature.payload-mismatch", SIGNATURE_FIELD)


def test_a_tampered_payload_does_not_verify_against_the_certificate() -> None:
    header, _, signature = sign(STATEMENT, headers={"x5c": [certificate_of(signing_key())]}).split(
        b"."
    )
    payload = base64.urlsafe_b64encode(json.dumps(STATEMENT).encode() + b" ").rstrip(b"=")
    statement, parts = signed(STATEMENT, b".".join([header, payload, signature]))

    assert refusal(statement, parts) == ("signature.invalid", SIGNATURE_FIELD)


def test_a_tampered_payload_without_certificate_is_refused_as_another_statement() -> None:
    header, _, signature = sign(STATEMENT).split(b".")
    other = {**STATEMENT, "actor": {"mbox": "mailto:someone.else@example.com"}}
    payload = base64.urlsafe_b64encode(json.dumps(other).encode()).rstrip(b"=")
    statement, parts = signed(STATEMENT, b".".join([header, payload, signature]))

    assert refusal(statement, parts) == ("signature.payload-mismatch", SIGNATURE_FIELD)


def test_a_signature_by_another_key_than_its_certificate_is_refused() -> None:
    token = sign(STATEMENT, key=other_key(), headers={"x5c": [certificate_of(signing_key())]})
    statement, parts = signed(STATEMENT, token)

    assert refusal(statement, parts) == ("signature.invalid", SIGNATURE_FIELD)


@pytest.mark.parametrize("chain", [[], "MIIB", ["not base64!"], ["bm90IGEgY2VydGlmaWNhdGU="]])
def test_an_x5c_that_holds_no_certificate_is_refused(chain: object) -> None:
    statement, parts = signed(STATEMENT, sign(STATEMENT, headers={"x5c": chain}))

    assert refusal(statement, parts) == ("signature.certificate", SIGNATURE_FIELD)


def test_a_signature_whose_data_was_not_sent_is_refused() -> None:
    statement, _ = signed(STATEMENT, sign(STATEMENT))

    assert refusal(statement, {}) == ("signature.missing-part", SIGNATURE_FIELD)


# A whole request, as the conformance suite sends it -------------------------------------------


def suite_signed_request(algorithm: str = "RS256") -> tuple[bytes, str]:
    """The suite's `signStatement`: the statement without attachments signed, the signature
    attached, the body written with CRLFs and no spaces after the header colons."""
    key: Any = signing_key() if algorithm.startswith("RS") else b"k" * 32
    signature = sign(STATEMENT, algorithm=algorithm, key=key)
    statement, _ = signed(STATEMENT, signature)
    boundary = b"-------------2718281828"
    body = b"\r\n".join(
        [
            b"",
            b"--" + boundary,
            b"Content-Type:application/json",
            b"",
            json.dumps(statement).encode(),
            b"--" + boundary,
            b"Content-Type:application/octet-stream",
            b"Content-Transfer-Encoding:binary",
            b"X-Experience-API-Hash:" + statement["attachments"][0]["sha2"].encode(),
            b"",
            signature,
            b"--" + boundary + b"--",
        ]
    )
    return body, "multipart/mixed; boundary=" + boundary.decode()


def test_the_suites_signed_request_reads_matches_and_verifies() -> None:
    request = parse_multipart(*suite_signed_request())
    assert isinstance(request.statements, dict)

    check_attachments([request.statements], request.parts)
    check_signature(request.statements, request.parts, "statements[0]")

    assert request.statements["attachments"][0]["usageType"] == SIGNATURE_USAGE


def test_the_suites_signed_request_with_hs256_is_refused() -> None:
    request = parse_multipart(*suite_signed_request("HS256"))
    assert isinstance(request.statements, dict)
    check_attachments([request.statements], request.parts)

    assert refusal(request.statements, request.parts) == ("signature.algorithm", SIGNATURE_FIELD)
