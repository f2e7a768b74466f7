"""Signed Statements (xAPI Data 2.6): a JSON Web Signature attached to the Statement it signs.

The signature is an Attachment with usageType ".../attachments/signature" whose data (a part of
the multipart/mixed request) is a JWS in compact serialization. The LRS must reject it with 400
when it is malformed: not a JWS, an algorithm other than RS256, RS384 or RS512, a payload that
is not the JSON of a Statement logically equivalent to the one received, or, when its header
carries an X.509 certificate chain ("x5c"), a signature that the first certificate's key does
not verify.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from questpath.xapi import checks as c
from questpath.xapi.attachments import SIGNATURE
from questpath.xapi.checks import Violation
from questpath.xapi.formats import parse_timestamp

ALGORITHMS: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "RS256": hashes.SHA256,
    "RS384": hashes.SHA384,
    "RS512": hashes.SHA512,
}
# Data 2.3.1: properties the LRS may assign or rewrite, and so differences a signature ignores
# when one side lacks them; attachments are no part of the Statement.
_ASSIGNED = ("id", "authority", "stored", "timestamp", "version")


def signature_hash(statement: object) -> str | None:
    """The sha2 of a Statement's signature attachment: the hash of the request part holding the
    JWS. None when the Statement is not signed."""
    if not isinstance(statement, dict) or not isinstance(statement.get("attachments"), list):
        return None
    for attachment in statement["attachments"]:
        if isinstance(attachment, dict) and attachment.get("usageType") == SIGNATURE:
            sha2 = attachment.get("sha2")
            return sha2 if isinstance(sha2, str) else None
    return None


def signature_violations(statement: object, jws: bytes, field: str = "") -> list[Violation]:
    """The violations of the JWS `jws` signing `statement` (the Statement at `field`)."""
    where = c.at(field, "attachments")
    parts = _compact(jws)
    if parts is None:
        message = "The signature attachment is not a JWS in compact serialization."
        return [Violation("signature.malformed", where, message)]
    header, payload, signed, signature = parts
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        message = (
            f'The signature must use the algorithm RS256, RS384 or RS512; its "alg" is '
            f"{c.shown(algorithm)}."
        )
        return [Violation("signature.algorithm", where, message)]
    try:
        original = json.loads(payload)
    except ValueError:
        message = "The signature's payload is not the JSON serialization of a Statement."
        return [Violation("signature.payload", where, message)]
    out: c.Out = []
    if not isinstance(original, dict) or not _equivalent(_unsigned(original), _unsigned(statement)):
        message = "The Statement signed is not the Statement received (Data 2.6)."
        out.append(Violation("signature.statement", where, message))
    if "x5c" in header and not _verified(header["x5c"], str(algorithm), signed, signature):
        message = "The signature does not verify against the first certificate of its x5c chain."
        out.append(Violation("signature.invalid", where, message))
    return out


def _compact(jws: bytes) -> tuple[dict[str, object], bytes, bytes, bytes] | None:
    """The header, payload, signing input and signature of a compact JWS; None if malformed."""
    try:
        text = jws.decode("ascii").strip()
        encoded_header, encoded_payload, encoded_signature = text.split(".")
        header = json.loads(_base64url(encoded_header))
        payload = _base64url(encoded_payload)
        signature = _base64url(encoded_signature)
    except (UnicodeDecodeError, ValueError, binascii.Error):
        return None
    if not isinstance(header, dict):
        return None
    return header, payload, f"{encoded_header}.{encoded_payload}".encode("ascii"), signature


def _base64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _unsigned(statement: object) -> dict[str, object]:
    if not isinstance(statement, dict):
        return {}
    return {key: value for key, value in statement.items() if key != "attachments"}


def _equivalent(original: dict[str, object], received: dict[str, object]) -> bool:
    """Equal but for what Statement comparison ignores (Data 2.3.1): properties the LRS assigns
    when one side lacks them, a timestamp's serialisation, the order of a Group's members."""
    original, received = dict(original), dict(received)
    for key in _ASSIGNED:
        if key not in original or key not in received:
            original.pop(key, None)
            received.pop(key, None)
    for key in ("timestamp", "stored"):
        if key in original and not _same_moment(original.pop(key), received.pop(key)):
            return False
    return _same(original, received)


def _same_moment(first: object, second: object) -> bool:
    if not isinstance(first, str) or not isinstance(second, str):
        return first == second
    moment = parse_timestamp(first)
    return moment is not None and moment == parse_timestamp(second)


def _same(first: object, second: object, key: str = "") -> bool:
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(
            _same(first[name], second[name], name) for name in first
        )
    if isinstance(first, list) and isinstance(second, list):
        if len(first) != len(second):
            return False
        if key == "member":  # a Group's members are unordered
            canonical = sorted(json.dumps(m, sort_keys=True) for m in first)
            return canonical == sorted(json.dumps(m, sort_keys=True) for m in second)
        return all(_same(a, b) for a, b in zip(first, second, strict=True))
    return (type(first) is type(second) and first == second) or _same_number(first, second)


def _same_number(first: object, second: object) -> bool:
    numbers = (int, float)
    return (
        isinstance(first, numbers)
        and isinstance(second, numbers)
        and not isinstance(first, bool)
        and not isinstance(second, bool)
        and first == second
    )


def _verified(chain: object, algorithm: str, signed: bytes, signature: bytes) -> bool:
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        return False
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            return False
        key.verify(signature, signed, padding.PKCS1v15(), ALGORITHMS[algorithm]())
    except (ValueError, binascii.Error, InvalidSignature):
        return False
    return True
