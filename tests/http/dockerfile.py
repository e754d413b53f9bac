"""What the Dockerfile declares, read from its text (no Docker engine needed)."""

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

DOCKERFILE = Path(__file__).parents[2] / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    """One instruction: its keyword (upper case) and the rest of its line, continuations joined."""

    keyword: str
    arguments: str

    def exec_form(self) -> list[str]:
        """The JSON array of a CMD, ENTRYPOINT or HEALTHCHECK ... CMD."""
        return list(json.loads(self.arguments[self.arguments.index("[") :]))


def stages(path: Path = DOCKERFILE) -> list[list[Instruction]]:
    """The instructions of each build stage, in order."""
    found: list[list[Instruction]] = []
    logical = path.read_text().replace("\\\n", " ")
    for line in logical.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, arguments = line.partition(" ")
        if keyword.upper() == "FROM":
            found.append([])
        found[-1].append(Instruction(keyword.upper(), " ".join(arguments.split())))
    return found


def copied_sources(stage: list[Instruction]) -> set[str]:
    """What a stage COPYs from the build context (not from another stage)."""
    sources: set[str] = set()
    for instruction in stage:
        words = shlex.split(instruction.arguments)
        if instruction.keyword == "COPY" and not any(w.startswith("--from") for w in words):
            sources.update(word.rstrip("/") for word in words[:-1] if not word.startswith("--"))
    return sources


def one(stage: list[Instruction], keyword: str) -> Instruction:
    """The last `keyword` instruction of a stage (the one that takes effect)."""
    return [i for i in stage if i.keyword == keyword][-1]


def environment(stage: list[Instruction]) -> dict[str, str]:
    """The ENV a stage sets, in KEY=VALUE form."""
    pairs = (shlex.split(i.arguments) for i in stage if i.keyword == "ENV")
    return dict(pair.split("=", 1) for words in pairs for pair in words)
