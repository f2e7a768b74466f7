"""The verifiers in docs/webhooks.md work as printed, on a real delivery."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from questpath.config import Settings
from questpath.dependencies import writing
from questpath.webhooks.worker import DeliveryWorker
from tests.conftest import TEST_SECRET
from tests.helpers import Account, record_events
from tests.webhooks.receiver import Receiver

DOC = Path(__file__).parents[2] / "docs" / "webhooks.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)


def verifier(block: str, secret: str, name: str) -> Callable[..., Any]:
    scope: dict[str, Any] = {}
    exec(block.replace("whsec_…", secret), scope)  # noqa: S102 - the doc's own code
    function: Callable[..., Any] = scope[name]
    return function


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
        webhooks_allow_private=True,
    )


async def test_both_printed_verifiers_accept_a_delivery_and_refuse_a_forgery(
    app: FastAPI, client: httpx.AsyncClient, learner: Account, endpoint: Receiver
) -> None:
    with_package, standard_library = python_blocks()
    hook = await client.post(
        "/api/webhooks",
        json={"url": endpoint.url, "event_types": ["event.recorded"]},
        headers=learner.headers,
    )
    secret = hook.json()["secret"]
    await record_events(client, learner.headers, [{"id": "doc-1", "kind": "exercise_completed"}])
    await DeliveryWorker(partial(writing, app), app.state.settings).run_once()
    [message] = endpoint.received
    body = message.body.encode()

    handle = verifier(with_package, secret, "handle")
    verify = verifier(standard_library, secret, "verify")
    assert handle(body, message.headers)["data"]["event"]["id"] == "doc-1"
    assert verify(body, message.headers)["data"]["event"]["id"] == "doc-1"

    forged = body.replace(b"doc-1", b"doc-2")
    assert handle(forged, message.headers) is None
    with pytest.raises(ValueError, match="no valid signature"):
        verify(forged, message.headers)
