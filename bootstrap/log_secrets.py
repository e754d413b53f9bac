"""What the logs must never show, read from the settings before anything else is loaded."""

from adapters.observability.redaction import dsn_password
from bootstrap.settings import Settings


def log_secrets(settings: Settings) -> list[str | None]:
    """The values the logs must never show: DSN passwords, the API key, static bearer tokens."""
    dsns = [entry.dsn.get_secret_value() for entry in settings.database.entries()]
    key = settings.openai.api_key
    redis = settings.shared.redis_url
    return [
        *(dsn_password(d) for d in dsns),
        key.get_secret_value() if key else None,
        *settings.auth.secrets(),
        dsn_password(redis.get_secret_value()) if redis else None,
    ]
