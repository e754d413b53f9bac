"""The parts of a question that look like names of things: 'Apollo', "Hamburg", A-1001."""

import re

# Quoted text, a run of capitalised words, or a code mixing letters and digits.
_QUOTED = re.compile(r"['\"\u201c\u2018]([^'\"\u201d\u2019]{2,60})['\"\u201d\u2019]")
_CAPITALISED_RUN = re.compile(r"\b[A-ZÀ-Þ][\w&.-]*(?:\s+[A-ZÀ-Þ][\w&.-]*)*")
_CODE = re.compile(r"\b(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[A-Za-z\d]+(?:-[A-Za-z\d]+)+\b")
MAX_PHRASES = 3
MAX_PHRASE_CHARS = 60


def name_phrases(question: str) -> list[str]:
    """Up to three phrases that may be values, quoted ones first; the opening word is skipped."""
    found = [match[1].strip() for match in _QUOTED.finditer(question)]
    found += [match[0] for match in _CODE.finditer(question)]
    # The opening word is capitalised as any sentence's is: blanked, so 'Which' names nothing.
    rest = re.sub(r"^\s*\S+", lambda opening: " " * len(opening[0]), question)
    found += [match[0] for match in _CAPITALISED_RUN.finditer(rest)]
    unique = dict.fromkeys(p for p in found if 2 <= len(p) <= MAX_PHRASE_CHARS)
    return list(unique)[:MAX_PHRASES]
