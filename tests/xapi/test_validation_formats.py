"""The string formats of xAPI 1.0.3: IRIs, mailto IRIs, UUIDs, language tags, media types,
ISO 8601 durations and timestamps.

Expectations come from the specification (Data 4.3 to 4.6, 2.4.2.3) and the values the ADL LRS
conformance suite sends: "ab=c://should.fail.com" is no IRI, "a12345" and "de-419-DE" are no
language tags, "PA1H0M0S" is no duration, a "-00:00" offset is no time zone.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.xapi.validation.formats import (
    is_iri,
    is_language_tag,
    is_mbox,
    is_media_type,
    is_sha1_hex,
    is_uri,
    is_uuid,
    parse_duration,
    parse_timestamp,
)


@pytest.mark.parametrize(
    "text",
    [
        "http://adlnet.gov/expapi/verbs/attended",
        "http://example.com/xapi/verbs#defenestrated",
        "https://www.youtube.com/watch?v=xh4kIiH3Sm8",
        "http://example.com/فعل/خواندن",
        "urn:uuid:fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "mailto:learner@example.com",
        "tag:example.com,2026:activity/1",
        "http://[::1]:8080/path",
        "http://user:pass@example.com:8080/a%20b?q=1#top",
    ],
)
def test_absolute_iris_with_a_scheme_are_iris(text: str) -> None:
    assert is_iri(text)


@pytest.mark.parametrize(
    "text",
    [
        "ab=c://should.fail.com",
        "should fail",
        "",
        "example.com/no-scheme",
        "/relative/path",
        "#fragment",
        "http://example.com/with space",
        "http://example.com/%zz",
        "http://example.com/#two#fragments",
        "1http://example.com",
    ],
)
def test_strings_without_a_scheme_or_with_forbidden_characters_are_not_iris(text: str) -> None:
    assert not is_iri(text)


def test_non_strings_are_no_format_at_all() -> None:
    for check in (is_iri, is_uri, is_mbox, is_sha1_hex, is_language_tag, is_uuid, is_media_type):
        assert not check(12345)
        assert not check(None)
        assert not check({"key": "value"})


def test_a_uri_is_an_iri_of_ascii_characters() -> None:
    assert is_uri("http://openid.example.org/12345")
    assert not is_uri("http://example.com/فعل")
    assert not is_uri("ab=c://should.fail.com")


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("mailto:xapi@adlnet.gov", True),
        ("mailto:first.last+tag@sub.example.co.uk", True),
        ("mailto:should.fail.com", False),
        ("http://should.fail.com", False),
        ("xapi@adlnet.gov", False),
        ("MAILTO:xapi@adlnet.gov", False),
        ("mailto:", False),
        ("mailto:a@", False),
        ("mailto:a b@example.com", False),
    ],
)
def test_an_mbox_is_mailto_and_one_address(text: str, valid: bool) -> None:
    assert is_mbox(text) is valid


def test_an_mbox_sha1sum_is_forty_hex_digits() -> None:
    assert is_sha1_hex("cd9b00a5611f94eaa7b1661edab976068e364975")
    assert is_sha1_hex("CD9B00A5611F94EAA7B1661EDAB976068E364975")
    assert not is_sha1_hex("cd9b00a5611f94eaa7b1661edab976068e36497")
    assert not is_sha1_hex("zd9b00a5611f94eaa7b1661edab976068e364975")


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "en-US",
        "es-MX",
        "es-419",
        "zh-Hant-TW",
        "tlh",
        "de-CH-1901",
        "sl-rozaj-biske",
        "en-a-bbb-x-a-ccc",
        "x-private",
        "i-klingon",
        "zh-min-nan",
        "EN-us",
        "und",
    ],
)
def test_well_formed_rfc_5646_tags_are_language_tags(tag: str) -> None:
    assert is_language_tag(tag)


@pytest.mark.parametrize(
    "tag",
    [
        "a12345",
        "de-419-DE",
        "en_US",
        "en-",
        "-en",
        "en--US",
        "",
        "abcdefghi",
        "en-US-US",
        "12",
        "e",
        "test",  # a 4-letter primary language subtag is reserved
        "abcde",
        "ar-a-aaa-b-bbb-a-ccc",  # an extension singleton repeated
        "de-1901-1901",  # a variant repeated
    ],
)
def test_ill_formed_tags_are_not_language_tags(tag: str) -> None:
    assert not is_language_tag(tag)


def test_a_uuid_is_in_standard_form_in_either_case() -> None:
    assert is_uuid("fd41c918-b88b-4b20-a0a5-a4c32391aaa0")
    assert is_uuid("AA97B177-9383-4934-8543-0F91A7A02836")
    assert is_uuid("12345678-1234-5678-1234-567812345678")  # the specification's own example
    assert not is_uuid("AA97B177-9383-4934-8543-0F91A7A028368")  # too many digits
    assert not is_uuid("MA97B177-9383-4934-8543-0F91A7A02836")  # not hexadecimal
    assert not is_uuid("fd41c918b88b4b20a0a5a4c32391aaa0")
    assert not is_uuid("{fd41c918-b88b-4b20-a0a5-a4c32391aaa0}")


def test_media_types_need_a_type_and_a_subtype() -> None:
    assert is_media_type("text/plain; charset=ascii")
    assert is_media_type("application/octet-stream")
    assert is_media_type('multipart/mixed; boundary="abc ABC"')
    assert not is_media_type("should fail")
    assert not is_media_type("text/")
    assert not is_media_type("")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT1H0M0.1S", 3600.1),
        ("PT4H35M59.14S", 16559.14),
        ("PT16559.14S", 16559.14),
        ("P3Y1M29DT4H35M59.14S", 3 * 365 * 86400 + 30 * 86400 + 29 * 86400 + 16559.14),
        ("P3Y", 3 * 365 * 86400),
        ("P4W", 4 * 7 * 86400),
        ("PT1234S", 1234),
        ("PT1H0M0S", 3600),
        ("P0D", 0),
        ("PT0,5S", 0.5),
        ("P1.5D", 1.5 * 86400),
    ],
)
def test_iso_8601_durations_parse_to_seconds(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text",
    [
        "PA1H0M0S",
        "should fail",
        "",
        "P",
        "PT",
        "P4W1D",
        "P1.5Y2M",
        "-PT1S",
        "PT1H30",
        "1H",
        "P0003-01-29T04:35:59",
        "pt1h",
        "P16559.14S",
        "PT1.5H30M",
    ],
)
def test_malformed_or_alternative_format_durations_are_rejected(text: str) -> None:
    assert parse_duration(text) is None


@given(st.decimals(min_value=0, max_value=10**8, places=2))
def test_durations_written_from_seconds_round_trip(seconds: Decimal) -> None:
    whole = int(seconds)
    hours, minutes, rest = whole // 3600, whole % 3600 // 60, seconds - whole // 60 * 60
    assert parse_duration(f"PT{seconds}S") == pytest.approx(float(seconds))
    assert parse_duration(f"PT{hours}H{minutes}M{rest}S") == pytest.approx(float(seconds))


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2013-05-18T05:32:34.804Z", datetime(2013, 5, 18, 5, 32, 34, 804000, UTC)),
        ("2015-11-18T12:17:00+00:00", datetime(2015, 11, 18, 12, 17, tzinfo=UTC)),
        ("2008-09-15T15:53:00.601+05:30", datetime(2008, 9, 15, 10, 23, 0, 601000, UTC)),
        ("2008-09-15T15:53:00-0500", datetime(2008, 9, 15, 20, 53, tzinfo=UTC)),
        ("2008-09-15T15:53:00-05", datetime(2008, 9, 15, 20, 53, tzinfo=UTC)),
        ("20080915T155300Z", datetime(2008, 9, 15, 15, 53, tzinfo=UTC)),
        ("2008-09-15T15:53Z", datetime(2008, 9, 15, 15, 53, tzinfo=UTC)),
        ("2008-09-15T15:53:00", datetime(2008, 9, 15, 15, 53, tzinfo=UTC)),  # no zone: UTC
        ("2008-09-15T15:53:00.1234567Z", datetime(2008, 9, 15, 15, 53, 0, 123456, UTC)),
    ],
)
def test_iso_8601_timestamps_parse_to_aware_moments(text: str, moment: datetime) -> None:
    parsed = parse_timestamp(text)
    assert parsed is not None
    assert parsed.tzinfo is not None
    assert parsed == moment


@pytest.mark.parametrize(
    "text",
    [
        "should fail",
        "01/011/2015",
        "2008-09-15T15:53:00.601-00",
        "2008-09-15T15:53:00.601-0000",
        "2008-09-15T15:53:00.601-00:00",
        "2008-09-15",
        "2008-09-15 15:53:00Z",
        "2008-13-15T15:53:00Z",
        "2008-02-30T15:53:00Z",
        "2008-09-15T24:00:00Z",
        "2008-09-15T15:53:00+24:00",
        "2008-09-15T1553Z",
        "July 04, 1776 16:00:45",
        "",
    ],
)
def test_malformed_timestamps_and_negative_zero_offsets_are_rejected(text: str) -> None:
    assert parse_timestamp(text) is None


@given(
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    st.integers(-23 * 60 - 59, 23 * 60 + 59),
)
def test_timestamps_written_with_any_offset_round_trip(moment: datetime, minutes: int) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    assert parse_timestamp(aware.isoformat()) == aware
