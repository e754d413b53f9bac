"""Which failures a concern counts: the answers to "did the service fail, and may it heal?"."""

from domain.errors import AIServiceUnavailable, DatabaseUnavailable


def database_unreachable(exc: BaseException) -> bool:
    """No answer from the database; a SQL error or a timeout is an answer from a working server."""
    return isinstance(exc, DatabaseUnavailable)


def database_may_heal(exc: BaseException) -> bool:
    """A lost or refused connection; not a rejected login nor a host name that does not resolve."""
    return isinstance(exc, DatabaseUnavailable) and not exc.lasting


def ai_unavailable(exc: BaseException) -> bool:
    """The chat model failed to answer."""
    return isinstance(exc, AIServiceUnavailable)
