"""Register the Telegram webhook (`make telegram-webhook`): a step of its own, apart from start-up.

Telegram keeps the webhook until it is changed, so this runs once per deployment (or when the
URL or secret changes). It tells Telegram where to post updates, with which secret header, and
which updates to send; on failure it says what failed and exits with status 1.

    LBP_TELEGRAM_TOKEN=... LBP_TELEGRAM_WEBHOOK_URL=https://.../webhooks/telegram/webhook \
    LBP_TELEGRAM_SECRET=... python -m channels.telegram_webhook
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping

from channels.credentials import TELEGRAM, TELEGRAM_API

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


class RegistrationFailed(RuntimeError):
    """The webhook could not be set; the message says why (never with the token in it)."""


def register(token: str, webhook_url: str, secret: str, api_url: str = TELEGRAM_API,
             timeout: float = 10.0) -> str:
    """Call `setWebhook`; return Telegram's description, or raise RegistrationFailed."""
    request = urllib.request.Request(
        f"{api_url.rstrip('/')}/bot{token}/setWebhook",
        data=json.dumps(
            {"url": webhook_url, "secret_token": secret, "allowed_updates": ALLOWED_UPDATES}
        ).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:  # noqa: S310 - http(s) only
            answer = json.loads(reply.read())
    except urllib.error.HTTPError as error:
        try:
            answer = json.loads(error.read())
        except ValueError:
            raise RegistrationFailed(
                f"the Telegram Bot API at {api_url} answered HTTP {error.code}"
            ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise RegistrationFailed(
            f"could not reach the Telegram Bot API at {api_url}: {reason}"
        ) from None
    except ValueError:
        raise RegistrationFailed(f"the Telegram Bot API at {api_url} did not answer JSON") from None
    if not isinstance(answer, dict) or answer.get("ok") is not True:
        description = answer.get("description") if isinstance(answer, dict) else answer
        raise RegistrationFailed(f"Telegram refused the webhook: {description}")
    return str(answer.get("description") or "Webhook was set")


def main(env: Mapping[str, str]) -> int:
    missing = [var for var in TELEGRAM.required.values() if not env.get(var)]
    if missing:
        print(f"Telegram webhook not set: set {', '.join(missing)}", file=sys.stderr)
        return 1
    fields = {key: env[var] for key, var in TELEGRAM.required.items()}
    api_url = env.get(TELEGRAM.optional["api_url"]) or TELEGRAM_API
    try:
        description = register(
            fields["access_token"], fields["webhook_url"], fields["secret_token"], api_url
        )
    except RegistrationFailed as error:
        print(f"Telegram webhook not set: {error}", file=sys.stderr)
        return 1
    print(f"Telegram webhook set to {fields['webhook_url']} ({description})")
    return 0


if __name__ == "__main__":
    sys.exit(main(os.environ))
