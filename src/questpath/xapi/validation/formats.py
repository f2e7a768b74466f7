"""The string formats xAPI 1.0.3 requires: IRIs, mailto IRIs, UUIDs, RFC 5646 language tags,
ISO 8601 timestamps and durations, Internet media types.

Pure and fast: each format is one compiled expression written from its standard's grammar (RFC 3987
for IRIs, RFC 5646 section 2.1 for language tags, ISO 8601:2004 4.4.3.2 for durations), so a batch
of thousands of Statements is checked in milliseconds. The grammar libraries were slower by orders
of magnitude (an Earley parser per IRI) or looser (accepting "en_US" as a language tag).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

# RFC 3987 section 2.2, the absolute IRI with an optional fragment ("IRI" in the ABNF).
_UCSCHAR = (
    "\u00a0-\ud7ff\uf900-\ufdcf\ufdf0-\uffef"
    "\U00010000-\U0001fffd\U00020000-\U0002fffd\U00030000-\U0003fffd"
    "\U00040000-\U0004fffd\U00050000-\U0005fffd\U00060000-\U0006fffd"
    "\U00070000-\U0007fffd\U00080000-\U0008fffd\U00090000-\U0009fffd"
    "\U000a0000-\U000afffd\U000b0000-\U000bfffd\U000c0000-\U000cfffd"
    "\U000d0000-\U000dfffd\U000e1000-\U000efffd"
)
_IPRIVATE = "\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd"
_IUNRESERVED = f"A-Za-z0-9\\-._~{_UCSCHAR}"
_SUB_DELIMS = "!$&'()*+,;="
_PCT = "%[0-9A-Fa-f]{2}"
_IPCHAR = f"(?:[{_IUNRESERVED}{_SUB_DELIMS}:@]|{_PCT})"
_IUSERINFO = f"(?:[{_IUNRESERVED}{_SUB_DELIMS}:]|{_PCT})*"
_IP_LITERAL = r"\[(?:[0-9A-Fa-f:.]+|v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+)\]"
_IREG_NAME = f"(?:[{_IUNRESERVED}{_SUB_DELIMS}]|{_PCT})*"  # includes IPv4 addresses
_IAUTHORITY = f"(?:{_IUSERINFO}@)?(?:{_IP_LITERAL}|{_IREG_NAME})(?::[0-9]*)?"
_IHIER_PART = (
    f"(?://{_IAUTHORITY}(?:/{_IPCHAR}*)*"  # "//" iauthority ipath-abempty
    f"|(?!//)/?(?:{_IPCHAR}+(?:/{_IPCHAR}*)*)?)"  # ipath-absolute / -rootless / -empty
)
_IQUERY = f"(?:{_IPCHAR}|[{_IPRIVATE}/?])*"
_IFRAGMENT = f"(?:{_IPCHAR}|[/?])*"
_IRI = re.compile(
    f"[A-Za-z][A-Za-z0-9+\\-.]*:{_IHIER_PART}(?:\\?{_IQUERY})?(?:#{_IFRAGMENT})?", re.DOTALL
)

# RFC 5646 section 2.1: a well-formed language tag (the MUST is the sequence of token lengths).
# A primary language subtag of 4 letters is reserved, and none of 5 to 8 is registered: no valid
# tag has one, so only 2 or 3 letters (with extended subtags) are taken.
_GRANDFATHERED = (
    "en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn"
    "|i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE"
    "|art-lojban|cel-gaulish|no-bok|no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_PRIVATEUSE = "x(?:-[A-Za-z0-9]{1,8})+"
_LANGTAG = (
    "[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}"  # language ["-" extlang]
    "(?:-[A-Za-z]{4})?"  # script
    "(?:-(?:[A-Za-z]{2}|[0-9]{3}))?"  # region
    "(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"  # variants
    "(?:-[0-9A-WYZa-wyz](?:-[A-Za-z0-9]{2,8})+)*"  # extensions
    f"(?:-{_PRIVATEUSE})?"
)
_LANGUAGE_TAG = re.compile(f"(?:{_LANGTAG}|{_PRIVATEUSE}|{_GRANDFATHERED})", re.IGNORECASE)

_UUID = re.compile("[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")
_SHA1_HEX = re.compile("[0-9A-Fa-f]{40}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.][^@\s]*")

# RFC 2045 / RFC 6838: type "/" subtype *( ";" parameter ).
_RESTRICTED_NAME = "[A-Za-z0-9!#$%&'*+.^_`|~-]+"
_MEDIA_TYPE = re.compile(
    f"{_RESTRICTED_NAME}/{_RESTRICTED_NAME}"
    f'(?:[ \t]*;[ \t]*{_RESTRICTED_NAME}=(?:{_RESTRICTED_NAME}|"(?:[^"\\\\]|\\\\.)*"))*[ \t]*'
)

# ISO 8601:2004 4.4.3.2; only the last component given may carry a decimal fraction.
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_DURATION = re.compile(
    f"P(?!$)(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}D)?"
    f"(?:T(?=\\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?"
)
_WEEKS = re.compile(f"P{_NUMBER}W")
# Nominal lengths: a duration is compared as a string, these only give it a size in seconds.
_UNIT_SECONDS = (365 * 86400, 30 * 86400, 86400, 3600, 60, 1)

# ISO 8601 combined date and time, extended or basic format; the extended format also takes a
# basic offset ("+0530"), as many serialisers write it.
_OFFSET = r"(?P<zone>[Zz]|(?P<sign>[+-])(?P<oh>\d{2})(?::?(?P<om>\d{2}))?)?"
_EXTENDED = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})[Tt](?P<h>\d{2}):(?P<mi>\d{2})"
    r"(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?" + _OFFSET
)
_BASIC = re.compile(
    r"(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})[Tt](?P<h>\d{2})(?P<mi>\d{2})"
    r"(?:(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?" + _OFFSET.replace(":?", "")
)


def is_iri(text: object) -> bool:
    """An absolute IRI (RFC 3987) with its scheme, such as "http://example.com/verbs/done"."""
    return isinstance(text, str) and _IRI.fullmatch(text) is not None


def is_uri(text: object) -> bool:
    """An absolute URI: an IRI of ASCII characters only (RFC 3986)."""
    return is_iri(text) and isinstance(text, str) and text.isascii()


def is_mbox(text: object) -> bool:
    """A mailto IRI of one e-mail address: "mailto:name@example.com"."""
    if not isinstance(text, str) or not text.startswith("mailto:"):
        return False
    return _EMAIL.fullmatch(text[len("mailto:") :]) is not None and is_iri(text)


def is_sha1_hex(text: object) -> bool:
    """Forty hexadecimal digits, as "mbox_sha1sum" holds."""
    return isinstance(text, str) and _SHA1_HEX.fullmatch(text) is not None


def is_language_tag(text: object) -> bool:
    """An RFC 5646 language tag, such as "en", "en-US", "zh-Hant-TW" or "tlh": well-formed,
    with no variant and no extension singleton repeated (section 2.2.9), and no reserved or
    unregistered primary language subtag. Subtags are not looked up in the registry."""
    if not isinstance(text, str) or _LANGUAGE_TAG.fullmatch(text) is None:
        return False
    subtags = text.lower().split("-")
    if "x" in subtags:
        subtags = subtags[: subtags.index("x")]
    singletons = [s for s in subtags[1:] if len(s) == 1]
    first_singleton = next((i for i, s in enumerate(subtags) if len(s) == 1), len(subtags))
    variants = [
        s for s in subtags[1:first_singleton] if len(s) >= 5 or (len(s) == 4 and s[0].isdigit())
    ]
    return len(set(singletons)) == len(singletons) and len(set(variants)) == len(variants)


def is_uuid(text: object) -> bool:
    """A UUID in its standard string form, 8-4-4-4-12 hexadecimal digits."""
    return isinstance(text, str) and _UUID.fullmatch(text) is not None


def is_media_type(text: object) -> bool:
    """An Internet media type such as "text/plain; charset=ascii"."""
    return isinstance(text, str) and _MEDIA_TYPE.fullmatch(text) is not None


def parse_duration(text: str) -> float | None:
    """The seconds an ISO 8601 duration ("PT1H30M", "P3Y", "P4W") stands for; None if invalid.

    Years count 365 days and months 30: xAPI compares durations as strings, so these nominal
    lengths only order and size them. The alternative format ("P0003-01-29") is not allowed.
    """
    weeks = _WEEKS.fullmatch(text)
    if weeks is not None:
        value = _decimal(weeks.group(1))
        return float(value * 7 * 86400) if value is not None else None
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    parts = zip(match.groups(), _UNIT_SECONDS, strict=True)
    given = [(part, unit) for part, unit in parts if part is not None]
    if any("." in part or "," in part for part, _ in given[:-1]):
        return None  # a fraction is allowed on the lowest order component only
    total = Decimal(0)
    for part, unit in given:
        value = _decimal(part)
        if value is None:  # pragma: no cover - the expressions only let digits through
            return None
        total += value * unit
    return float(total)


def parse_timestamp(text: str) -> datetime | None:
    """The moment an ISO 8601 combined date and time names, as an aware datetime; None if invalid.

    A timestamp without a time zone is read as UTC (xAPI only recommends the zone). The offsets
    "-00", "-0000" and "-00:00" are rejected: ISO 8601 does not allow a negative zero offset and
    RFC 3339 gives it the meaning "offset unknown". Digits past microseconds are dropped.
    """
    match = _EXTENDED.fullmatch(text) or _BASIC.fullmatch(text)
    if match is None:
        return None
    zone = _zone(match)
    if zone is None:
        return None
    fraction = (match.group("f") or "0")[:6].ljust(6, "0")
    try:
        return datetime(
            int(match.group("y")),
            int(match.group("mo")),
            int(match.group("d")),
            int(match.group("h")),
            int(match.group("mi")),
            int(match.group("s") or 0),
            int(fraction),
            tzinfo=zone,
        )
    except ValueError:  # month 13, February 30th, hour 24, second 60 ...
        return None


def _zone(match: re.Match[str]) -> timezone | None:
    if match.group("zone") is None or match.group("zone") in ("Z", "z"):
        return UTC
    hours, minutes = int(match.group("oh")), int(match.group("om") or 0)
    if hours > 23 or minutes > 59:
        return None
    if hours == 0 and minutes == 0 and match.group("sign") == "-":
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if match.group("sign") == "-" else offset)


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the expressions only let digits through
        return None
