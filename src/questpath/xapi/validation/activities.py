"""Activities and their definitions (xAPI Data 2.4.4.1), interaction Activities included.

An interaction says which of the ten interaction types it is; its component lists are the ones
that type takes (choices for choice and sequencing, scale for likert, source and target for
matching, steps for performance), each a list of {id, description} with distinct ids.
"""

from __future__ import annotations

from questpath.xapi.validation import checks as c

INTERACTION_TYPES = (
    "true-false",
    "choice",
    "fill-in",
    "long-fill-in",
    "matching",
    "performance",
    "sequencing",
    "likert",
    "numeric",
    "other",
)
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
LISTS_OF_TYPE: dict[str, tuple[str, ...]] = {
    "choice": ("choices",),
    "sequencing": ("choices",),
    "likert": ("scale",),
    "matching": ("source", "target"),
    "performance": ("steps",),
}
INTERACTION_PROPERTIES = ("interactionType", "correctResponsesPattern", *COMPONENT_LISTS)
DEFINITION_PROPERTIES = frozenset(
    {"name", "description", "type", "moreInfo", "extensions", *INTERACTION_PROPERTIES}
)
ACTIVITY_PROPERTIES = frozenset({"objectType", "id", "definition"})


def activity(value: object, field: str, out: c.Out) -> None:
    """An Activity: an IRI id and an optional definition; objectType, if given, is "Activity"."""
    found = c.properties(
        value, field, out, what="an Activity", allowed=ACTIVITY_PROPERTIES, required=("id",)
    )
    if found is None:
        return
    if "objectType" in found:
        c.object_type(found["objectType"], c.at(field, "objectType"), out, expected="Activity")
    if "id" in found:
        c.iri(found["id"], c.at(field, "id"), out)
    if "definition" in found:
        definition(found["definition"], c.at(field, "definition"), out)


def definition(value: object, field: str, out: c.Out) -> None:
    found = c.properties(
        value, field, out, what="an Activity definition", allowed=DEFINITION_PROPERTIES
    )
    if found is None:
        return
    if not found:  # Data 2.4.4.1: a definition has at least one property
        message = f"{field} is empty; give at least one property (such as name) or leave it out."
        out.append(c.Violation("definition.empty", field, message))
        return
    for key in ("name", "description"):
        if key in found:
            c.language_map(found[key], c.at(field, key), out)
    if "type" in found:
        c.iri(found["type"], c.at(field, "type"), out)
    if "moreInfo" in found:
        c.irl(found["moreInfo"], c.at(field, "moreInfo"), out)
    if "extensions" in found:
        c.extensions(found["extensions"], c.at(field, "extensions"), out)
    _interaction(found, field, out)


def _interaction(found: dict[str, object], field: str, out: c.Out) -> None:
    used = [key for key in INTERACTION_PROPERTIES[1:] if key in found]
    interaction_type = found.get("interactionType")
    where = c.at(field, "interactionType")
    if interaction_type is None:
        if used:
            names = ", ".join(f'"{key}"' for key in used)
            message = (
                f"An Activity definition with {names} is an interaction: "
                'it must have "interactionType".'
            )
            out.append(c.Violation("interaction.type-required", where, message))
    elif not isinstance(interaction_type, str):
        c.wrong_type(interaction_type, where, "one of the interaction types (a string)", out)
        interaction_type = None
    elif interaction_type not in INTERACTION_TYPES:
        message = (
            f"{where} must be one of {', '.join(INTERACTION_TYPES)} (case-sensitive); "
            f"got {c.shown(interaction_type)}."
        )
        out.append(c.Violation("interaction-type", where, message))
        interaction_type = None
    if "correctResponsesPattern" in found:
        _patterns(found["correctResponsesPattern"], c.at(field, "correctResponsesPattern"), out)
    for key in COMPONENT_LISTS:
        if key not in found:
            continue
        _components(found[key], c.at(field, key), out)
        allowed = LISTS_OF_TYPE.get(interaction_type, ()) if interaction_type else None
        if allowed is not None and key not in allowed:
            takes = " and ".join(f'"{name}"' for name in allowed) or "no component list"
            message = f'"{interaction_type}" interactions take {takes}, not "{key}".'
            out.append(c.Violation("interaction.component-list", c.at(field, key), message))


def _patterns(value: object, field: str, out: c.Out) -> None:
    if not isinstance(value, list):
        c.wrong_type(value, field, "an array of strings", out)
        return
    for index, pattern in enumerate(value):
        c.string(pattern, c.item(field, index), out)


def _components(value: object, field: str, out: c.Out) -> None:
    if not isinstance(value, list):
        c.wrong_type(value, field, "an array of interaction components", out)
        return
    seen: set[str] = set()
    for index, component in enumerate(value):
        where = c.item(field, index)
        found = c.properties(
            component,
            where,
            out,
            what="an interaction component",
            allowed=("id", "description"),
            required=("id",),
        )
        if found is None:
            continue
        if "description" in found:
            c.language_map(found["description"], c.at(where, "description"), out)
        if "id" not in found:
            continue
        component_id = c.string(found["id"], c.at(where, "id"), out)
        if component_id is not None and component_id in seen:
            message = (
                f"Interaction component ids must be distinct within {field}; "
                f"{c.shown(component_id)} repeats."
            )
            rule = "interaction.component-id-duplicate"
            out.append(c.Violation(rule, c.at(where, "id"), message))
        if component_id is not None:
            seen.add(component_id)
