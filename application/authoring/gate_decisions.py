"""Statements that passed both policies, kept so that a repeated one is not parsed again."""

from collections import OrderedDict
from threading import Lock

from domain.models import SchemaSnapshot
from domain.safety.checked import CheckedSql

# Longer statements are rare repeats and large trees: decided afresh every time.
MAX_CACHED_CHARS = 4096


class GateDecisions:
    """A bounded map of (SQL text, schema snapshot) to the statement the policies made of it.

    A decision holds only under the snapshot it was made under, compared by identity: a schema
    reload brings a new snapshot and every statement is judged again. It belongs to one pair of
    policies (its owner's), so a policy change cannot reuse it either.
    """

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._lock = Lock()  # large statements are checked in worker threads
        self._decided: OrderedDict[tuple[str, int], tuple[SchemaSnapshot, CheckedSql]] = (
            OrderedDict()
        )

    def get(self, sql: str, snapshot: SchemaSnapshot) -> CheckedSql | None:
        """What the policies made of sql under this very snapshot, if they let it pass."""
        key = (sql, id(snapshot))
        with self._lock:
            found = self._decided.get(key)
            if found is None or found[0] is not snapshot:
                return None
            self._decided.move_to_end(key)
            return found[1]

    def put(self, sql: str, snapshot: SchemaSnapshot, checked: CheckedSql) -> None:
        """Remember that sql passed under snapshot as checked; the least recent goes past size."""
        if len(sql) > MAX_CACHED_CHARS:
            return
        with self._lock:
            self._decided[(sql, id(snapshot))] = (snapshot, checked)
            self._decided.move_to_end((sql, id(snapshot)))
            while len(self._decided) > self._size:
                self._decided.popitem(last=False)
