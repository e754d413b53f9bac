"""Identifiers as PostgreSQL reads them: unquoted names folded to lower case, ASCII letters only."""

from sqlglot import exp

# PostgreSQL's downcase_identifier folds A-Z alone in a multibyte encoding such as UTF8:
# an unquoted "Ünits" stays "Ünits", which Python's str.lower() would turn into "ünits".
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """An unquoted identifier as PostgreSQL stores it."""
    return name.translate(_ASCII_LOWER)


def fold_identifiers(tree: exp.Expr) -> None:
    """Fold every unquoted identifier of sqlglot's tree in place, so names compare exactly."""
    for node in tree.walk():
        if type(node) is exp.Identifier and not node.quoted:
            node.set("this", fold(node.this))
