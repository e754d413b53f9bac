"""SQL as the access policy receives it: through the safety gate, with PostgreSQL's names."""

from domain.safety.checked import CheckedSql, SafetyConfig
from domain.safety.policy import SafetyPolicy

_GATE = SafetyPolicy(SafetyConfig())


def checked(sql: str) -> CheckedSql:
    """The statement as the safety policy passes it on (raises UnsafeSql if it refuses)."""
    return _GATE.check(sql)
