"""Statements that passed both policies, kept so that a repeated one is not parsed again."""

from collections import OrderedDict
from threading import Lock

from application.schema.prepared import PreparedSchema
from domain.safety.checked import CheckedSql

# Longer statements are rare repeats and large trees: decided afresh every time.
MAX_CACHED_CHARS = 4096


class GateDecisions:
    """A bounded map of (SQL text, prepared schema) to the statement the policies made of it.

    A decision holds only under the schema it was made under (prepared schemas compare by
    identity): a reload prepares a new one and every statement is judged again. It belongs to
    one pair of policies (its owner's), so a policy change cannot reuse it either.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._lock = Lock()  # large statements are checked in worker threads
        self._decided: OrderedDict[tuple[str, PreparedSchema], CheckedSql] = OrderedDict()

    def get(self, sql: str, schema: PreparedSchema) -> CheckedSql | None:
        """What the policies made of sql under this very schema, if they let it pass."""
        key = (sql, schema)
        with self._lock:
            found = self._decided.get(key)
            if found is not None:
                self._decided.move_to_end(key)
            return found

    def put(self, sql: str, schema: PreparedSchema, checked: CheckedSql) -> None:
        """Remember that sql passed under schema as checked; the least recent goes past size."""
        if len(sql) > MAX_CACHED_CHARS:
            return
        with self._lock:
            self._decided[(sql, schema)] = checked
            self._decided.move_to_end((sql, schema))
            while len(self._decided) > self._size:
                self._decided.popitem(last=False)
