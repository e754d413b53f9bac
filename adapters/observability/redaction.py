"""Masks passwords and API keys in any text before it is logged."""

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

MASK = "***"
# A secret shorter than this would mask ordinary words all over the log.
MIN_SECRET_LENGTH = 4

_PATTERNS = (
    # postgresql://user:PASSWORD@host (any URL scheme with credentials)
    (re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)[^\s@]+@"), rf"\g<1>{MASK}@"),
    # libpq keyword form: password=secret, password='se cret'
    (re.compile(r"(\bpassword\s*=\s*)('[^']*'|\S+)", re.IGNORECASE), rf"\g<1>{MASK}"),
    # OpenAI-style keys: sk-..., sk-proj-...
    (re.compile(r"\bsk-[A-Za-z0-9_-]{6,}"), f"sk-{MASK}"),
    (re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]{6,}", re.IGNORECASE), rf"\g<1>{MASK}"),
)
# What each pattern above needs to find at all: most log text holds none, and one search for
# these is far cheaper than four substitutions (every successful call writes a log line).
_ANY_SHAPE = re.compile(r"://|password|sk-|bearer", re.IGNORECASE)


def dsn_password(dsn: str) -> str | None:
    """The password inside a postgresql:// DSN, if it has one."""
    try:
        return urlsplit(dsn).password
    except ValueError:
        return None


class Redactor:
    """Replaces known secrets and anything shaped like a DSN password or an API key."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        # Longest first, so a secret that contains another is masked whole.
        self._secrets = sorted(
            {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}, key=len, reverse=True
        )

    def __call__(self, text: str) -> str:
        """`text` with every secret masked."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        if _ANY_SHAPE.search(text) is None:
            return text
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text
