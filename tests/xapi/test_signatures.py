"""Signed Statements (xAPI Data 2.6): the LRS rejects a malformed signature with 400.

The cases are those of the ADL conformance suite (a signature with the wrong algorithm, a payload
that is not JSON) and the specification's LRS requirements: the payload must be the Statement
received, and a signature carrying an X.509 chain must verify against its first certificate.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from questpath.xapi.validation import signature_hash, signature_violations
from tests.xapi.statements import GROUP_ANONYMOUS, STATEMENT

Json = Any
SIGNED = {
    **STATEMENT,
    "id": "33cff416-e331-4c9d-969e-5373a1756120",
    "timestamp": "2013-04-01T12:00:00Z",
}
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
HASHES = {"RS256": hashes.SHA256, "RS384": hashes.SHA384, "RS512": hashes.SHA512}


def encoded(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def certificate(key: rsa.RSAPrivateKey) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Signer")])
    now = datetime.now(UTC)
    built = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    return base64.b64encode(built.public_bytes(Encoding.DER)).decode("ascii")


def jws(
    payload: bytes | Json,
    *,
    alg: str = "RS256",
    key: rsa.RSAPrivateKey = KEY,
    x5c: list[str] | None = None,
) -> bytes:
    header: Json = {"alg": alg, **({"x5c": x5c} if x5c is not None else {})}
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    signing_input = f"{encoded(json.dumps(header).encode())}.{encoded(body)}".encode()
    digest = HASHES.get(alg, hashes.SHA256)()
    signature = key.sign(signing_input, padding.PKCS1v15(), digest)
    return signing_input + b"." + encoded(signature).encode()


def with_signature(statement: Json) -> Json:
    attachment = {
        "usageType": "http://adlnet.gov/expapi/attachments/signature",
        "display": {"en-US": "Signed by the Test Suite"},
        "contentType": "application/octet-stream",
        "length": 1,
        "sha2": "ab" * 32,
    }
    return {**statement, "attachments": [attachment]}


def rules(violations: list[Any]) -> set[tuple[str, str]]:
    return {(violation.rule, violation.field) for violation in violations}


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512"])
def test_a_signature_of_the_statement_received_is_accepted(alg: str) -> None:
    assert signature_violations(with_signature(SIGNED), jws(SIGNED, alg=alg)) == []


def test_a_signature_verifying_against_its_certificate_is_accepted() -> None:
    signed = jws(SIGNED, x5c=[certificate(KEY)])
    assert signature_violations(with_signature(SIGNED), signed) == []


def test_a_signature_the_certificate_does_not_verify_is_rejected() -> None:
    signed = jws(SIGNED, key=OTHER_KEY, x5c=[certificate(KEY)])
    assert rules(signature_violations(with_signature(SIGNED), signed)) == {
        ("signature.invalid", "attachments")
    }


def test_a_certificate_chain_that_is_no_certificate_is_rejected() -> None:
    for chain in (["bm90IGEgY2VydGlmaWNhdGU="], [], "MIIB", [12]):
        signed = jws(SIGNED, x5c=chain)  # type: ignore[arg-type]
        assert ("signature.invalid", "attachments") in rules(
            signature_violations(with_signature(SIGNED), signed)
        )


def test_a_symmetric_algorithm_is_rejected() -> None:
    header = encoded(json.dumps({"alg": "HS256"}).encode())
    signed = f"{header}.{encoded(json.dumps(SIGNED).encode())}.{encoded(b'mac')}".encode()
    assert rules(signature_violations(with_signature(SIGNED), signed)) == {
        ("signature.algorithm", "attachments")
    }


def test_a_payload_that_is_not_json_is_rejected() -> None:
    broken = json.dumps(SIGNED).replace('"', "'", 1).encode()
    assert rules(signature_violations(with_signature(SIGNED), jws(broken))) == {
        ("signature.payload", "attachments")
    }


@pytest.mark.parametrize(
    "data",
    [
        b"not a jws",
        b"a.b",
        "é.é.é".encode(),
        b"e30.e30.e30.e30",
        jws(SIGNED).replace(b".", b"!", 1),
    ],
)
def test_data_that_is_no_compact_jws_is_rejected(data: bytes) -> None:
    assert rules(signature_violations(with_signature(SIGNED), data, "[2]")) == {
        ("signature.malformed", "[2].attachments")
    }


def test_a_header_that_is_no_object_is_rejected() -> None:
    signed = f"{encoded(b'[1]')}.{encoded(b'{}')}.{encoded(b'x')}".encode()
    assert rules(signature_violations(with_signature(SIGNED), signed)) == {
        ("signature.malformed", "attachments")
    }


@pytest.mark.parametrize(
    "original",
    [
        {**SIGNED, "verb": {"id": "http://example.com/verbs/other"}},
        {**SIGNED, "result": {"success": True}},
        {**SIGNED, "timestamp": "2013-04-01T12:00:01Z"},
        {**SIGNED, "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"},
        {**SIGNED, "actor": {"mbox": "mailto:someone.else@example.com"}},
        [SIGNED],
    ],
)
def test_a_signature_of_another_statement_is_rejected(original: Json) -> None:
    assert rules(signature_violations(with_signature(SIGNED), jws(original))) == {
        ("signature.statement", "attachments")
    }


def test_comparison_ignores_what_the_lrs_may_assign_and_serialise_differently() -> None:
    received = {
        **SIGNED,
        "actor": GROUP_ANONYMOUS,
        "timestamp": "2013-04-01T14:00:00+02:00",
        "stored": "2013-04-01T12:00:05Z",
        "result": {"score": {"raw": 1.0}},
    }
    original = {
        **{key: value for key, value in SIGNED.items() if key != "id"},
        "actor": {**GROUP_ANONYMOUS, "member": GROUP_ANONYMOUS["member"][::-1]},
        "result": {"score": {"raw": 1}},
    }
    assert signature_violations(with_signature(received), jws(original)) == []


def test_a_boolean_never_equals_a_number() -> None:
    received = {**SIGNED, "result": {"success": True}}
    original = {**SIGNED, "result": {"success": 1}}
    assert rules(signature_violations(with_signature(received), jws(original))) == {
        ("signature.statement", "attachments")
    }


def test_the_signature_part_is_found_by_the_signature_attachment_hash() -> None:
    assert signature_hash(with_signature(SIGNED)) == "ab" * 32
    assert signature_hash(SIGNED) is None
    assert signature_hash({**SIGNED, "attachments": [12, {"usageType": "x", "sha2": "cd"}]}) is None
    unhashed = {"usageType": "http://adlnet.gov/expapi/attachments/signature"}
    assert signature_hash({**SIGNED, "attachments": [unhashed]}) is None
    assert signature_hash("no statement") is None
