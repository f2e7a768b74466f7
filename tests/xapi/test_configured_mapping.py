"""An operator's rules file decides which statements count, and as what."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from questpath.config import Settings
from questpath.ruleset import DEFAULT_RULES_FILE
from tests.conftest import TEST_SECRET
from tests.helpers import Account
from tests.xapi.helpers import statement, xapi_headers
from tests.xapi.test_progress_from_statements import STATEMENTS, send, xapi_events

BUILT = "https://example.com/verbs/built"


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """A rules file whose [xapi] counts one verb of its own, as a project, and nothing else."""
    rules = DEFAULT_RULES_FILE.read_text(encoding="utf-8").replace(
        "[xapi.verbs]\n", f'[xapi.verbs]\n"{BUILT}" = "project_completed"\n# defaults gone:\n', 1
    )
    kept = [
        line
        for line in rules.splitlines()
        if not line.startswith('"http://adlnet.gov/expapi/verbs/')
    ]
    path = tmp_path / "rules.toml"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return Settings(
        database_url=database_url, data_dir=tmp_path, secret_key=TEST_SECRET, rules_file=path
    )


async def test_the_operator_s_rules_file_decides_what_counts(
    client: httpx.AsyncClient, learner: Account
) -> None:
    headers = await xapi_headers(client, learner)
    await send(client, headers, statement(learner.email), statement(learner.email, verb=BUILT))
    assert [e["kind"] for e in await xapi_events(client, learner)] == ["project_completed"]
    stored = await client.get(STATEMENTS, headers=headers)
    assert len(stored.json()["statements"]) == 2  # both stored; one counts
