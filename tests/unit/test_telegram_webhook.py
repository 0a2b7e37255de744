"""`make telegram-webhook` against a fake Bot API, a refusing one, and a port nothing listens on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.telegram_webhook import ALLOWED_UPDATES, RegistrationFailed, main, register
from tests.e2e.servers import free_port
from tests.fake_chat_apis import FakeTelegram

TOKEN = "123456:fake-token"
URL = "https://bot.example.org/webhooks/telegram/webhook"


@pytest.fixture(scope="module")
def telegram() -> Iterator[FakeTelegram]:
    api = FakeTelegram(token=TOKEN).start()
    yield api
    api.stop()


def test_registration_sends_the_url_the_secret_and_the_updates_wanted(telegram):
    assert register(TOKEN, URL, "the-secret", telegram.url) == "Webhook was set"
    call = telegram.called("setWebhook")[-1]
    assert call.token == TOKEN
    assert call.data == {
        "url": URL,
        "secret_token": "the-secret",
        "allowed_updates": ALLOWED_UPDATES,
    }


def test_a_refused_token_says_telegram_refused_it(telegram):
    with pytest.raises(RegistrationFailed, match="Telegram refused the webhook: Unauthorized"):
        register("999:wrong", URL, "the-secret", telegram.url)


def test_an_unreachable_api_says_so_without_the_token(capsys):
    closed = f"http://127.0.0.1:{free_port()}"
    env = {
        "LBP_TELEGRAM_TOKEN": TOKEN,
        "LBP_TELEGRAM_BOT_USERNAME": "lbp_bot",
        "LBP_TELEGRAM_WEBHOOK_URL": URL,
        "LBP_TELEGRAM_SECRET": "the-secret",
        "LBP_TELEGRAM_API_URL": closed,
    }
    assert main(env) == 1
    error = capsys.readouterr().err
    assert f"could not reach the Telegram Bot API at {closed}" in error
    assert TOKEN not in error


def test_the_step_names_missing_variables(capsys):
    assert main({"LBP_TELEGRAM_TOKEN": TOKEN}) == 1
    assert "LBP_TELEGRAM_SECRET" in capsys.readouterr().err


def test_the_step_succeeds_against_the_api(telegram, capsys):
    env = {
        "LBP_TELEGRAM_TOKEN": TOKEN,
        "LBP_TELEGRAM_BOT_USERNAME": "lbp_bot",
        "LBP_TELEGRAM_WEBHOOK_URL": URL,
        "LBP_TELEGRAM_SECRET": "the-secret",
        "LBP_TELEGRAM_API_URL": telegram.url,
    }
    assert main(env) == 0
    assert f"Telegram webhook set to {URL}" in capsys.readouterr().out
