"""Identifiers as PostgreSQL reads them: unquoted names folded to lower case, ASCII letters only."""

from collections.abc import Iterable

from sqlglot import exp

# PostgreSQL's downcase_identifier folds A-Z alone in a multibyte encoding such as UTF8:
# an unquoted "Ünits" stays "Ünits", which Python's str.lower() would turn into "ünits".
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """An unquoted identifier as PostgreSQL stores it."""
    return name.translate(_ASCII_LOWER)


def fold_identifiers(identifiers: Iterable[exp.Expr]) -> None:
    """Fold every unquoted identifier in place (all of a tree's), so names compare exactly."""
    for node in identifiers:
        if not node.args.get("quoted"):
            node.set("this", fold(node.this))
