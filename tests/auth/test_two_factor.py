"""Two-factor sign-in: setting up an authenticator app, signing in with its codes or a recovery
code, new recovery codes, turning it off, and the same on the pages. Codes come from pyotp and
the secret the API hands out; the app's clock is set, so each code's time step is known."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pyotp
import pytest
from click.testing import Result
from fastapi import FastAPI
from typer.testing import CliRunner

from questpath.auth.service import TWO_FACTOR_PROBLEM
from questpath.cli import app as cli
from questpath.clock import request_time
from questpath.config import Settings, get_settings
from tests.helpers import PASSWORD, Account, assert_problem, field_errors
from tests.web.browsing import csrf_token, sign_up, submit

TWO_FACTOR = "/api/users/me/two-factor"
# A moment at the start of a 30-second step, ten minutes back, so that later steps are in the
# past too (access tokens issued "then" are good now).
START = datetime.fromtimestamp((int(datetime.now(UTC).timestamp()) // 30 - 20) * 30, UTC)

SetClock = Callable[[datetime], None]


@pytest.fixture
def set_clock(app: FastAPI) -> Iterator[SetClock]:
    def set_to(moment: datetime) -> None:
        async def fixed() -> datetime:
            return moment

        app.dependency_overrides[request_time] = fixed

    set_to(START + timedelta(seconds=5))
    yield set_to
    app.dependency_overrides.pop(request_time, None)


def code(secret: str, at: datetime) -> str:
    return pyotp.TOTP(secret).at(at)


async def login(
    client: httpx.AsyncClient, account: Account, code: str | None = None, password: str = PASSWORD
) -> httpx.Response:
    body: dict[str, Any] = {"email": account.email, "password": password}
    if code is not None:
        body["code"] = code
    return await client.post("/api/auth/login", json=body)


async def start(client: httpx.AsyncClient, account: Account) -> dict[str, str]:
    response = await client.post(TWO_FACTOR, headers=account.headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def turn_on(client: httpx.AsyncClient, account: Account) -> tuple[str, list[str]]:
    """Two-factor sign-in on at START; returns the secret and the recovery codes."""
    secret = (await start(client, account))["secret"]
    response = await client.post(
        f"{TWO_FACTOR}/confirm", json={"code": code(secret, START)}, headers=account.headers
    )
    assert response.status_code == 200, response.text
    return secret, response.json()["recovery_codes"]


def at_step(steps: int) -> datetime:
    return START + timedelta(seconds=30 * steps + 5)


# Setting it up ---------------------------------------------------------------------------------


async def test_starting_gives_a_secret_and_an_otpauth_uri_with_the_issuer_and_e_mail(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    enrolment = await start(client, learner)

    uri = urlparse(enrolment["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert uri.path == "/QuestPath:learner%40example.com"
    assert parse_qs(uri.query)["secret"] == [enrolment["secret"]]
    assert parse_qs(uri.query)["issuer"] == ["QuestPath"]
    status = (await client.get(TWO_FACTOR, headers=learner.headers)).json()
    assert (status["enabled"], status["setting_up"]) == (False, True)


async def test_until_confirmed_sign_in_asks_for_no_code(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    await start(client, learner)

    response = await login(client, learner)

    assert response.status_code == 200, response.text


async def test_a_wrong_code_does_not_turn_it_on(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret = (await start(client, learner))["secret"]
    wrong = code(secret, at_step(5))

    response = await client.post(
        f"{TWO_FACTOR}/confirm", json={"code": wrong}, headers=learner.headers
    )

    assert field_errors(response).keys() == {"code"}
    assert (await client.get(TWO_FACTOR, headers=learner.headers)).json()["enabled"] is False
    assert (await login(client, learner)).status_code == 200


async def test_confirming_turns_it_on_with_ten_different_recovery_codes(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    _, codes = await turn_on(client, learner)

    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}", c) for c in codes)
    status = (await client.get(TWO_FACTOR, headers=learner.headers)).json()
    assert status == {
        "enabled": True,
        "enabled_at": status["enabled_at"],
        "setting_up": False,
        "recovery_codes_left": 10,
    }
    response = await client.post(TWO_FACTOR, headers=learner.headers)
    assert_problem(response, 409)


# Signing in -----------------------------------------------------------------------------------


async def test_the_right_password_without_a_code_is_a_401_asking_for_the_code(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    await turn_on(client, learner)

    body = assert_problem(await login(client, learner), 401)

    assert body["type"] == TWO_FACTOR_PROBLEM
    assert [e["field"] for e in body["errors"]] == ["code"]
    assert "two-factor code is required" in body["detail"]


async def test_a_wrong_code_is_a_401_naming_the_code(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret, _ = await turn_on(client, learner)

    body = assert_problem(await login(client, learner, code(secret, at_step(10))), 401)

    assert body["type"] == TWO_FACTOR_PROBLEM
    assert [e["field"] for e in body["errors"]] == ["code"]


async def test_a_wrong_password_with_a_right_code_is_still_a_wrong_password(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret, _ = await turn_on(client, learner)
    set_clock(at_step(1))

    response = await login(client, learner, code(secret, at_step(1)), password="not the password")

    body = assert_problem(response, 401)
    assert body["type"] == "about:blank"


@pytest.mark.parametrize("drift", [-1, 0, 1])
async def test_the_current_code_signs_in_and_one_step_of_drift_is_allowed(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock, drift: int
) -> None:
    secret, _ = await turn_on(client, learner)
    set_clock(at_step(5))

    response = await login(client, learner, code(secret, at_step(5 + drift)))

    assert response.status_code == 200, response.text
    assert response.json()["recovery_codes_left"] is None
    me = await client.get(
        "/api/users/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"}
    )
    assert me.json()["email"] == learner.email


async def test_a_code_two_steps_away_is_refused(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret, _ = await turn_on(client, learner)
    set_clock(at_step(5))

    assert_problem(await login(client, learner, code(secret, at_step(3))), 401)
    assert_problem(await login(client, learner, code(secret, at_step(7))), 401)


async def test_a_code_signs_in_once_and_not_again_within_its_window(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret, _ = await turn_on(client, learner)
    set_clock(at_step(5))
    used = code(secret, at_step(5))
    assert (await login(client, learner, used)).status_code == 200

    set_clock(at_step(5) + timedelta(seconds=20))
    assert_problem(await login(client, learner, used), 401)
    # Nor an earlier step's code, still within the drift:
    assert_problem(await login(client, learner, code(secret, at_step(4))), 401)
    set_clock(at_step(6))
    assert (await login(client, learner, code(secret, at_step(6)))).status_code == 200


async def test_of_two_sign_ins_at_once_with_the_same_code_one_succeeds(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret, _ = await turn_on(client, learner)
    set_clock(at_step(5))
    used = code(secret, at_step(5))

    responses = await asyncio.gather(*(login(client, learner, used) for _ in range(2)))

    assert sorted(r.status_code for r in responses) == [200, 401]


async def test_the_code_that_confirmed_the_app_does_not_sign_in(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret, _ = await turn_on(client, learner)

    assert_problem(await login(client, learner, code(secret, START)), 401)


async def test_a_recovery_code_signs_in_once_and_says_how_many_remain(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    _, codes = await turn_on(client, learner)

    response = await login(client, learner, codes[3].upper().replace("-", " "))

    assert response.status_code == 200, response.text
    assert response.json()["recovery_codes_left"] == 9
    assert_problem(await login(client, learner, codes[3]), 401)
    second = await login(client, learner, codes[4])
    assert second.json()["recovery_codes_left"] == 8
    status = (await client.get(TWO_FACTOR, headers=learner.headers)).json()
    assert status["recovery_codes_left"] == 8


async def test_wrong_codes_count_in_the_sign_in_throttle(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock, settings: Settings
) -> None:
    secret, _ = await turn_on(client, learner)
    set_clock(at_step(5))
    # Asking for the code is no failure: the two steps of a sign-in count once.
    for _ in range(settings.login_max_failures_per_email + 1):
        assert_problem(await login(client, learner), 401)

    for guess in range(settings.login_max_failures_per_email):
        assert_problem(await login(client, learner, f"{guess:06d}"), 401)

    body = assert_problem(await login(client, learner, code(secret, at_step(5))), 429)
    assert "too many failed sign-ins" in body["detail"]


async def test_a_right_code_clears_the_earlier_failures(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock, settings: Settings
) -> None:
    secret, _ = await turn_on(client, learner)
    set_clock(at_step(5))
    for guess in range(settings.login_max_failures_per_email - 1):
        assert_problem(await login(client, learner, f"{guess:06d}"), 401)
    assert (await login(client, learner, code(secret, at_step(5)))).status_code == 200

    for guess in range(settings.login_max_failures_per_email - 1):
        assert_problem(await login(client, learner, f"{guess:06d}"), 401)
    assert (await login(client, learner, code(secret, at_step(6)))).status_code == 200


# Recovery codes and turning it off ------------------------------------------------------------


async def test_new_recovery_codes_need_the_password_and_kill_the_old_ones(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    _, old = await turn_on(client, learner)
    url = f"{TWO_FACTOR}/recovery-codes"

    wrong = await client.post(url, json={"password": "not my password"}, headers=learner.headers)
    assert field_errors(wrong).keys() == {"password"}
    response = await client.post(url, json={"password": PASSWORD}, headers=learner.headers)

    assert response.status_code == 200, response.text
    new = response.json()["recovery_codes"]
    assert len(new) == 10
    assert not set(new) & set(old)
    assert_problem(await login(client, learner, old[0]), 401)
    assert (await login(client, learner, new[0])).status_code == 200


async def test_turning_it_off_needs_the_password_and_then_sign_in_needs_no_code(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    await turn_on(client, learner)

    wrong = await client.request(
        "DELETE", TWO_FACTOR, json={"password": "not my password"}, headers=learner.headers
    )
    assert field_errors(wrong).keys() == {"password"}
    assert_problem(await login(client, learner), 401)

    response = await client.request(
        "DELETE", TWO_FACTOR, json={"password": PASSWORD}, headers=learner.headers
    )
    assert response.status_code == 204, response.text
    assert (await login(client, learner)).status_code == 200
    status = (await client.get(TWO_FACTOR, headers=learner.headers)).json()
    assert (status["enabled"], status["setting_up"], status["recovery_codes_left"]) == (
        False,
        False,
        0,
    )
    again = await client.request(
        "DELETE", TWO_FACTOR, json={"password": PASSWORD}, headers=learner.headers
    )
    assert_problem(again, 409)


async def test_turning_it_on_keeps_other_sign_ins(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    await turn_on(client, learner)

    assert (await client.get("/api/users/me", headers=learner.headers)).status_code == 200


async def test_a_password_change_keeps_two_factor_sign_in_on(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret, _ = await turn_on(client, learner)
    new_password = "another long passphrase of mine"
    response = await client.post(
        "/api/users/me/password",
        json={"current_password": PASSWORD, "new_password": new_password},
        headers=learner.headers,
    )
    assert response.status_code == 200, response.text

    assert_problem(await login(client, learner, password=new_password), 401)
    set_clock(at_step(2))
    signed_in = await login(client, learner, code(secret, at_step(2)), password=new_password)
    assert signed_in.status_code == 200


async def test_the_export_says_it_is_on_but_holds_no_secret_or_code(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    secret, codes = await turn_on(client, learner)

    response = await client.get("/api/progress/export", headers=learner.headers)

    assert response.status_code == 200, response.text
    assert response.json()["two_factor"]["enabled"] is True
    assert secret not in response.text
    assert not [c for c in codes if c in response.text or c.replace("-", "") in response.text]


# The pages ------------------------------------------------------------------------------------

PENDING = re.compile(r'name="pending" value="([^"]+)"')


async def _page_sign_in(
    client: httpx.AsyncClient, email: str = "ada@example.com", next_path: str = ""
) -> httpx.Response:
    url = f"/sign-in?next={next_path}" if next_path else "/sign-in"
    return await submit(client, url, {"email": email, "password": PASSWORD}, form_page=url)


async def _send_code(
    client: httpx.AsyncClient, step_page: httpx.Response, typed: str, next_path: str = ""
) -> httpx.Response:
    match = PENDING.search(step_page.text)
    assert match, step_page.text
    url = f"/sign-in/code?next={next_path}" if next_path else "/sign-in/code"
    data = {"csrf_token": csrf_token(step_page.text), "pending": match.group(1), "code": typed}
    return await client.post(url, data=data)


async def _turn_on_in_the_page(client: httpx.AsyncClient) -> tuple[str, list[str]]:
    response = await submit(client, "/settings/account/two-factor", form_page="/settings/account")
    assert response.status_code == 303, response.text
    page = await client.get("/settings/account")
    assert "<svg" in page.text
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page.text)
    assert secret, page.text
    confirmed = await submit(
        client,
        "/settings/account/two-factor/confirm",
        {"code": code(secret.group(1), START)},
        form_page="/settings/account",
    )
    assert confirmed.status_code == 200, confirmed.text
    codes = re.findall(r"<li><code>([a-z2-7-]+)</code></li>", confirmed.text)
    assert len(codes) == 10
    return secret.group(1), codes


async def test_the_pages_set_it_up_and_sign_in_in_two_steps_keeping_next(
    client: httpx.AsyncClient, set_clock: SetClock
) -> None:
    await sign_up(client)
    secret, codes = await _turn_on_in_the_page(client)
    assert codes[0] not in (await client.get("/settings/account")).text  # shown once
    await submit(client, "/sign-out", form_page="/settings/account")
    set_clock(at_step(3))

    step = await _page_sign_in(client, next_path="/goals")

    assert step.status_code == 200, step.text
    assert "Two-factor sign-in" in step.text
    assert (await client.get("/settings")).status_code == 303  # not signed in yet
    wrong = await _send_code(client, step, code(secret, at_step(9)), "/goals")
    assert wrong.status_code == 401
    assert 'aria-invalid="true"' in wrong.text
    done = await _send_code(client, wrong, code(secret, at_step(3)), "/goals")
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/goals"
    assert (await client.get("/settings")).status_code == 200


async def test_the_pages_take_a_recovery_code_and_say_how_many_remain(
    client: httpx.AsyncClient, set_clock: SetClock
) -> None:
    await sign_up(client)
    _, codes = await _turn_on_in_the_page(client)
    await submit(client, "/sign-out", form_page="/settings/account")

    done = await _send_code(client, await _page_sign_in(client), codes[0])

    assert done.status_code == 303, done.text
    page = await client.get("/")
    assert "9 recovery codes remain" in page.text


async def test_the_code_step_ends_after_five_minutes(
    client: httpx.AsyncClient, set_clock: SetClock
) -> None:
    await sign_up(client)
    secret, _ = await _turn_on_in_the_page(client)
    await submit(client, "/sign-out", form_page="/settings/account")
    step = await _page_sign_in(client)
    set_clock(START + timedelta(minutes=5, seconds=5))

    late = await _send_code(client, step, code(secret, START + timedelta(minutes=5, seconds=5)))

    assert late.status_code == 401
    assert "took too long" in late.text
    assert (await client.get("/settings")).status_code == 303


async def test_a_forged_pending_sign_in_signs_no_one_in(
    client: httpx.AsyncClient, learner: Account, set_clock: SetClock
) -> None:
    step = await client.get("/sign-in")
    forged = step.text.replace("</form>", f'<input name="pending" value="{learner.id}"></form>')

    response = await _send_code(client, httpx.Response(200, text=forged), "123456")

    assert response.status_code == 401
    assert (await client.get("/settings")).status_code == 303


async def test_the_settings_page_turns_it_off_with_the_password(
    client: httpx.AsyncClient, set_clock: SetClock
) -> None:
    await sign_up(client)
    await _turn_on_in_the_page(client)
    off = "/settings/account/two-factor/off"

    wrong = await submit(client, off, {"password": "not it at all"}, form_page="/settings/account")
    assert wrong.status_code == 422
    assert "this account&#39;s password" in wrong.text or "this account's password" in wrong.text
    done = await submit(client, off, {"password": PASSWORD}, form_page="/settings/account")

    assert done.status_code == 303, done.text
    assert "Set up two-factor sign-in" in (await client.get("/settings/account")).text


# The operator ---------------------------------------------------------------------------------


async def test_the_operator_turns_it_off_for_a_learner_who_lost_app_and_codes(
    client: httpx.AsyncClient,
    learner: Account,
    set_clock: SetClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    await turn_on(client, learner)
    monkeypatch.setenv("QUESTPATH_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("QUESTPATH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()

    def run(email: str) -> Result:
        return CliRunner().invoke(cli, ["two-factor-off", email])

    try:
        done = await asyncio.to_thread(run, learner.email)
        unknown = await asyncio.to_thread(run, "nobody@example.com")
        again = await asyncio.to_thread(run, learner.email)
    finally:
        get_settings.cache_clear()

    assert done.exit_code == 0, done.output
    assert "Two-factor sign-in is off for learner@example.com." in done.output
    assert (await login(client, learner)).status_code == 200
    assert (unknown.exit_code, again.exit_code) == (1, 1)
    assert "no account with the e-mail address nobody@example.com" in unknown.output
