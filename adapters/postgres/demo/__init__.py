"""The demo database: Copperleaf Outfitters, an online retailer of outdoor gear (SQL files here)."""

from hashlib import sha256
from importlib.resources import files

DEMO_SQL_FILES = ("schema.sql", "data.sql")


def demo_sql() -> str:
    """The whole demo script: the schema, then the data."""
    package = files(__name__)
    return "\n".join(package.joinpath(name).read_text(encoding="utf-8") for name in DEMO_SQL_FILES)


def demo_version() -> str:
    """A short fingerprint of the demo script; it changes whenever the SQL does."""
    return sha256(demo_sql().encode()).hexdigest()[:12]
