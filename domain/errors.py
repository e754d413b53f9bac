"""The one error tree of pg-mcp; every failure a client sees is one of these.

PgMcpError (code, default_message)
├── DatabaseUnavailable      ERR_001  connection refused, lost, pool exhausted
├── SchemaLoadFailed         ERR_002  catalog introspection failed
├── AIServiceUnavailable     ERR_003  chat model not configured, down, timed out
├── SqlGenerationFailed      ERR_004  the model gave no usable SQL
├── UnsafeSql                ERR_005  the safety or access policy refused the SQL
├── SqlExecutionFailed       ERR_006  PostgreSQL rejected the SQL
├── ResultValidationFailed   ERR_007  the result does not answer the question
├── InvalidRequest           ERR_008  bad tool arguments
├── RateLimited              ERR_009  too many calls; retry_after seconds
└── QueryTimedOut            ERR_010  statement_timeout or client timeout
"""

from enum import StrEnum
from typing import ClassVar

from domain.refusal_rules import RefusalRule


class ErrorCode(StrEnum):
    """Public error codes; the text of every error result starts with one."""

    DATABASE_CONNECTION = "ERR_001"
    SCHEMA_LOAD = "ERR_002"
    AI_SERVICE = "ERR_003"
    SQL_GENERATION = "ERR_004"
    SQL_SECURITY = "ERR_005"
    SQL_EXECUTION = "ERR_006"
    RESULT_VALIDATION = "ERR_007"
    INVALID_REQUEST = "ERR_008"
    RATE_LIMIT = "ERR_009"
    QUERY_TIMEOUT = "ERR_010"


class PgMcpError(Exception):
    """Base of every error pg-mcp reports; its message is safe to show a client."""

    code: ClassVar[ErrorCode]
    default_message: ClassVar[str]

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)

    def details(self) -> dict[str, object]:
        """Extra facts for the structured error, beyond code and message."""
        return {}


class DatabaseUnavailable(PgMcpError):
    """The database could not be reached; lasting when trying again cannot help (a bad login)."""

    code = ErrorCode.DATABASE_CONNECTION
    default_message = "The database is not reachable"

    def __init__(self, message: str | None = None, *, lasting: bool = False) -> None:
        super().__init__(message)
        self.lasting = lasting


class SchemaLoadFailed(PgMcpError):
    """The schema could not be read from the catalog."""

    code = ErrorCode.SCHEMA_LOAD
    default_message = "The database schema could not be loaded"


class AIServiceUnavailable(PgMcpError):
    """The chat model is not configured, failed or timed out."""

    code = ErrorCode.AI_SERVICE
    default_message = "The AI service is unavailable"


class SqlGenerationFailed(PgMcpError):
    """The chat model replied without usable SQL."""

    code = ErrorCode.SQL_GENERATION
    default_message = "No SQL statement could be generated for this question"


class UnsafeSql(PgMcpError):
    """The SQL was refused by the safety or access policy."""

    code = ErrorCode.SQL_SECURITY
    default_message = "The SQL statement was refused by the security policy"

    def __init__(
        self, message: str | None = None, *, rule: RefusalRule = RefusalRule.POLICY
    ) -> None:
        super().__init__(message)
        self.rule = rule

    def details(self) -> dict[str, object]:
        return {"rule": self.rule}


class SqlExecutionFailed(PgMcpError):
    """PostgreSQL rejected or failed to run the SQL."""

    code = ErrorCode.SQL_EXECUTION
    default_message = "The SQL statement failed"

    def __init__(
        self, message: str | None = None, *, sqlstate: str | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate
        self.hint = hint

    def details(self) -> dict[str, object]:
        return {k: v for k, v in {"sqlstate": self.sqlstate, "hint": self.hint}.items() if v}


class ResultValidationFailed(PgMcpError):
    """The result was judged not to answer the question."""

    code = ErrorCode.RESULT_VALIDATION
    default_message = "The result does not appear to answer the question"


class InvalidRequest(PgMcpError):
    """The tool was called with bad arguments."""

    code = ErrorCode.INVALID_REQUEST
    default_message = "Invalid request"


class RateLimited(PgMcpError):
    """Too many calls; a call will be accepted after retry_after seconds."""

    code = ErrorCode.RATE_LIMIT
    default_message = "Rate limit exceeded"

    def __init__(self, message: str | None = None, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def details(self) -> dict[str, object]:
        return {"retry_after": round(self.retry_after, 3)}


class QueryTimedOut(PgMcpError):
    """The query ran longer than the configured timeout and was cancelled."""

    code = ErrorCode.QUERY_TIMEOUT
    default_message = "The query timed out and was cancelled"
