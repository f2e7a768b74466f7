"""Signed statements (xAPI 1.0.3 Data 2.6), pure.

A signed statement carries a JSON Web Signature as an attachment with usageType
`http://adlnet.gov/expapi/attachments/signature` and contentType `application/octet-stream`.
The LRS refuses a malformed signature with 400 (2.6.s5.b1); to tell, it decodes the JWS, checks
that it uses RS256, RS384 or RS512, that its payload is the statement as it was before the
signature was added (by the statement comparison rules), and, when the JWS header carries an
X.509 chain (`x5c`), that the signature verifies with the first certificate's key.

That last check is there to catch mistakes, not to prove who signed (2.6.s5 note): the chain is
not validated against a trust anchor, and expiry is not checked (there is no clock here, and
when the statement was signed is unknown). Only the JWS compact serialisation is read; the
JSON serialisation is "strongly discouraged" (2.6.s4.b2) and refused as not a JWS. The data of a
signature must come with the request: one known only by its fileUrl cannot be checked, so it is
refused.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import get_default_algorithms

from questpath.xapi.attachments import OCTET_STREAM, Part, media_type
from questpath.xapi.comparison import statements_equivalent

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
ALGORITHMS = ("RS256", "RS384", "RS512")

__all__ = [
    "ALGORITHMS",
    "SIGNATURE_USAGE",
    "SignatureError",
    "check_signature",
    "statements_equivalent",
]


class SignatureError(ValueError):
    """A malformed statement signature; the route answers 400. `rule` is one of
    `signature.content-type`, `signature.missing-part`, `signature.not-jws`,
    `signature.algorithm`, `signature.certificate`, `signature.invalid`,
    `signature.payload-json`, `signature.payload-mismatch`; `field` is the signature attachment,
    like `statements[0].attachments[1]`."""

    def __init__(self, rule: str, field: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.field = field
        self.message = message


def check_signature(statement: Mapping[str, Any], parts: Mapping[str, Part], field: str) -> None:
    """Every signature attachment of `statement` (found at `field`, like `statements[0]`) holds
    a well-formed signature of it. A statement without a signature passes."""
    attachments = statement.get("attachments")
    if not isinstance(attachments, list):
        return
    for index, attachment in enumerate(attachments):
        if _is_signature(attachment):
            _check_one(statement, attachment, parts, f"{field}.attachments[{index}]")


def _check_one(
    statement: Mapping[str, Any],
    attachment: Mapping[str, Any],
    parts: Mapping[str, Part],
    field: str,
) -> None:
    if media_type(attachment.get("contentType")) != OCTET_STREAM:
        raise SignatureError(
            "signature.content-type", field, "a signature's contentType is application/octet-stream"
        )
    sha2 = attachment.get("sha2")
    part = parts.get(sha2.lower()) if isinstance(sha2, str) else None
    if part is None:
        raise SignatureError(
            "signature.missing-part", field, "a signature's data is sent as a part of the request"
        )
    if media_type(part.content_type) != OCTET_STREAM:
        raise SignatureError(
            "signature.content-type",
            field,
            "a signature part's Content-Type is application/octet-stream",
        )
    try:
        token = part.content.decode("ascii").strip()
        decoded = jwt.PyJWS().decode_complete(token, options={"verify_signature": False})
    except (UnicodeDecodeError, jwt.PyJWTError) as error:
        raise SignatureError(
            "signature.not-jws", field, "the signature is not a JWS in compact serialisation"
        ) from error
    header: dict[str, Any] = decoded["header"]
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise SignatureError("signature.algorithm", field, "a signature uses RS256, RS384 or RS512")
    if "x5c" in header:
        signing_input = token.rpartition(".")[0].encode()
        _verify(header["x5c"], algorithm, signing_input, decoded["signature"], field)
    signed = _signed_statement(decoded["payload"], field)
    if not statements_equivalent(_unsigned(signed), _unsigned(statement)):
        raise SignatureError(
            "signature.payload-mismatch", field, "the signature's payload is not this statement"
        )


def _verify(
    chain: object, algorithm: str, signing_input: bytes, signature: bytes, field: str
) -> None:
    """The signature against the key of the first certificate in `x5c` (RFC 7515 4.1.6:
    base64, not base64url, DER)."""
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        raise SignatureError("signature.certificate", field, "x5c is a list of certificates")
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except ValueError as error:  # bad base64 or bad DER
        raise SignatureError(
            "signature.certificate", field, "the first x5c entry is not a base64 DER certificate"
        ) from error
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise SignatureError(
            "signature.certificate", field, "the first x5c certificate's key is not an RSA key"
        )
    if not get_default_algorithms()[algorithm].verify(signing_input, key, signature):
        raise SignatureError(
            "signature.invalid", field, "the signature does not verify with the x5c certificate"
        )


def _signed_statement(payload: bytes, field: str) -> dict[str, Any]:
    try:
        signed = json.loads(payload.decode("utf-8"), parse_constant=_not_json)
    except ValueError as error:  # bad UTF-8 or bad JSON
        raise SignatureError(
            "signature.payload-json", field, "the signature's payload is not a JSON statement"
        ) from error
    if not isinstance(signed, dict):
        raise SignatureError(
            "signature.payload-json", field, "the signature's payload is not a JSON statement"
        )
    return signed


def _not_json(constant: str) -> object:
    raise ValueError(f"{constant} is not JSON")


def _unsigned(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement as it was before its signatures were added to its attachments."""
    out = dict(statement)
    attachments = out.get("attachments")
    if isinstance(attachments, list):
        kept = [a for a in attachments if not _is_signature(a)]
        if kept:
            out["attachments"] = kept
        else:
            del out["attachments"]
    return out


def _is_signature(attachment: object) -> bool:
    return isinstance(attachment, Mapping) and attachment.get("usageType") == SIGNATURE_USAGE
