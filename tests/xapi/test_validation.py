"""Statement validation against xAPI 1.0.3: what the LRS must accept and what it must reject with
400 Bad Request.

The valid Statements come from the specification's examples (Data Appendices A to C) and the
templates the ADL LRS conformance suite sends expecting 200; the invalid ones from the suite's
configurations expecting 400 (configs/*.js in test/v1_0_3) and the specification's MUSTs. Each
invalid case names the rule and the JSON path of the value that breaks it.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from questpath.xapi.validation import (
    Violation,
    activity_id_violations,
    agent_violations,
    statement_violations,
    statements_violations,
)
from tests.xapi.statements import (
    ACTIVITY,
    AGENT,
    ATTACHMENT,
    CONTEXT,
    GROUP_ANONYMOUS,
    GROUP_IDENTIFIED,
    INTERACTIONS,
    RESULT,
    STATEMENT,
    SUBSTATEMENT,
    statements,
)

Json = Any
DROP = object()  # `changed` removes the property


def rules_at(violations: list[Violation]) -> set[tuple[str, str]]:
    return {(violation.rule, violation.field) for violation in violations}


def changed(document: Json, path: str, value: Json) -> Json:
    """A deep copy of `document` with the value at `path` ("object.definition.choices[0].id")
    set, or removed when `value` is DROP."""
    result = copy.deepcopy(document)
    steps: list[str | int] = [
        int(index) if index else key for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    ]
    parent = result
    for step in steps[:-1]:
        parent = parent[step]
    if value is DROP:
        del parent[steps[-1]]
    else:
        parent[steps[-1]] = value
    return result


def with_object(value: Json) -> Json:
    return changed(STATEMENT, "object", value)


def with_definition(**definition: Json) -> Json:
    return with_object({**ACTIVITY, "definition": definition})


def with_result(**result: Json) -> Json:
    return changed(STATEMENT, "result", result)


def with_context(**context: Json) -> Json:
    return changed(STATEMENT, "context", context)


def with_attachment(**changes: Json) -> Json:
    attachment = {**ATTACHMENT, **changes}
    return changed(
        STATEMENT, "attachments", [{k: v for k, v in attachment.items() if v is not DROP}]
    )


def in_substatement(path: str, value: Json) -> Json:
    return with_object(changed(SUBSTATEMENT, path, value))


VALID = {
    "the simplest statement": STATEMENT,
    "statement with id, timestamp, version 1.0.0": {
        **STATEMENT,
        "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0",
        "timestamp": "2015-11-18T12:17:00+00:00",
        "stored": "2013-05-18T05:32:34.804+00:00",
        "version": "1.0.0",
    },
    "version 1.0": {**STATEMENT, "version": "1.0"},
    "version 1.0.9": {**STATEMENT, "version": "1.0.9"},
    "version 1.0.0 with a pre-release": {**STATEMENT, "version": "1.0.0-rc1"},
    "timestamp in basic format": {**STATEMENT, "timestamp": "20130518T053234Z"},
    "actor by mbox_sha1sum": changed(
        STATEMENT, "actor", {"mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"}
    ),
    "actor by openid": changed(STATEMENT, "actor", {"openid": "http://openid.example.org/12345"}),
    "actor by account": changed(
        STATEMENT,
        "actor",
        {
            "objectType": "Agent",
            "account": {"homePage": "http://www.example.com", "name": "1625378"},
        },
    ),
    "actor an anonymous group": changed(STATEMENT, "actor", GROUP_ANONYMOUS),
    "actor an identified group with members": changed(STATEMENT, "actor", GROUP_IDENTIFIED),
    "actor an identified group without members": changed(
        STATEMENT, "actor", {"objectType": "Group", "mbox": "mailto:teampb@example.com"}
    ),
    "verb without display": changed(STATEMENT, "verb", {"id": "http://example.com/verbs/planned"}),
    "object an activity without objectType": with_object({"id": "http://example.com/a"}),
    "object an activity with full definition": with_object(
        {
            "objectType": "Activity",
            "id": "http://www.example.com/meetings/occurances/34534",
            "definition": {
                "name": {"en-GB": "example meeting", "en-US": "example meeting"},
                "description": {"en-US": "An example meeting."},
                "type": "http://adlnet.gov/expapi/activities/meeting",
                "moreInfo": "http://virtualmeeting.example.com/345256",
                "extensions": {"http://example.com/room": {"name": "Kilby", "id": None}},
            },
        }
    ),
    "object an agent": with_object({**AGENT, "objectType": "Agent"}),
    "object a group": with_object(GROUP_ANONYMOUS),
    "object a statement reference": with_object(
        {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}
    ),
    "object a substatement": with_object(SUBSTATEMENT),
    "substatement of an agent with future timestamp": with_object(
        {
            **SUBSTATEMENT,
            "object": {"objectType": "Agent", "mbox": "mailto:a@example.com"},
            "timestamp": "2999-01-01T00:00:00Z",
        }
    ),
    "substatement with result and context": with_object(
        {**SUBSTATEMENT, "result": RESULT, "context": CONTEXT}
    ),
    "substatement of a statement reference": with_object(
        {
            **SUBSTATEMENT,
            "object": {"objectType": "StatementRef", "id": "9e13cefd-53d3-4eac-b5ed-2cf6693903bb"},
        }
    ),
    "voiding statement": {
        **STATEMENT,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": "e05aa883-acaf-40ad-bf54-02c8ce485fb0"},
    },
    "full result": changed(STATEMENT, "result", RESULT),
    "score with only scaled -1": with_result(score={"scaled": -1.0}),
    "score raw equal to max": with_result(score={"raw": 100, "min": 0, "max": 100}),
    "score with decimals": with_result(score={"max": 100.6767676}),
    "result extensions with null value": with_result(extensions={"http://example.com/null": None}),
    "result extensions empty": with_result(extensions={}),
    "full context": changed(STATEMENT, "context", CONTEXT),
    "context activity single objects": with_context(
        contextActivities={
            key: {"id": "http://example.com/a"}
            for key in ("parent", "grouping", "category", "other")
        }
    ),
    "context instructor a group": with_context(instructor=GROUP_ANONYMOUS),
    "context statement reference": with_context(
        statement={"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}
    ),
    "context of an agent object without revision or platform": {
        **with_object({**AGENT, "objectType": "Agent"}),
        "context": {"language": "en-US", "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"},
    },
    "attachments": changed(STATEMENT, "attachments", [ATTACHMENT]),
    "attachment without fileUrl or description": with_attachment(fileUrl=DROP, description=DROP),
    "signature attachment": with_attachment(
        usageType="http://adlnet.gov/expapi/attachments/signature",
        contentType="application/octet-stream",
    ),
    "authority an agent": {**STATEMENT, "authority": AGENT},
    "authority a group of two agents": {
        **STATEMENT,
        "authority": {
            "objectType": "Group",
            "member": [
                {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "x75db"}},
                {"mbox": "mailto:bob@example.com"},
            ],
        },
    },
    "unicode in display": changed(STATEMENT, "verb.display", {"zh-Hant-TW": "參加了", "tlh": "…"}),
    **{
        f"interaction {name}": with_object({**ACTIVITY, "definition": definition})
        for name, definition in INTERACTIONS.items()
    },
    "interaction with an empty pattern list": with_definition(
        interactionType="true-false", correctResponsesPattern=[]
    ),
    "interaction without patterns or lists": with_definition(interactionType="likert"),
}


@pytest.mark.parametrize("statement", VALID.values(), ids=VALID.keys())
def test_valid_statements_have_no_violation(statement: Json) -> None:
    assert statement_violations(statement) == []


INVALID_STRING = "should fail"
INVALID_OBJECT = {"key": "should fail"}
GROUP_OBJECT = {"objectType": "Group", "member": [AGENT]}

INVALID: list[tuple[str, Json, str, str]] = [
    # Data 2.2: required properties, exact case, no unknown properties, no nulls.
    ("actor missing", changed(STATEMENT, "actor", DROP), "required", "actor"),
    ("verb missing", changed(STATEMENT, "verb", DROP), "required", "verb"),
    ("object missing", changed(STATEMENT, "object", DROP), "required", "object"),
    (
        "Actor in the wrong case",
        {**changed(STATEMENT, "actor", DROP), "Actor": AGENT},
        "unknown-property",
        "Actor",
    ),
    (
        "iD in the wrong case",
        {**STATEMENT, "iD": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"},
        "unknown-property",
        "iD",
    ),
    (
        "timeStamp in the wrong case",
        {**STATEMENT, "timeStamp": "2013-05-18T05:32:34.804Z"},
        "unknown-property",
        "timeStamp",
    ),
    (
        "attachmentS in the wrong case",
        {**STATEMENT, "attachmentS": [ATTACHMENT]},
        "unknown-property",
        "attachmentS",
    ),
    ("unknown statement property", {**STATEMENT, "mood": "happy"}, "unknown-property", "mood"),
    ("statement not an object", ["actor"], "type", ""),
    ("actor name null", changed(STATEMENT, "actor.name", None), "null", "actor.name"),
    (
        "verb display value null",
        changed(STATEMENT, "verb.display.en-US", None),
        "null",
        "verb.display.en-US",
    ),
    ("context registration null", with_context(registration=None), "null", "context.registration"),
    ("moreInfo null", with_definition(moreInfo=None), "null", "object.definition.moreInfo"),
    # Statement id, timestamp, stored, version.
    ("id a number", {**STATEMENT, "id": 12345}, "type", "id"),
    ("id an object", {**STATEMENT, "id": INVALID_OBJECT}, "type", "id"),
    (
        "id too many digits",
        {**STATEMENT, "id": "AA97B177-9383-4934-8543-0F91A7A028368"},
        "uuid",
        "id",
    ),
    (
        "id not hexadecimal",
        {**STATEMENT, "id": "MA97B177-9383-4934-8543-0F91A7A02836"},
        "uuid",
        "id",
    ),
    ("id empty", {**STATEMENT, "id": ""}, "uuid", "id"),
    ("timestamp a word", {**STATEMENT, "timestamp": INVALID_STRING}, "timestamp", "timestamp"),
    ("timestamp a US date", {**STATEMENT, "timestamp": "01/011/2015"}, "timestamp", "timestamp"),
    (
        "timestamp offset -00",
        {**STATEMENT, "timestamp": "2008-09-15T15:53:00.601-00"},
        "timestamp",
        "timestamp",
    ),
    (
        "timestamp offset -0000",
        {**STATEMENT, "timestamp": "2008-09-15T15:53:00.601-0000"},
        "timestamp",
        "timestamp",
    ),
    (
        "timestamp offset -00:00",
        {**STATEMENT, "timestamp": "2008-09-15T15:53:00.601-00:00"},
        "timestamp",
        "timestamp",
    ),
    ("stored invalid", {**STATEMENT, "stored": "yesterday"}, "timestamp", "stored"),
    ("version a word", {**STATEMENT, "version": INVALID_STRING}, "version", "version"),
    ("version 0.9.9", {**STATEMENT, "version": "0.9.9"}, "version", "version"),
    ("version 1.1.0", {**STATEMENT, "version": "1.1.0"}, "version", "version"),
    ("version 1.0.x", {**STATEMENT, "version": "1.0.x"}, "version", "version"),
    ("version 1.0.", {**STATEMENT, "version": "1.0."}, "version", "version"),
    ("version a number", {**STATEMENT, "version": 1.0}, "type", "version"),
    # Agents (Data 2.4.2.1, 2.4.2.3, 2.4.2.4).
    (
        "agent without ifi",
        changed(STATEMENT, "actor", {"name": "No One"}),
        "agent.one-ifi",
        "actor",
    ),
    (
        "agent mbox and account",
        changed(
            STATEMENT,
            "actor.account",
            {"homePage": "http://www.example.com", "name": "xAPI account name"},
        ),
        "agent.one-ifi",
        "actor",
    ),
    (
        "agent mbox and mbox_sha1sum",
        changed(STATEMENT, "actor.mbox_sha1sum", "cd9b00a5611f94eaa7b1661edab976068e364975"),
        "agent.one-ifi",
        "actor",
    ),
    (
        "agent mbox and openid",
        changed(STATEMENT, "actor.openid", "http://openid.example.org/1"),
        "agent.one-ifi",
        "actor",
    ),
    (
        "agent objectType lower case",
        changed(STATEMENT, "actor.objectType", "agent"),
        "object-type",
        "actor.objectType",
    ),
    (
        "agent objectType group",
        changed(STATEMENT, "actor.objectType", "group"),
        "object-type",
        "actor.objectType",
    ),
    (
        "agent objectType a number",
        changed(STATEMENT, "actor.objectType", 123),
        "type",
        "actor.objectType",
    ),
    (
        "agent objectType an object",
        changed(STATEMENT, "actor.objectType", INVALID_OBJECT),
        "type",
        "actor.objectType",
    ),
    ("agent name a number", changed(STATEMENT, "actor.name", 123), "type", "actor.name"),
    (
        "agent name an object",
        changed(STATEMENT, "actor.name", INVALID_OBJECT),
        "type",
        "actor.name",
    ),
    (
        "mbox not mailto",
        changed(STATEMENT, "actor.mbox", "http://should.fail.com"),
        "mbox",
        "actor.mbox",
    ),
    (
        "mbox without address",
        changed(STATEMENT, "actor.mbox", "mailto:should.fail.com"),
        "mbox",
        "actor.mbox",
    ),
    (
        "mbox_sha1sum an object",
        changed(STATEMENT, "actor", {"mbox_sha1sum": INVALID_OBJECT}),
        "type",
        "actor.mbox_sha1sum",
    ),
    (
        "mbox_sha1sum not a sha1",
        changed(STATEMENT, "actor", {"mbox_sha1sum": "abc"}),
        "mbox-sha1sum",
        "actor.mbox_sha1sum",
    ),
    (
        "openid not a uri",
        changed(STATEMENT, "actor", {"openid": "ab=c://should.fail.com"}),
        "uri",
        "actor.openid",
    ),
    (
        "account homePage not an irl",
        changed(
            STATEMENT, "actor", {"account": {"homePage": "ab=c://should.fail.com", "name": "x"}}
        ),
        "irl",
        "actor.account.homePage",
    ),
    (
        "account name an object",
        changed(
            STATEMENT,
            "actor",
            {"account": {"homePage": "http://www.example.com", "name": INVALID_OBJECT}},
        ),
        "type",
        "actor.account.name",
    ),
    (
        "account without name",
        changed(STATEMENT, "actor", {"account": {"homePage": "http://www.example.com"}}),
        "required",
        "actor.account.name",
    ),
    (
        "account without homePage",
        changed(STATEMENT, "actor", {"account": {"name": "x"}}),
        "required",
        "actor.account.homePage",
    ),
    (
        "agent with member",
        changed(STATEMENT, "actor", {**AGENT, "member": [AGENT]}),
        "unknown-property",
        "actor.member",
    ),
    # Groups (Data 2.4.2.2).
    (
        "anonymous group without member",
        changed(STATEMENT, "actor", {"objectType": "Group"}),
        "group.member-required",
        "actor.member",
    ),
    (
        "anonymous group with empty member",
        changed(STATEMENT, "actor", {"objectType": "Group", "member": []}),
        "group.member-required",
        "actor.member",
    ),
    (
        "group member a group",
        changed(STATEMENT, "actor", {"objectType": "Group", "member": [GROUP_OBJECT]}),
        "group.member-agent",
        "actor.member[0].objectType",
    ),
    (
        "group member without ifi",
        changed(STATEMENT, "actor", {"objectType": "Group", "member": [{"name": "x"}]}),
        "agent.one-ifi",
        "actor.member[0]",
    ),
    (
        "group member not an array",
        changed(STATEMENT, "actor", {"objectType": "Group", "member": AGENT}),
        "type",
        "actor.member",
    ),
    (
        "identified group with two ifis",
        changed(STATEMENT, "actor", {**GROUP_IDENTIFIED, "openid": "http://openid.example.org/1"}),
        "group.one-ifi",
        "actor",
    ),
    (
        "group mbox not mailto",
        changed(STATEMENT, "actor", {"objectType": "Group", "mbox": "http://should.fail.com"}),
        "mbox",
        "actor.mbox",
    ),
    (
        "group without objectType",
        changed(STATEMENT, "actor", {"member": [AGENT]}),
        "object-type-required",
        "actor.objectType",
    ),
    ("result a string", changed(STATEMENT, "result", "passed"), "type", "result"),
    ("context an array", changed(STATEMENT, "context", []), "type", "context"),
    ("context statement a string", with_context(statement="x"), "type", "context.statement"),
    (
        "choice not an object",
        with_definition(interactionType="choice", choices=["golf"]),
        "type",
        "object.definition.choices[0]",
    ),
    # Verb (Data 2.4.3).
    ("verb without id", changed(STATEMENT, "verb.id", DROP), "required", "verb.id"),
    (
        "verb id not an iri",
        changed(STATEMENT, "verb.id", "ab=c://should.fail.com"),
        "iri",
        "verb.id",
    ),
    ("verb id no scheme", changed(STATEMENT, "verb.id", "should fail"), "iri", "verb.id"),
    ("verb a string", changed(STATEMENT, "verb", "ab=c://should.fail.com"), "type", "verb"),
    (
        "verb display a string",
        changed(STATEMENT, "verb.display", INVALID_STRING),
        "type",
        "verb.display",
    ),
    (
        "verb display empty",
        changed(STATEMENT, "verb.display", {}),
        "language-map",
        "verb.display",
    ),
    (
        "verb display bad tag",
        changed(STATEMENT, "verb.display", {"a12345": "attended"}),
        "language-tag",
        "verb.display.a12345",
    ),
    (
        "verb display value a number",
        changed(STATEMENT, "verb.display", {"en": 1}),
        "type",
        "verb.display.en",
    ),
    # Object (Data 2.4.4).
    (
        "object objectType activity",
        with_object({**ACTIVITY, "objectType": "activity"}),
        "object-type",
        "object.objectType",
    ),
    (
        "object objectType agent",
        with_object({**AGENT, "objectType": "agent"}),
        "object-type",
        "object.objectType",
    ),
    (
        "object objectType statementref",
        with_object({"objectType": "statementref", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}),
        "object-type",
        "object.objectType",
    ),
    (
        "object objectType substatement",
        with_object({**SUBSTATEMENT, "objectType": "substatement"}),
        "object-type",
        "object.objectType",
    ),
    (
        "object agent without objectType",
        with_object({"mbox": "mailto:a@example.com"}),
        "object-type-required",
        "object.objectType",
    ),
    (
        "object group without objectType",
        with_object({"member": [AGENT]}),
        "object-type-required",
        "object.objectType",
    ),
    ("activity without id", with_object({"objectType": "Activity"}), "required", "object.id"),
    ("activity id not an iri", with_object({"id": "ab=c://should.fail.com"}), "iri", "object.id"),
    (
        "activity definition a string",
        with_object({**ACTIVITY, "definition": INVALID_STRING}),
        "type",
        "object.definition",
    ),
    ("definition name a number", with_definition(name=12345), "type", "object.definition.name"),
    (
        "definition name a string",
        with_definition(name=INVALID_STRING),
        "type",
        "object.definition.name",
    ),
    ("definition name empty", with_definition(name={}), "language-map", "object.definition.name"),
    (
        "definition name bad tag",
        with_definition(name={"a12345": "x"}),
        "language-tag",
        "object.definition.name.a12345",
    ),
    (
        "definition description bad tag",
        with_definition(description={"de-419-DE": "x"}),
        "language-tag",
        "object.definition.description.de-419-DE",
    ),
    (
        "definition type not an iri",
        with_definition(type=INVALID_STRING),
        "iri",
        "object.definition.type",
    ),
    (
        "definition moreInfo not an irl",
        with_definition(moreInfo=INVALID_STRING),
        "irl",
        "object.definition.moreInfo",
    ),
    (
        "definition extensions a string",
        with_definition(extensions=INVALID_STRING),
        "type",
        "object.definition.extensions",
    ),
    (
        "definition extension key not an iri",
        with_definition(extensions={"id": "valid"}),
        "iri",
        "object.definition.extensions.id",
    ),
    (
        "definition extension key with a space",
        with_definition(extensions={"should fail": True}),
        "iri",
        "object.definition.extensions.should fail",
    ),
    (
        "definition unknown property",
        with_definition(colour="red"),
        "unknown-property",
        "object.definition.colour",
    ),
    # Interactions (Data 2.4.4.1).
    *[
        (
            f"{name} interactionType in the wrong case",
            with_definition(
                **{**definition, "interactionType": definition["interactionType"].upper()}
            ),
            "interaction-type",
            "object.definition.interactionType",
        )
        for name, definition in INTERACTIONS.items()
    ],
    (
        "interactionType an iri",
        with_definition(interactionType="http://example.com/choice"),
        "interaction-type",
        "object.definition.interactionType",
    ),
    (
        "interactionType a number",
        with_definition(interactionType=12345),
        "type",
        "object.definition.interactionType",
    ),
    (
        "interactionType an object",
        with_definition(interactionType=INVALID_OBJECT),
        "type",
        "object.definition.interactionType",
    ),
    *[
        (
            f"{name} without interactionType",
            with_definition(**{k: v for k, v in definition.items() if k != "interactionType"}),
            "interaction.type-required",
            "object.definition.interactionType",
        )
        for name, definition in INTERACTIONS.items()
    ],
    (
        "correctResponsesPattern a string",
        with_definition(interactionType="fill-in", correctResponsesPattern="Bob"),
        "type",
        "object.definition.correctResponsesPattern",
    ),
    (
        "correctResponsesPattern of numbers",
        with_definition(interactionType="numeric", correctResponsesPattern=[4]),
        "type",
        "object.definition.correctResponsesPattern[0]",
    ),
    (
        "choices not an array",
        with_definition(interactionType="choice", choices={"id": "valid"}),
        "type",
        "object.definition.choices",
    ),
    (
        "choice id an object",
        with_definition(interactionType="choice", choices=[{"id": INVALID_OBJECT}]),
        "type",
        "object.definition.choices[0].id",
    ),
    (
        "choice without id",
        with_definition(interactionType="choice", choices=[{"description": {"en-US": "valid"}}]),
        "required",
        "object.definition.choices[0].id",
    ),
    (
        "choice description a string",
        with_definition(
            interactionType="sequencing", choices=[{"id": "a", "description": INVALID_STRING}]
        ),
        "type",
        "object.definition.choices[0].description",
    ),
    (
        "choice description bad tag",
        with_definition(
            interactionType="choice", choices=[{"id": "a", "description": {"a12345": "x"}}]
        ),
        "language-tag",
        "object.definition.choices[0].description.a12345",
    ),
    (
        "duplicate choice ids",
        with_definition(interactionType="choice", choices=[{"id": "valid"}, {"id": "valid"}]),
        "interaction.component-id-duplicate",
        "object.definition.choices[1].id",
    ),
    (
        "scale on matching",
        with_definition(interactionType="matching", scale=[{"id": "valid"}]),
        "interaction.component-list",
        "object.definition.scale",
    ),
    (
        "choices on true-false",
        with_definition(interactionType="true-false", choices=[{"id": "true"}]),
        "interaction.component-list",
        "object.definition.choices",
    ),
    (
        "steps on likert",
        with_definition(interactionType="likert", steps=[{"id": "1"}]),
        "interaction.component-list",
        "object.definition.steps",
    ),
    (
        "component unknown property",
        with_definition(interactionType="likert", scale=[{"id": "1", "label": "one"}]),
        "unknown-property",
        "object.definition.scale[0].label",
    ),
    # StatementRef and SubStatement (Data 2.4.4.3).
    (
        "statement ref id not a uuid",
        with_object({"objectType": "StatementRef", "id": "AA97B177-9383-4934-8543-0F91A7A028368"}),
        "uuid",
        "object.id",
    ),
    (
        "statement ref id a number",
        with_object({"objectType": "StatementRef", "id": 12345}),
        "type",
        "object.id",
    ),
    (
        "statement ref without id",
        with_object({"objectType": "StatementRef"}),
        "required",
        "object.id",
    ),
    (
        "empty activity definition",
        with_definition(),
        "definition.empty",
        "object.definition",
    ),
    (
        "statement ref extra property",
        with_object(
            {
                "objectType": "StatementRef",
                "definition": {},
                "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0",
            }
        ),
        "unknown-property",
        "object.definition",
    ),
    (
        "substatement without actor",
        with_object(changed(SUBSTATEMENT, "actor", DROP)),
        "required",
        "object.actor",
    ),
    (
        "substatement without verb",
        with_object(changed(SUBSTATEMENT, "verb", DROP)),
        "required",
        "object.verb",
    ),
    (
        "substatement without object",
        with_object(changed(SUBSTATEMENT, "object", DROP)),
        "required",
        "object.object",
    ),
    (
        "substatement nested",
        in_substatement("object", SUBSTATEMENT),
        "substatement.nested",
        "object.object",
    ),
    (
        "substatement with id",
        with_object({**SUBSTATEMENT, "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}),
        "substatement.property",
        "object.id",
    ),
    (
        "substatement with stored",
        with_object({**SUBSTATEMENT, "stored": "2013-05-18T05:32:34.804Z"}),
        "substatement.property",
        "object.stored",
    ),
    (
        "substatement with version",
        with_object({**SUBSTATEMENT, "version": "1.0.0"}),
        "substatement.property",
        "object.version",
    ),
    (
        "substatement with authority",
        with_object({**SUBSTATEMENT, "authority": AGENT}),
        "substatement.property",
        "object.authority",
    ),
    (
        "substatement actor objectType",
        in_substatement("actor.objectType", "agent"),
        "object-type",
        "object.actor.objectType",
    ),
    (
        "substatement verb id not an iri",
        in_substatement("verb.id", "ab=c://should.fail.com"),
        "iri",
        "object.verb.id",
    ),
    (
        "substatement activity id not an iri",
        in_substatement("object.id", "should fail"),
        "iri",
        "object.object.id",
    ),
    (
        "substatement timestamp invalid",
        in_substatement("timestamp", "01/011/2015"),
        "timestamp",
        "object.timestamp",
    ),
    (
        "substatement result success a string",
        in_substatement("result", {"success": "true"}),
        "type",
        "object.result.success",
    ),
    (
        "substatement context revision with agent object",
        with_object(
            {
                **SUBSTATEMENT,
                "object": {**AGENT, "objectType": "Agent"},
                "context": {"revision": "1"},
            }
        ),
        "context.activity-only",
        "object.context.revision",
    ),
    # Result (Data 2.4.5).
    ("score a number", with_result(score=12345), "type", "result.score"),
    ("score a string", with_result(score=INVALID_STRING), "type", "result.score"),
    ("score max a word", with_result(score={"max": "one hundred"}), "type", "result.score.max"),
    ("score max a numeric string", with_result(score={"max": "100"}), "type", "result.score.max"),
    ("score raw a boolean", with_result(score={"raw": True}), "type", "result.score.raw"),
    (
        "scaled above 1",
        with_result(score={"scaled": 1.01}),
        "score.scaled-range",
        "result.score.scaled",
    ),
    (
        "scaled below -1",
        with_result(score={"scaled": -1.00001}),
        "score.scaled-range",
        "result.score.scaled",
    ),
    (
        "raw above max",
        with_result(score={"raw": 0.6767676, "max": 0.6567676}),
        "score.raw-range",
        "result.score.raw",
    ),
    (
        "raw below min",
        with_result(score={"raw": 0.6767676, "min": 1.4067676}),
        "score.raw-range",
        "result.score.raw",
    ),
    (
        "min above max",
        with_result(score={"min": 104.6767676, "max": 100.6767676, "raw": 101.6767676}),
        "score.min-max",
        "result.score.min",
    ),
    (
        "min equal to max",
        with_result(score={"min": 5, "max": 5}),
        "score.min-max",
        "result.score.min",
    ),
    (
        "score unknown property",
        with_result(score={"percent": 50}),
        "unknown-property",
        "result.score.percent",
    ),
    (
        "success a string",
        with_result(success="We regret to inform you"),
        "type",
        "result.success",
    ),
    ("success the string true", with_result(success="true"), "type", "result.success"),
    (
        "completion the string false",
        with_result(completion="false"),
        "type",
        "result.completion",
    ),
    ("completion a number", with_result(completion=1), "type", "result.completion"),
    ("response a number", with_result(response=12345), "type", "result.response"),
    ("response an object", with_result(response=INVALID_OBJECT), "type", "result.response"),
    ("duration invalid", with_result(duration="PA1H0M0S"), "duration", "result.duration"),
    ("duration a word", with_result(duration=INVALID_STRING), "duration", "result.duration"),
    ("duration a number", with_result(duration=12345), "type", "result.duration"),
    ("duration an object", with_result(duration=INVALID_OBJECT), "type", "result.duration"),
    (
        "result extensions a string",
        with_result(extensions=INVALID_STRING),
        "type",
        "result.extensions",
    ),
    (
        "result extension key not an iri",
        with_result(extensions={"should fail": True}),
        "iri",
        "result.extensions.should fail",
    ),
    # Context (Data 2.4.6).
    (
        "registration a word",
        with_context(registration=INVALID_STRING),
        "uuid",
        "context.registration",
    ),
    (
        "registration an object",
        with_context(registration=INVALID_OBJECT),
        "type",
        "context.registration",
    ),
    (
        "registration too many digits",
        with_context(registration="AA97B177-9383-4934-8543-0F91A7A028368"),
        "uuid",
        "context.registration",
    ),
    (
        "instructor an object",
        with_context(instructor=INVALID_OBJECT),
        "unknown-property",
        "context.instructor.key",
    ),
    (
        "instructor a string",
        with_context(instructor=INVALID_STRING),
        "type",
        "context.instructor",
    ),
    (
        "instructor objectType lower case",
        with_context(instructor={**AGENT, "objectType": "agent"}),
        "object-type",
        "context.instructor.objectType",
    ),
    ("team an agent", with_context(team=AGENT), "object-type", "context.team"),
    ("team a string", with_context(team=INVALID_STRING), "type", "context.team"),
    (
        "team anonymous without member",
        with_context(team={"objectType": "Group"}),
        "group.member-required",
        "context.team.member",
    ),
    (
        "contextActivities a string",
        with_context(contextActivities=INVALID_STRING),
        "type",
        "context.contextActivities",
    ),
    (
        "contextActivities empty",
        with_context(contextActivities={}),
        "context-activities.empty",
        "context.contextActivities",
    ),
    (
        "contextActivities unknown key",
        with_context(contextActivities={"parnet": [ACTIVITY]}),
        "unknown-property",
        "context.contextActivities.parnet",
    ),
    (
        "contextActivities Parent in the wrong case",
        with_context(contextActivities={"Parent": [ACTIVITY]}),
        "unknown-property",
        "context.contextActivities.Parent",
    ),
    (
        "contextActivities entry not an activity",
        with_context(contextActivities={"other": [ACTIVITY, INVALID_OBJECT]}),
        "required",
        "context.contextActivities.other[1].id",
    ),
    (
        "contextActivities entry an agent",
        with_context(contextActivities={"grouping": [{**AGENT, "objectType": "Agent"}]}),
        "object-type",
        "context.contextActivities.grouping[0].objectType",
    ),
    (
        "contextActivities value a string",
        with_context(contextActivities={"category": "x"}),
        "type",
        "context.contextActivities.category",
    ),
    ("revision a number", with_context(revision=12345), "type", "context.revision"),
    ("platform an object", with_context(platform=INVALID_OBJECT), "type", "context.platform"),
    ("language a number", with_context(language=12345), "type", "context.language"),
    (
        "language an invalid tag",
        with_context(language="a12345"),
        "language-tag",
        "context.language",
    ),
    (
        "context statement lower case statementref",
        with_context(
            statement={"objectType": "statementref", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}
        ),
        "object-type",
        "context.statement.objectType",
    ),
    (
        "context statement id not a uuid",
        with_context(statement={"objectType": "StatementRef", "id": INVALID_STRING}),
        "uuid",
        "context.statement.id",
    ),
    (
        "context statement without objectType",
        with_context(statement={"id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}),
        "required",
        "context.statement.objectType",
    ),
    (
        "context extension key not an iri",
        with_context(extensions={"should fail": 1}),
        "iri",
        "context.extensions.should fail",
    ),
    *[
        (
            f"{key} with {kind} object",
            {**with_object(obj), "context": {key: "x"}},
            "context.activity-only",
            f"context.{key}",
        )
        for key in ("revision", "platform")
        for kind, obj in (
            ("agent", {**AGENT, "objectType": "Agent"}),
            ("group", GROUP_OBJECT),
            (
                "statement ref",
                {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"},
            ),
            ("substatement", SUBSTATEMENT),
        )
    ],
    # Authority (Data 2.4.9).
    (
        "authority objectType lower case",
        {**STATEMENT, "authority": {**AGENT, "objectType": "agent"}},
        "object-type",
        "authority.objectType",
    ),
    (
        "authority without ifi",
        {**STATEMENT, "authority": {"name": "x"}},
        "agent.one-ifi",
        "authority",
    ),
    (
        "authority group of one",
        {**STATEMENT, "authority": {"objectType": "Group", "member": [AGENT]}},
        "authority.group",
        "authority",
    ),
    (
        "authority group of three",
        {**STATEMENT, "authority": {"objectType": "Group", "member": [AGENT, AGENT, AGENT]}},
        "authority.group",
        "authority",
    ),
    (
        "authority identified group",
        {
            **STATEMENT,
            "authority": {
                "objectType": "Group",
                "openid": "http://openid.example.org/12345",
                "member": [AGENT, AGENT],
            },
        },
        "authority.group",
        "authority",
    ),
    (
        "authority group without member",
        {**STATEMENT, "authority": {"objectType": "Group"}},
        "group.member-required",
        "authority.member",
    ),
    # Voiding (Data 2.3.2).
    (
        "voiding an activity",
        changed(STATEMENT, "verb.id", "http://adlnet.gov/expapi/verbs/voided"),
        "voiding.statement-ref",
        "object",
    ),
    # Attachments (Data 2.4.11).
    ("attachments not an array", {**STATEMENT, "attachments": ATTACHMENT}, "type", "attachments"),
    ("attachment a number", {**STATEMENT, "attachments": [12345]}, "type", "attachments[0]"),
    (
        "attachment a string",
        {**STATEMENT, "attachments": [INVALID_STRING]},
        "type",
        "attachments[0]",
    ),
    (
        "usageType not an iri",
        with_attachment(usageType=INVALID_STRING),
        "iri",
        "attachments[0].usageType",
    ),
    ("usageType missing", with_attachment(usageType=DROP), "required", "attachments[0].usageType"),
    (
        "contentType a word",
        with_attachment(contentType=INVALID_STRING),
        "content-type",
        "attachments[0].contentType",
    ),
    (
        "contentType missing",
        with_attachment(contentType=DROP),
        "required",
        "attachments[0].contentType",
    ),
    ("length a string", with_attachment(length=INVALID_STRING), "type", "attachments[0].length"),
    ("length a decimal", with_attachment(length=27.5), "type", "attachments[0].length"),
    ("length negative", with_attachment(length=-1), "attachment.length", "attachments[0].length"),
    ("length missing", with_attachment(length=DROP), "required", "attachments[0].length"),
    ("sha2 a number", with_attachment(sha2=12345), "type", "attachments[0].sha2"),
    ("sha2 empty", with_attachment(sha2=""), "attachment.sha2", "attachments[0].sha2"),
    ("sha2 missing", with_attachment(sha2=DROP), "required", "attachments[0].sha2"),
    ("fileUrl a word", with_attachment(fileUrl=INVALID_STRING), "irl", "attachments[0].fileUrl"),
    ("display missing", with_attachment(display=DROP), "required", "attachments[0].display"),
    ("display empty", with_attachment(display={}), "language-map", "attachments[0].display"),
    (
        "display a string",
        with_attachment(display="should error"),
        "type",
        "attachments[0].display",
    ),
    (
        "display bad tag",
        with_attachment(display={"en-US": "x", "de-419-DE": "y"}),
        "language-tag",
        "attachments[0].display.de-419-DE",
    ),
    (
        "description a number",
        with_attachment(description=12345),
        "type",
        "attachments[0].description",
    ),
    (
        "description empty",
        with_attachment(description={}),
        "language-map",
        "attachments[0].description",
    ),
    (
        "description bad tag",
        with_attachment(description={"a12345": "x"}),
        "language-tag",
        "attachments[0].description.a12345",
    ),
    (
        "signature not octet-stream",
        with_attachment(
            usageType="http://adlnet.gov/expapi/attachments/signature", contentType="text/plain"
        ),
        "attachment.signature",
        "attachments[0].contentType",
    ),
]


@pytest.mark.parametrize(
    ("statement", "rule", "field"),
    [pytest.param(statement, rule, field, id=name) for name, statement, rule, field in INVALID],
)
def test_invalid_statements_name_the_rule_and_the_field(
    statement: Json, rule: str, field: str
) -> None:
    violations = statement_violations(statement)
    assert (rule, field) in rules_at(violations), violations
    assert all(violation.message for violation in violations)


def test_an_unknown_property_names_the_properties_and_the_case_twin() -> None:
    [violation] = statement_violations({**changed(STATEMENT, "verb", DROP), "veRb": {"id": "a:b"}})[
        :1
    ]
    assert violation.rule == "unknown-property"
    assert '"verb"' in violation.message
    assert "case-sensitive" in violation.message


def test_a_batch_prefixes_each_statement_with_its_index() -> None:
    bad = changed(STATEMENT, "verb.id", "should fail")
    violations = statements_violations([STATEMENT, bad, STATEMENT])
    assert rules_at(violations) == {("iri", "[1].verb.id")}


def test_a_single_statement_body_is_checked_as_one_statement() -> None:
    assert statements_violations(STATEMENT) == []
    assert rules_at(statements_violations(changed(STATEMENT, "actor", DROP))) == {
        ("required", "actor")
    }


def test_an_empty_batch_or_a_body_of_another_type_is_rejected() -> None:
    assert rules_at(statements_violations([])) == {("statements.empty", "")}
    assert rules_at(statements_violations("statement")) == {("type", "")}
    assert rules_at(statements_violations(None)) == {("null", "")}
    assert rules_at(statements_violations([STATEMENT, 12])) == {("type", "[1]")}


def test_a_batch_repeating_a_statement_id_is_rejected() -> None:
    first = {**STATEMENT, "id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"}
    second = {**STATEMENT, "id": "FD41C918-B88B-4B20-A0A5-A4C32391AAA0"}
    violations = statements_violations([first, STATEMENT, second])
    assert rules_at(violations) == {("statements.duplicate-id", "[2].id")}


def test_a_statement_at_a_field_prefixes_its_paths() -> None:
    violations = statement_violations(changed(STATEMENT, "object.id", "x"), "[3]")
    assert rules_at(violations) == {("iri", "[3].object.id")}


@pytest.mark.parametrize(
    "agent",
    [
        AGENT,
        {"objectType": "Agent", "account": {"homePage": "http://a.example", "name": "7"}},
        {"objectType": "Group", "mbox": "mailto:team@example.com"},
        GROUP_IDENTIFIED,
    ],
)
def test_agents_and_identified_groups_are_valid_agent_parameters(agent: Json) -> None:
    assert agent_violations(agent, "agent") == []


@pytest.mark.parametrize(
    ("agent", "rule", "field"),
    [
        ({"mbox": "xapi@adlnet.gov"}, "mbox", "agent.mbox"),
        ({"name": "nobody"}, "agent.one-ifi", "agent"),
        (GROUP_ANONYMOUS, "agent.identified", "agent"),
        ({"mbox": "mailto:a@example.com", "Name": "x"}, "unknown-property", "agent.Name"),
        ("mailto:a@example.com", "type", "agent"),
    ],
)
def test_invalid_agent_parameters_are_rejected(agent: Json, rule: str, field: str) -> None:
    assert (rule, field) in rules_at(agent_violations(agent, "agent"))


def test_activity_ids_given_as_parameters_must_be_iris() -> None:
    assert activity_id_violations("http://www.example.com/meetings/occurances/34534", "x") == []
    assert rules_at(activity_id_violations("should fail", "activityId")) == {("iri", "activityId")}
    assert rules_at(activity_id_violations(None, "activityId")) == {("null", "activityId")}


# Properties over generated valid Statements.


@given(statements())
def test_generated_valid_statements_have_no_violation(statement: Json) -> None:
    assert statement_violations(statement) == []


def closed_objects(document: Json, field: str = "") -> list[str]:
    """The paths of the objects whose properties the specification lists, leaving out language
    maps and extensions (whose keys are free)."""
    paths = []
    if isinstance(document, dict):
        paths.append(field)
        for key, value in document.items():
            if key == "extensions" or (
                key in ("display", "name", "description") and isinstance(value, dict)
            ):
                continue
            paths.extend(closed_objects(value, f"{field}.{key}" if field else key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            paths.extend(closed_objects(value, f"{field}[{index}]"))
    return paths


def values_outside_extensions(document: Json, field: str = "") -> list[str]:
    paths = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key != "extensions":
                path = f"{field}.{key}" if field else key
                paths.append(path)
                paths.extend(values_outside_extensions(value, path))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            paths.append(f"{field}[{index}]")
            paths.extend(values_outside_extensions(value, f"{field}[{index}]"))
    return paths


def get(document: Json, path: str) -> Json:
    for key, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        document = document[int(index)] if index else document[key]
    return document


@given(statements(), st.data(), st.from_regex(r"zz[A-Za-z]{0,8}", fullmatch=True))
def test_an_unknown_property_at_any_level_is_rejected_at_its_path(
    statement: Json, data: st.DataObject, name: str
) -> None:
    where = data.draw(st.sampled_from(closed_objects(statement)))
    broken = copy.deepcopy(statement)
    (get(broken, where) if where else broken)[name] = "surprise"
    path = f"{where}.{name}" if where else name
    assert ("unknown-property", path) in rules_at(statement_violations(broken))


@given(statements(), st.data())
def test_a_null_anywhere_outside_extensions_is_rejected_at_its_path(
    statement: Json, data: st.DataObject
) -> None:
    where = data.draw(st.sampled_from(values_outside_extensions(statement)))
    assert ("null", where) in rules_at(statement_violations(changed(statement, where, None)))


def scalars_outside_extensions(document: Json, field: str = "") -> list[tuple[str, Json]]:
    """The paths and values of the strings, numbers and booleans, leaving out extensions."""
    found: list[tuple[str, Json]] = []
    if isinstance(document, dict | list):
        pairs = document.items() if isinstance(document, dict) else enumerate(document)
        for key, value in pairs:
            if key == "extensions":
                continue
            path = (
                f"{field}[{key}]" if isinstance(key, int) else (f"{field}.{key}" if field else key)
            )
            found.extend(scalars_outside_extensions(value, path))
    elif document is not None:
        found.append((field, document))
    return found


@given(statements(), st.data())
def test_a_value_of_another_json_type_is_rejected_at_its_path(
    statement: Json, data: st.DataObject
) -> None:
    where, value = data.draw(st.sampled_from(scalars_outside_extensions(statement)))
    other = 12345 if isinstance(value, str) else str(value).lower()
    assert ("type", where) in rules_at(statement_violations(changed(statement, where, other)))


@given(
    st.floats(allow_nan=False, allow_infinity=False).filter(lambda scaled: abs(scaled) > 1)
    | st.integers().filter(lambda scaled: abs(scaled) > 1)
)
def test_a_scaled_score_outside_minus_one_to_one_is_always_rejected(scaled: float) -> None:
    violations = statement_violations(with_result(score={"scaled": scaled}))
    assert rules_at(violations) == {("score.scaled-range", "result.score.scaled")}


@given(st.floats(-1, 1))
def test_a_scaled_score_within_minus_one_to_one_is_accepted(scaled: float) -> None:
    assert statement_violations(with_result(score={"scaled": scaled})) == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["actor", "verb", "object", "id", "mbox", "objectType", "member", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@given(json_values)
def test_any_json_value_gets_a_verdict_without_raising(body: Json) -> None:
    violations = statements_violations(body)
    assert all(isinstance(violation, Violation) for violation in violations)
    if not isinstance(body, dict | list) or body == []:
        assert violations
