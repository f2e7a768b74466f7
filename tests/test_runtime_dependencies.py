"""`./scripts/run` installs only the runtime dependencies (`uv sync --no-dev`): every outside
module that `src/questpath` imports must come with them, not only with the test tools."""

from __future__ import annotations

import ast
import sys
from importlib.metadata import packages_distributions, requires
from pathlib import Path

from packaging.requirements import Requirement

SOURCE = Path(__file__).resolve().parents[1] / "src" / "questpath"


def runtime_distributions() -> set[str]:
    """QuestPath's runtime requirements and theirs, all the way down (extras they ask for
    included, the `dev` group excluded)."""
    found: set[str] = set()
    pending = [Requirement(line) for line in requires("questpath") or []]
    while pending:
        requirement = pending.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = requirement.name.lower().replace("_", "-")
        if name in found:
            continue
        found.add(name)
        for line in requires(requirement.name) or []:
            nested = Requirement(line)
            marker = nested.marker
            extras = requirement.extras or {""}
            if marker is None or any(marker.evaluate({"extra": extra}) for extra in extras):
                pending.append(Requirement(str(nested).split(";")[0]))
    return found


def imported_top_levels() -> dict[str, str]:
    """Each outside top-level module imported by the package, with a file that imports it."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "questpath" and top not in sys.stdlib_module_names:
                    found.setdefault(top, str(path.relative_to(SOURCE)))
    return found


def test_every_module_the_package_imports_is_a_runtime_dependency() -> None:
    runtime = runtime_distributions()
    providers = packages_distributions()
    missing = {
        module: where
        for module, where in imported_top_levels().items()
        if not {d.lower().replace("_", "-") for d in providers.get(module, [])} & runtime
    }
    assert missing == {}, "imported but installed only with the dev tools: " + str(missing)
