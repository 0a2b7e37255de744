"""The effective credentials file: Telegram and Slack on only when their variables are all set."""

from __future__ import annotations

from pathlib import Path

import rasa.shared.utils.io

from channels.credentials import SLACK, TELEGRAM, effective, status

ROOT = Path(__file__).resolve().parents[2]
TELEGRAM_ENV = {
    "LBP_TELEGRAM_TOKEN": "123456:ABC-def",
    "LBP_TELEGRAM_BOT_USERNAME": "lbp_bot",
    "LBP_TELEGRAM_WEBHOOK_URL": "https://bot.example.org/webhooks/telegram/webhook",
    "LBP_TELEGRAM_SECRET": "a-secret_1",
}
SLACK_ENV = {"LBP_SLACK_TOKEN": "xoxb-1", "LBP_SLACK_SIGNING_SECRET": "signing"}


def read_as_rasa(text: str, tmp_path: Path, monkeypatch, env: dict[str, str]) -> dict:
    """The credentials as Rasa reads them (it expands ${VAR} from the environment)."""
    for variable in [*TELEGRAM.required.values(), *TELEGRAM.optional.values(),
                     *SLACK.required.values(), *SLACK.optional.values()]:
        monkeypatch.delenv(variable, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    path = tmp_path / "credentials.yml"
    path.write_text(text)
    return rasa.shared.utils.io.read_config_file(path)


def test_without_variables_the_file_is_credentials_yml_unchanged(tmp_path, monkeypatch):
    base = (ROOT / "credentials.yml").read_text()
    assert effective(base, {}) == base
    config = read_as_rasa(effective(base, {}), tmp_path, monkeypatch, {})
    assert TELEGRAM.key not in config and SLACK.key not in config


def test_all_variables_turn_both_channels_on_and_rasa_reads_their_values(tmp_path, monkeypatch):
    env = {**TELEGRAM_ENV, **SLACK_ENV, "LBP_SLACK_API_URL": "http://127.0.0.1:9/api/"}
    text = effective((ROOT / "credentials.yml").read_text(), env)
    assert "xoxb-1" not in text and "a-secret_1" not in text  # no secret written to disk
    config = read_as_rasa(text, tmp_path, monkeypatch, env)
    assert config[TELEGRAM.key] == {
        "access_token": "123456:ABC-def",
        "verify": "lbp_bot",
        "webhook_url": "https://bot.example.org/webhooks/telegram/webhook",
        "secret_token": "a-secret_1",
    }
    assert config[SLACK.key] == {
        "slack_token": "xoxb-1",
        "slack_signing_secret": "signing",
        "api_url": "http://127.0.0.1:9/api/",
    }


def test_a_partly_configured_channel_stays_off_and_names_what_is_missing(tmp_path, monkeypatch):
    env = {key: value for key, value in TELEGRAM_ENV.items() if key != "LBP_TELEGRAM_SECRET"}
    config = read_as_rasa(effective("rest:\n", env), tmp_path, monkeypatch, env)
    assert TELEGRAM.key not in config
    assert status(TELEGRAM, env) == (
        "Telegram: OFF, these variables are not set: LBP_TELEGRAM_SECRET"
    )
    assert status(SLACK, env) == "Slack: off"
    assert status(SLACK, SLACK_ENV) == "Slack: on, webhook at /webhooks/slack/webhook"


def test_the_retired_slack_channel_variable_is_not_written_and_the_status_says_why(
    tmp_path, monkeypatch
):
    env = {**SLACK_ENV, "LBP_SLACK_CHANNEL": "C123"}
    config = read_as_rasa(effective("rest:\n", env), tmp_path, monkeypatch, env)
    assert "slack_channel" not in config[SLACK.key]
    assert status(SLACK, env).startswith("Slack: on, webhook at /webhooks/slack/webhook (")
    assert "LBP_SLACK_CHANNEL is not used: health talk happens in direct messages" in status(
        SLACK, env
    )
