"""`questpath track import` and `questpath track export` against the test database."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from questpath.cli import app as cli
from questpath.config import Settings, get_settings
from tests.helpers import Account, read_json
from tests.tracks.test_routes import SMALL, all_items


@pytest.fixture
def run_cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Run `questpath ARGS` in-process against the test database, off the event loop."""
    monkeypatch.setenv("QUESTPATH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("QUESTPATH_DATA_DIR", str(settings.data_dir))

    async def run(*args: str) -> Result:
        get_settings.cache_clear()
        return await asyncio.to_thread(CliRunner().invoke, cli, list(args))

    yield run
    get_settings.cache_clear()


async def test_a_file_imports_for_a_learner_and_exports_back_to_the_same_markdown(
    client: httpx.AsyncClient, learner: Account, run_cli: Any, tmp_path: Path
) -> None:
    source = tmp_path / "git.md"
    source.write_text(SMALL, encoding="utf-8")
    imported = await run_cli("track", "import", str(source), "--user", learner.email)
    assert imported.exit_code == 0, imported.output
    assert "3 items" in imported.output
    tracks = (await read_json(client, "/api/tracks", learner.headers))["items"]
    assert [t["title"] for t in tracks] == ["Git basics"]
    track_id = tracks[0]["id"]
    assert imported.output.strip().endswith(track_id)

    exported = await run_cli("track", "export", track_id)
    assert exported.exit_code == 0, exported.output
    api = await client.get(f"/api/tracks/{track_id}/export", headers=learner.headers)
    assert exported.output == api.text

    target = tmp_path / "out.json"
    written = await run_cli(
        "track", "export", track_id, "--format", "json", "--output", str(target)
    )
    assert written.exit_code == 0, written.output
    assert '"questpath-track"' in target.read_text(encoding="utf-8")


async def test_import_with_a_title_names_the_track(
    client: httpx.AsyncClient, learner: Account, run_cli: Any, tmp_path: Path
) -> None:
    source = tmp_path / "git.md"
    source.write_text(SMALL, encoding="utf-8")
    result = await run_cli(
        "track", "import", str(source), "--user", learner.email, "--title", "Mine"
    )
    assert result.exit_code == 0, result.output
    track = (await read_json(client, "/api/tracks", learner.headers))["items"][0]
    detail = await read_json(client, f"/api/tracks/{track['id']}", learner.headers)
    assert (track["title"], len(all_items(detail))) == ("Mine", 3)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (SMALL, ["--user", "nobody@example.com"], "no account has the e-mail address"),
        ("# Prose only\n", ["--user", "learner@example.com"], "task-list"),
    ],
)
async def test_import_errors_are_reported_and_exit_1(
    learner: Account, run_cli: Any, tmp_path: Path, content: str, args: list[str], message: str
) -> None:
    source = tmp_path / "doc.md"
    source.write_text(content, encoding="utf-8")
    result = await run_cli("track", "import", str(source), *args)
    assert result.exit_code == 1
    assert message in result.output


async def test_exporting_an_unknown_track_exits_1(learner: Account, run_cli: Any) -> None:
    result = await run_cli("track", "export", "00000000-0000-4000-8000-000000000000")
    assert result.exit_code == 1
    assert "no track with the id" in result.output


async def test_several_files_import_as_one_track_each(
    learner: Account, run_cli: Any, tmp_path: Path
) -> None:
    sources = [tmp_path / f"doc-{n}.md" for n in range(2)]
    for n, source in enumerate(sources):
        source.write_text(f"# Roadmap {n}\n\n- [ ] first\n- [x] second\n", encoding="utf-8")

    imported = await run_cli("track", "import", *map(str, sources), "--user", learner.email)

    assert imported.exit_code == 0, imported.output
    lines = imported.output.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        f"Imported 'Roadmap {n}' for {learner.email}" for n in range(2)
    ]
    assert all("2 items, 1 done" in line for line in lines)


async def test_a_title_with_several_files_is_refused(
    learner: Account, run_cli: Any, tmp_path: Path
) -> None:
    source = tmp_path / "doc.md"
    source.write_text("# Roadmap\n\n- [ ] first\n", encoding="utf-8")

    result = await run_cli(
        "track", "import", str(source), str(source), "--user", learner.email, "--title", "Both"
    )

    assert result.exit_code == 2
    assert "--title names one track" in result.output
