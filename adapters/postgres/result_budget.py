"""The rows of one result kept under a row cap and a byte cap, filled batch by batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.errors import SqlExecutionFailed
from domain.models import Row

# Rows fetched before their size is known; then batches are sized to what is left of the cap.
FIRST_BATCH = 50
MIN_BATCH = 8
# Python holds a small value in ~30 times its JSON bytes: rows of many small values must not
# make one batch a hundred megabytes.
MAX_BATCH = 500


def json_size(value: object) -> int:
    """Bytes of value as compact JSON with Python's default ASCII escapes.

    An upper bound of its UTF-8 size: an escape (6 or 12 bytes) is never shorter than the
    UTF-8 bytes of its character (2 to 4).
    """
    return len(json.dumps(value, separators=(",", ":"), default=str))


@dataclass(slots=True, kw_only=True)
class ResultBudget:
    """Rows kept so far; full when max_rows rows are kept or the next would pass max_bytes.

    max_bytes caps the JSON array of the rows ("[[...],[...]]"). A first row that alone passes
    it raises SqlExecutionFailed rather than returning an empty result that looks like "no
    rows": the message tells the model how to ask for less, so that it can repair the query.
    """

    max_rows: int
    max_bytes: int | None = None
    rows: list[Row] = field(default_factory=list)
    used: int = 2  # the brackets of the empty array
    truncated: bool = False
    done: bool = False

    def next_batch(self) -> int:
        """How many rows to fetch next: 0 when full; one more than fits, to detect truncation."""
        if self.done:
            return 0
        left = self.max_rows - len(self.rows) + 1
        if self.max_bytes is None:
            return min(left, MAX_BATCH)
        if not self.rows:
            return min(left, FIRST_BATCH)
        average = max(1, (self.used - 1) // len(self.rows))  # a row and its comma
        return min(left, MAX_BATCH, max(MIN_BATCH, (self.max_bytes - self.used) // average + 1))

    def add(self, rows: Sequence[Row], *, last: bool) -> None:
        """Keep what fits of a batch; last says the query has no rows after it."""
        room = self.max_rows - len(self.rows)
        if len(rows) > room:
            self.truncated = True
        fitting = rows[:room]
        if self.max_bytes is None:
            self.rows.extend(fitting)
        elif not self._add_all(fitting, self.max_bytes):
            self._add_each(fitting, self.max_bytes)
        self.done = self.done or last or self.truncated

    def cut(self, size: int) -> None:
        """PostgreSQL found that the next row, of `size` bytes in all, passes the byte cap."""
        if not self.rows and self.max_bytes is not None:
            raise first_row_too_large(size, self.max_bytes)
        self.truncated = self.done = True

    def _add_all(self, rows: Sequence[Row], limit: int) -> bool:
        # One C-speed dump of the whole batch; most batches fit.
        size = json_size(rows) - 2 + (1 if self.rows and rows else 0)
        if self.used + size > limit:
            return False
        self.rows.extend(rows)
        self.used += size
        return True

    def _add_each(self, rows: Sequence[Row], limit: int) -> None:
        for row in rows:
            size = json_size(row) + (1 if self.rows else 0)
            if self.used + size > limit:
                if not self.rows:
                    raise first_row_too_large(size, limit)
                self.truncated = True
                return
            self.rows.append(row)
            self.used += size


def first_row_too_large(size: int, limit: int) -> SqlExecutionFailed:
    """The error for a first row larger than the whole reply may be."""
    return SqlExecutionFailed(
        f"The first row alone is {size:,} bytes, more than the reply limit of {limit:,} bytes",
        hint="Select fewer columns, or shorten long values, e.g. left(column, 500).",
    )
