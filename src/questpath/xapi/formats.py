"""Pure: the `format` parameter of statement queries.

`exact` returns statements as stored. `ids` keeps only what identifies each agent, group, verb
and activity. `canonical` keeps one language of every language map: the first of the reader's
`Accept-Language` the map has, else its first entry. (QuestPath answers each statement's own
definitions, filtered; it keeps no separate canonical definition for canonical answers.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from questpath.xapi.agents import IFI_PROPERTIES

Format = Literal["exact", "ids", "canonical"]
Statement = dict[str, Any]
Agentish = Callable[[Any], Any]
AGENT_PLACES = (("actor",), ("authority",), ("context", "instructor"), ("context", "team"))
LANGUAGE_MAPS = ("display", "name", "description")


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the LRS gives `stored` and its headers' times."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def formatted(statement: Statement, form: Format, languages: Sequence[str] = ()) -> Statement:
    if form == "ids":
        return _ids(statement)
    if form == "canonical":
        canonical: Statement = _canonical(statement, [language.lower() for language in languages])
        return canonical
    return statement


def _ids(statement: Statement) -> Statement:
    out = dict(statement)
    out["verb"] = {"id": statement["verb"]["id"]}
    for place in AGENT_PLACES:
        _replace(out, place, _agent_ids)
    out["object"] = _object_ids(statement["object"])
    if isinstance(context := out.get("context"), Mapping) and "contextActivities" in context:
        out["context"] = dict(context)
        out["context"]["contextActivities"] = {
            name: [_activity_ids(a) for a in activities]
            if isinstance(activities, list)
            else _activity_ids(activities)
            for name, activities in context["contextActivities"].items()
        }
    return out


def _object_ids(obj: Mapping[str, Any]) -> dict[str, Any]:
    kind = obj.get("objectType", "Activity")
    if kind == "SubStatement":
        return {**_ids(dict(obj)), "objectType": "SubStatement"}
    if kind == "StatementRef":
        return dict(obj)
    found: dict[str, Any] = _agent_ids(obj) if kind in ("Agent", "Group") else _activity_ids(obj)
    return found


def _activity_ids(activity: Any) -> Any:
    if not isinstance(activity, Mapping):
        return activity
    return {"id": activity["id"]}


def _agent_ids(agent: Any) -> Any:
    if not isinstance(agent, Mapping):
        return agent
    out = {key: agent[key] for key in ("objectType", *IFI_PROPERTIES) if key in agent}
    if not any(key in agent for key in IFI_PROPERTIES) and isinstance(agent.get("member"), list):
        out["member"] = [_agent_ids(member) for member in agent["member"]]
    return out


def _replace(statement: Statement, place: tuple[str, ...], change: Agentish) -> None:
    """Apply `change` to the value at `place`, copying the dicts on the way."""
    *parents, last = place
    holder = statement
    for key in parents:
        inner = holder.get(key)
        if not isinstance(inner, Mapping):
            return
        holder[key] = dict(inner)
        holder = holder[key]
    if last in holder:
        holder[last] = change(holder[last])


def _canonical(value: Any, languages: list[str]) -> Any:
    """Every language map under `value` cut to one language."""
    if isinstance(value, list):
        return [_canonical(item, languages) for item in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    for key, item in value.items():
        if key in LANGUAGE_MAPS and isinstance(item, Mapping) and item:
            out[key] = _one_language(item, languages)
        elif key == "extensions":
            out[key] = item  # extensions are the sender's own JSON, never language maps
        else:
            out[key] = _canonical(item, languages)
    return out


def _one_language(language_map: Mapping[str, Any], languages: list[str]) -> dict[str, Any]:
    by_lower = {tag.lower(): tag for tag in language_map}
    for wanted in languages:
        if wanted in by_lower:
            tag = by_lower[wanted]
            return {tag: language_map[tag]}
        for lower, tag in by_lower.items():  # "en" accepts "en-US"
            if lower.split("-")[0] == wanted.split("-")[0]:
                return {tag: language_map[tag]}
    tag = next(iter(language_map))
    return {tag: language_map[tag]}


def accepted_languages(header: str | None) -> list[str]:
    """The tags of an Accept-Language header, most wanted first ("*" dropped)."""
    if not header:
        return []
    weighted = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and tag != "*" and quality > 0:
            weighted.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(weighted)]
