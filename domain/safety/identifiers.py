"""Identifiers as PostgreSQL reads and writes them: unquoted names folded (ASCII letters only),
quoted names taken exactly."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

# The settings read names with this module before serving; sqlglot loads later, off that path.
if TYPE_CHECKING:
    from sqlglot import exp

# A name that PostgreSQL reads back unchanged when written bare.
_PLAIN = re.compile(r"[a-z_][a-z0-9_$]*")
# PostgreSQL's downcase_identifier folds A-Z alone in a multibyte encoding such as UTF8:
# an unquoted "Ünits" stays "Ünits", which Python's str.lower() would turn into "ünits".
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """An unquoted identifier as PostgreSQL stores it."""
    return name.translate(_ASCII_LOWER)


def quote_identifier(name: str) -> str:
    """`name` as a quoted identifier that PostgreSQL reads back exactly (quote_ident, always)."""
    return '"' + name.replace('"', '""') + '"'


def written_name(name: str) -> str:
    """`name` as one writes it: bare when folding leaves it unchanged, else quoted."""
    return name if _PLAIN.fullmatch(name) else quote_identifier(name)


def fold_identifiers(identifiers: Iterable[exp.Expr]) -> None:
    """Fold every unquoted identifier in place (all of a tree's), so names compare exactly."""
    for node in identifiers:
        if not node.args.get("quoted"):
            node.set("this", fold(node.this))
