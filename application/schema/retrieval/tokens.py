"""Words and token counts for ranking schema text against a question."""

import re
from functools import cache

# A BPE tokenizer keeps most English words of up to about six letters whole, splits digits in
# groups of three, and merges short punctuation runs; counting that way over-estimates a real
# tokenizer slightly on schema text, which keeps a budget safe without shipping a vocabulary.
_LETTERS = re.compile(r"[A-Za-z]+")
_DIGITS = re.compile(r"\d+")
_MARKS = re.compile(r"[^\sA-Za-z\d]+")
_WORD = re.compile(r"[A-Za-z]+|\d+")
# Consonants that English doubles before -ed and -ing: shipped, planned, submitted.
_DOUBLED = frozenset("bdgmnprt")
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")

# Question words that say nothing about which tables hold the answer.
_STOP_WORDS_TEXT = """
    a an the of in on at by for to from with and or not no is are was were be been do does did
    how many much what which who whom whose when where why me my our we us i you your it its
    this that these those there their them they than then show list give get find tell all any
    each every per over under between into out up down as about please can could would should
    have has had some most more less least top but yet during still also just only"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def estimate_tokens(text: str) -> int:
    """Tokens a BPE model would spend on `text`, estimated from word pieces (see module note)."""
    return (
        sum((len(word) + 5) // 6 for word in _LETTERS.findall(text))
        + sum((len(number) + 2) // 3 for number in _DIGITS.findall(text))
        + sum((len(marks) + 1) // 2 for marks in _MARKS.findall(text))
        + text.count("\n")
    )


def terms(text: str) -> list[str]:
    """Lower-cased, lightly stemmed words of `text`; snake_case and camelCase are split."""
    words: list[str] = []
    for chunk in _WORD.findall(_CAMEL.sub(" ", text)):
        word = stem(chunk.lower())
        if word:
            words.append(word)
    return words


def question_terms(text: str) -> list[str]:
    """The terms of a question, without the words every question shares."""
    kept = " ".join(w for w in _WORD.findall(text) if w.lower() not in STOP_WORDS)
    return [t for t in terms(kept) if len(t) > 1]


@cache
def stem(word: str) -> str:
    """Fold plurals and -ed/-ing forms: 'entries' meets 'entry', 'invoiced' meets 'invoice'."""
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("people"):
        return word[:-6] + "person"
    word = _singular(word)
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            word = word[: -len(suffix)]
            if len(word) > 2 and word[-1] == word[-2] and word[-1] in _DOUBLED:
                word = word[:-1]
            break
    # Stripping a silent e makes 'invoice' and 'invoiced' (now 'invoic') the same word.
    if len(word) > 3 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "uses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word.removesuffix("s")
