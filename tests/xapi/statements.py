"""Valid xAPI 1.0.3 Statements and their parts, written and generated: the specification's examples
(Data Appendices A to C) and a hypothesis strategy that builds any valid Statement from them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import strategies as st

Json = Any

AGENT: Json = {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"}
ACTIVITY: Json = {
    "objectType": "Activity",
    "id": "http://www.example.com/meetings/occurances/34534",
}
STATEMENT: Json = {
    "actor": {"mbox": "mailto:xapi@adlnet.gov"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/created", "display": {"en-US": "created"}},
    "object": {"id": "http://example.adlnet.gov/xapi/example/activity"},
}
GROUP_ANONYMOUS: Json = {
    "objectType": "Group",
    "name": "Ad hoc team",
    "member": [
        {"name": "Andrew Downes", "mbox": "mailto:andrew@example.com", "objectType": "Agent"},
        {"name": "Aaron Silvers", "openid": "http://aaron.openid.example.org"},
    ],
}
GROUP_IDENTIFIED: Json = {
    "name": "Example Group",
    "account": {"homePage": "http://example.com/homePage", "name": "GroupAccount"},
    "objectType": "Group",
    "member": [
        {"account": {"homePage": "http://www.example.com", "name": "13936749"}},
        {"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9", "objectType": "Agent"},
    ],
}
SUBSTATEMENT: Json = {
    "objectType": "SubStatement",
    "actor": {"objectType": "Agent", "mbox": "mailto:test@example.com"},
    "verb": {"id": "http://example.com/visited", "display": {"en-US": "will visit"}},
    "object": {
        "objectType": "Activity",
        "id": "http://example.com/website",
        "definition": {"name": {"en-US": "Some Awesome Website"}},
    },
}
RESULT: Json = {
    "score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100},
    "success": True,
    "completion": True,
    "response": "We agreed on some example actions.",
    "duration": "PT1H0M0S",
    "extensions": {"http://example.com/profiles/meetings/resultextensions/minuteslocation": "X:"},
}
CONTEXT: Json = {
    "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
    "instructor": {
        "name": "Andrew Downes",
        "account": {"homePage": "http://www.example.com", "name": "13936749"},
        "objectType": "Agent",
    },
    "team": {"name": "Team PB", "mbox": "mailto:teampb@example.com", "objectType": "Group"},
    "contextActivities": {
        "parent": [{"id": "http://www.example.com/meetings/series/267", "objectType": "Activity"}],
        "grouping": [{"id": "http://www.example.com/meetings/series"}],
        "category": [
            {
                "id": "http://www.example.com/meetings/categories/teammeeting",
                "objectType": "Activity",
                "definition": {
                    "name": {"en": "team meeting"},
                    "type": "http://example.com/expapi/activities/meetingcategory",
                },
            }
        ],
        "other": [
            {"id": "http://www.example.com/meetings/occurances/34257"},
            {"id": "http://www.example.com/meetings/occurances/3425567"},
        ],
    },
    "revision": "r2",
    "platform": "Example virtual meeting software",
    "language": "tlh",
    "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
    "extensions": {"http://example.com/extensions/altitude": 1200},
}
ATTACHMENT: Json = {
    "usageType": "http://example.com/attachment-usage/test",
    "display": {"en-US": "A test attachment"},
    "description": {"en-US": "A test attachment (description)"},
    "contentType": "text/plain; charset=ascii",
    "length": 27,
    "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
    "fileUrl": "http://over.there.com/file.txt",
}
_CMI = "http://adlnet.gov/expapi/activities/cmi.interaction"


def _components(*ids: str) -> list[Json]:
    return [{"id": one, "description": {"en-US": one.title()}} for one in ids]


INTERACTIONS: dict[str, Json] = {
    "true-false": {
        "type": _CMI,
        "interactionType": "true-false",
        "correctResponsesPattern": ["true"],
    },
    "choice": {
        "description": {"en-US": "Which of these prototypes are available at the beta site?"},
        "type": _CMI,
        "interactionType": "choice",
        "correctResponsesPattern": ["golf[,]tetris"],
        "choices": _components("golf", "facebook", "tetris", "scrabble"),
    },
    "fill-in": {"interactionType": "fill-in", "correctResponsesPattern": ["Bob's your uncle"]},
    "long-fill-in": {
        "interactionType": "long-fill-in",
        "correctResponsesPattern": ["{case_matters=false}{lang=en}To store learning experiences."],
    },
    "likert": {
        "interactionType": "likert",
        "correctResponsesPattern": ["likert_3"],
        "scale": _components("likert_0", "likert_1", "likert_2", "likert_3"),
    },
    "matching": {
        "interactionType": "matching",
        "correctResponsesPattern": ["ben[.]3[,]chris[.]2[,]troy[.]4[,]freddie[.]1"],
        "source": _components("ben", "chris", "troy", "freddie"),
        "target": _components("1", "2", "3", "4"),
    },
    "performance": {
        "interactionType": "performance",
        "correctResponsesPattern": ["pong[.]1:[,]dg[.]:10[,]lunch[.]"],
        "steps": _components("pong", "dg", "lunch"),
    },
    "sequencing": {
        "interactionType": "sequencing",
        "correctResponsesPattern": ["tim[,]mike[,]ells[,]ben"],
        "choices": _components("tim", "ben", "ells", "mike"),
    },
    "numeric": {"interactionType": "numeric", "correctResponsesPattern": ["4[:]"]},
    "other": {"interactionType": "other", "correctResponsesPattern": ["(35.937432,-86.868896)"]},
}

# Generated Statements: every part drawn from valid choices, so the whole is valid.

iris = st.from_regex(
    r"https?://[a-z]{1,8}\.example\.(com|org)(/[a-z0-9_~-]{1,8}){0,3}", fullmatch=True
)
uuids = st.uuids().map(str)
tags = st.sampled_from(["en", "en-US", "en-GB", "de", "es-419", "zh-Hant-TW", "tlh", "x-klingon"])
language_maps = st.dictionaries(tags, st.text(max_size=20), min_size=1, max_size=3)
extension_maps = st.dictionaries(
    iris, st.none() | st.booleans() | st.integers() | st.text(max_size=5), max_size=2
)
zones = st.sampled_from(
    [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]
)
timestamps = st.datetimes(datetime(1970, 1, 1), datetime(2100, 1, 1), timezones=zones).map(
    lambda moment: moment.isoformat()
)
accounts = st.fixed_dictionaries({"homePage": iris, "name": st.text(max_size=10)})
ifis = st.one_of(
    st.from_regex(r"mailto:[a-z0-9.]{1,8}@[a-z]{1,8}\.example", fullmatch=True).map(
        lambda mbox: {"mbox": mbox}
    ),
    st.from_regex(r"[0-9a-f]{40}", fullmatch=True).map(lambda sha1: {"mbox_sha1sum": sha1}),
    iris.map(lambda openid: {"openid": openid}),
    accounts.map(lambda account: {"account": account}),
)


@st.composite
def agents(draw: st.DrawFn, *, object_type: bool = False) -> Json:
    agent = {**draw(ifis)}
    if object_type or draw(st.booleans()):
        agent["objectType"] = "Agent"
    if draw(st.booleans()):
        agent["name"] = draw(st.text(max_size=10))
    return agent


@st.composite
def groups(draw: st.DrawFn) -> Json:
    group: Json = {"objectType": "Group"}
    identified = draw(st.booleans())
    if identified:
        group.update(draw(ifis))
    if not identified or draw(st.booleans()):
        group["member"] = draw(st.lists(agents(), min_size=1, max_size=3))
    return group


actors = st.one_of(agents(), groups())
verbs = st.builds(
    lambda verb_id, display: {"id": verb_id, **({"display": display} if display else {})},
    iris,
    st.none() | language_maps,
)


@st.composite
def definitions(draw: st.DrawFn) -> Json:
    definition: Json = {}
    if draw(st.booleans()):
        definition.update(draw(st.sampled_from(list(INTERACTIONS.values()))))
    for key, values in (
        ("name", language_maps),
        ("description", language_maps),
        ("type", iris),
        ("moreInfo", iris),
        ("extensions", extension_maps),
    ):
        if draw(st.booleans()):
            definition[key] = draw(values)
    return definition or {"name": draw(language_maps)}  # never empty: that is refused


@st.composite
def activities(draw: st.DrawFn) -> Json:
    activity: Json = {"id": draw(iris)}
    if draw(st.booleans()):
        activity["objectType"] = "Activity"
    if draw(st.booleans()):
        activity["definition"] = draw(definitions())
    return activity


statement_refs = uuids.map(lambda ref: {"objectType": "StatementRef", "id": ref})
scores = st.builds(
    lambda low, span, at, scaled: {
        "min": low,
        "max": low + span,
        "raw": low + at * span,
        "scaled": scaled,
    },
    st.integers(-1000, 1000),
    st.integers(1, 1000),
    st.sampled_from([0, 0.25, 0.5, 1]),
    st.floats(-1, 1),
)
results = st.fixed_dictionaries(
    {},
    optional={
        "score": scores,
        "success": st.booleans(),
        "completion": st.booleans(),
        "response": st.text(max_size=10),
        "duration": st.sampled_from(["PT1H0M0S", "PT16559.14S", "P3Y", "P4W", "PT0.5S"]),
        "extensions": extension_maps,
    },
)
context_activities = st.dictionaries(
    st.sampled_from(["parent", "grouping", "category", "other"]),
    activities() | st.lists(activities(), max_size=2),
    min_size=1,
)


def contexts(*, of_activity: bool) -> st.SearchStrategy[Json]:
    optional: dict[str, st.SearchStrategy[Json]] = {
        "registration": uuids,
        "instructor": actors,
        "team": groups(),
        "contextActivities": context_activities,
        "language": tags,
        "statement": statement_refs,
        "extensions": extension_maps,
    }
    if of_activity:
        optional |= {"revision": st.text(max_size=5), "platform": st.text(max_size=5)}
    return st.fixed_dictionaries({}, optional=optional)


attachments = st.builds(
    lambda usage, display, content_type, length: {
        "usageType": usage,
        "display": display,
        "contentType": content_type,
        "length": length,
        "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
    },
    iris,
    language_maps,
    st.sampled_from(["text/plain", "image/png", "application/json; charset=utf-8"]),
    st.integers(0, 10**9),
)


@st.composite
def statement_bodies(draw: st.DrawFn, *, substatement: bool) -> Json:
    kinds = ["activity", "agent", "group", "ref"] + ([] if substatement else ["sub"])
    kind = draw(st.sampled_from(kinds))
    if kind == "activity":
        target = draw(activities())
    elif kind == "agent":
        target = draw(agents(object_type=True))
    elif kind == "group":
        target = draw(groups())
    elif kind == "ref":
        target = draw(statement_refs)
    else:
        target = draw(statement_bodies(substatement=True))
    body: Json = {"actor": draw(actors), "verb": draw(verbs), "object": target}
    if substatement:
        body["objectType"] = "SubStatement"
    optional = {
        "result": results,
        "context": contexts(of_activity=kind == "activity"),
        "timestamp": timestamps,
        "attachments": st.lists(attachments, max_size=2),
    }
    for key, values in optional.items():
        if draw(st.booleans()):
            body[key] = draw(values)
    return body


@st.composite
def statements(draw: st.DrawFn) -> Json:
    statement = draw(statement_bodies(substatement=False))
    for key, values in (
        ("id", uuids),
        ("stored", timestamps),
        ("authority", agents()),
        ("version", st.sampled_from(["1.0.0", "1.0", "1.0.3"])),
    ):
        if draw(st.booleans()):
            statement[key] = draw(values)
    return statement
