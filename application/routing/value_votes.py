"""How much the values a question names speak for each database."""

import math
from collections.abc import Mapping

from application.values.value_index import ValueIndex

# A value named in the question ('Engineering', 'games') says more than a word of the schema.
VALUE_WEIGHT = 15.0


def value_bonus(question: str, indexes: Mapping[str, ValueIndex]) -> dict[str, float]:
    """Per database: its share of the question's values, discounted when others hold them too."""
    phrases: dict[str, set[str]] = {}
    for name, index in indexes.items():
        phrases[name] = {match.value.lower() for match in index.match(question)}
    holders: dict[str, int] = {}
    for found in phrases.values():
        for phrase in found:
            holders[phrase] = holders.get(phrase, 0) + 1
    count = len(indexes)
    return {
        name: sum(VALUE_WEIGHT * math.log(count / holders[p]) / math.log(count) for p in found)
        if count > 1
        else 0.0
        for name, found in phrases.items()
    }
