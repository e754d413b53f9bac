"""Text from the database placed in a prompt: fenced as data, so it cannot instruct the model."""

import re

_DATA_TAG = re.compile(r"<\s*/?\s*data\b[^>]*>", re.IGNORECASE)


def neutralise_data_tags(text: str) -> str:
    """The text with every <data> or </data> tag defanged, so it cannot open or close a fence."""
    return _DATA_TAG.sub(lambda match: "&lt;" + match.group(0)[1:], text)


def fenced(text: str) -> str:
    """`text` inside a <data> fence that nothing in it can close."""
    return f"<data>\n{neutralise_data_tags(text)}\n</data>"
