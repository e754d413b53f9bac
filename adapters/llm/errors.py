"""Translate openai exceptions into pg-mcp errors, once, at the adapter edge."""

from collections.abc import Iterator
from contextlib import contextmanager

import openai

from domain.errors import AIServiceUnavailable, PgMcpError

_OPENAI_ERRORS: dict[type[Exception], type[PgMcpError]] = {
    openai.APITimeoutError: AIServiceUnavailable,
    openai.APIConnectionError: AIServiceUnavailable,
    openai.APIResponseValidationError: AIServiceUnavailable,
    openai.OAuthError: AIServiceUnavailable,
    openai.AuthenticationError: AIServiceUnavailable,
    openai.PermissionDeniedError: AIServiceUnavailable,
    openai.NotFoundError: AIServiceUnavailable,
    openai.ConflictError: AIServiceUnavailable,
    openai.UnprocessableEntityError: AIServiceUnavailable,
    openai.RateLimitError: AIServiceUnavailable,
    openai.BadRequestError: AIServiceUnavailable,
    openai.InternalServerError: AIServiceUnavailable,
    openai.APIStatusError: AIServiceUnavailable,
    openai.APIError: AIServiceUnavailable,
    openai.OpenAIError: AIServiceUnavailable,
}

# Templates see {model}, {timeout}, {endpoint}, {status} and {detail}; none of them holds the key.
_MESSAGES: dict[type[Exception], str] = {
    openai.APITimeoutError: "The AI service at {endpoint} timed out after {timeout:g} s",
    openai.APIConnectionError: "The AI service at {endpoint} could not be reached",
    openai.APIResponseValidationError: "The AI service sent a reply that could not be read",
    openai.OAuthError: "The AI service rejected the credentials (OAuth); check the API settings",
    openai.AuthenticationError: (
        "The AI service rejected the API key (HTTP 401); check PG_MCP_OPENAI_API_KEY"
    ),
    openai.PermissionDeniedError: (
        "The AI service refused access to model {model!r} (HTTP 403); "
        "check PG_MCP_OPENAI_API_KEY and PG_MCP_OPENAI_MODEL"
    ),
    openai.NotFoundError: (
        "The AI service has no model {model!r} (HTTP 404); check PG_MCP_OPENAI_MODEL "
        "and PG_MCP_OPENAI_BASE_URL"
    ),
    openai.ConflictError: "The AI service reported a conflict (HTTP 409){detail}",
    openai.UnprocessableEntityError: (
        "The AI service could not process the request (HTTP 422){detail}"
    ),
    openai.RateLimitError: "The AI service is rate limiting requests (HTTP 429); try again later",
    openai.BadRequestError: "The AI service rejected the request (HTTP 400){detail}",
    openai.InternalServerError: "The AI service failed (HTTP {status})",
    openai.APIStatusError: "The AI service answered HTTP {status}{detail}",
    openai.APIError: "The AI service failed",
    openai.OpenAIError: "The AI service failed",
}

# The codes openai's own retry loop treats as worth another try.
_TRANSIENT_STATUSES = frozenset({408, 409, 429})
_DETAIL_LIMIT = 200


def _most_specific(exc: BaseException) -> type[Exception] | None:
    return next((cls for cls in type(exc).__mro__ if cls in _OPENAI_ERRORS), None)


def _detail(exc: openai.OpenAIError) -> str:
    """The server's own short error message, when it sent one in the usual JSON shape."""
    body = getattr(exc, "body", None)
    message = body.get("message") if isinstance(body, dict) else None
    if not isinstance(message, str) or not message.strip():
        return ""
    return ": " + message.strip()[:_DETAIL_LIMIT]


def translate(exc: openai.OpenAIError, *, model: str, timeout: float, endpoint: str) -> PgMcpError:
    """The pg-mcp error that stands for one openai exception, with a message safe to show."""
    cls = _most_specific(exc) or openai.OpenAIError
    status = getattr(exc, "status_code", "?")
    # A 401 body may echo part of the key, so only statuses without credentials carry details.
    detail = "" if isinstance(exc, openai.AuthenticationError) else _detail(exc)
    message = _MESSAGES[cls].format(
        model=model, timeout=timeout, endpoint=endpoint, status=status, detail=detail
    )
    return _OPENAI_ERRORS[cls](message)


@contextmanager
def translate_openai_errors(*, model: str, timeout: float, endpoint: str) -> Iterator[None]:
    """Re-raise any openai exception as the matching PgMcpError, chained with `from`."""
    try:
        yield
    except openai.OpenAIError as exc:
        raise translate(exc, model=model, timeout=timeout, endpoint=endpoint) from exc


def _openai_cause(exc: BaseException) -> BaseException | None:
    """The openai exception itself, or the one a translated error was raised from."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, openai.OpenAIError):
            return seen
        seen = seen.__cause__
    return None


def is_transient(exc: BaseException) -> bool:
    """Whether another try may succeed: timeouts, lost connections, 408, 409, 429 and 5xx."""
    cause = _openai_cause(exc)
    if isinstance(cause, openai.APIConnectionError):
        return True
    if isinstance(cause, openai.APIStatusError):
        return cause.status_code in _TRANSIENT_STATUSES or cause.status_code >= 500
    return False


def retry_after(exc: BaseException) -> float | None:
    """Seconds the server asked to wait (Retry-After, in seconds), if it said so."""
    cause = _openai_cause(exc)
    if not isinstance(cause, openai.APIStatusError):
        return None
    try:
        seconds = float(cause.response.headers.get("retry-after", ""))
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
