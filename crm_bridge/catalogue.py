"""The service catalogue: request types residents can submit, loaded from data/request-types.yaml.

Pure logic (no Flask, no database): dataclasses, loading with every problem reported at once, and the
rules an answer set must meet (which questions apply given the answers so far)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from portal.domain import INTERACTION_TYPES, SERVICE_GROUPS

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "request-types.yaml"
QUESTION_TYPES = ("text", "textarea", "choice", "date", "yes_no")
LOCATION_RULES = ("required", "optional", "none")
FEEDBACK_KINDS = ("complaint", "comment", "compliment")
YES_NO = (("yes", "Yes"), ("no", "No"))


class CatalogueError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Condition:
    question: str
    equals: str


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    type: str
    required: bool = False
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 500
    when: Condition | None = None

    def applies(self, answers: dict[str, Any]) -> bool:
        return self.when is None or str(answers.get(self.when.question, "")) == self.when.equals


@dataclass(frozen=True)
class RequestType:
    code: str
    name: str
    description: str
    service_group: str
    queue: str
    interaction_type: str
    acknowledge_days: int
    respond_days: int
    location: str = "none"
    photos: bool = False
    lgsl: int | None = None
    feedback: str | None = None
    details_label: str = ""
    questions: tuple[Question, ...] = field(default_factory=tuple)

    def applicable_questions(self, answers: dict[str, Any]) -> list[Question]:
        """The questions that apply given the answers so far, in order (conditions look backwards)."""
        return [question for question in self.questions if question.applies(answers)]


@dataclass(frozen=True)
class Catalogue:
    request_types: tuple[RequestType, ...]

    def __iter__(self):
        return iter(self.request_types)

    def __len__(self) -> int:
        return len(self.request_types)

    def get(self, code: str) -> RequestType | None:
        return next((rt for rt in self.request_types if rt.code == code), None)


def load_catalogue(path: Path = CATALOGUE_FILE) -> Catalogue:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    defaults = data.get("defaults", {})
    problems: list[str] = []
    types = []
    for index, raw in enumerate(data.get("request_types", []), start=1):
        where = f"request type {index} ({raw.get('code', '?')})"
        try:
            types.append(_request_type({**defaults, **raw}, where, problems))
        except (KeyError, TypeError, ValueError) as error:
            problems.append(f"{where}: {error}")
    codes = [rt.code for rt in types]
    problems += [
        f"request type {code}: code is used twice"
        for code in sorted({c for c in codes if codes.count(c) > 1})
    ]
    if problems:
        raise CatalogueError(problems)
    return Catalogue(tuple(types))


@lru_cache(maxsize=1)
def default_catalogue() -> Catalogue:
    return load_catalogue()


def _request_type(raw: dict, where: str, problems: list[str]) -> RequestType:
    sla = raw["sla"]
    request_type = RequestType(
        code=raw["code"],
        name=raw["name"],
        description=raw.get("description", ""),
        service_group=raw["service_group"],
        queue=raw.get("queue") or raw["service_group"],
        interaction_type=raw["interaction_type"],
        acknowledge_days=int(sla["acknowledge"]),
        respond_days=int(sla["respond"]),
        location=raw.get("location", "none"),
        photos=bool(raw.get("photos", False)),
        lgsl=raw.get("lgsl"),
        feedback=raw.get("feedback"),
        details_label=raw.get("details_label", ""),
        questions=tuple(_question(q) for q in raw.get("questions", [])),
    )
    problems += [f"{where}: {problem}" for problem in _check(request_type)]
    return request_type


def _question(raw: dict) -> Question:
    when = raw.get("when")
    choices = tuple((str(c["value"]), str(c["label"])) for c in raw.get("choices", []))
    if raw["type"] == "yes_no":
        choices = YES_NO
    return Question(
        code=raw["code"],
        label=raw["label"],
        type=raw["type"],
        required=bool(raw.get("required", False)),
        hint=raw.get("hint", ""),
        choices=choices,
        max_length=int(raw.get("max_length", 500)),
        when=Condition(str(when["question"]), str(when["equals"])) if when else None,
    )


def _check(request_type: RequestType) -> list[str]:
    problems = []
    if request_type.service_group not in SERVICE_GROUPS:
        problems.append(f"service_group {request_type.service_group!r} is not a service group")
    if request_type.interaction_type not in INTERACTION_TYPES:
        problems.append(f"interaction_type {request_type.interaction_type!r} is not a BVPI 157 type")
    if request_type.location not in LOCATION_RULES:
        problems.append(f"location must be one of {', '.join(LOCATION_RULES)}")
    if request_type.feedback is not None and request_type.feedback not in FEEDBACK_KINDS:
        problems.append(f"feedback must be one of {', '.join(FEEDBACK_KINDS)}")
    if not 0 < request_type.acknowledge_days <= request_type.respond_days:
        problems.append("sla: acknowledge must be at least 1 and no more than respond")
    seen: dict[str, Question] = {}
    for question in request_type.questions:
        problems += [f"question {question.code}: {p}" for p in _check_question(question, seen)]
        seen[question.code] = question
    return problems


def _check_question(question: Question, earlier: dict[str, Question]) -> list[str]:
    problems = []
    if question.code in earlier:
        problems.append("code is used twice")
    if question.type not in QUESTION_TYPES:
        problems.append(f"type must be one of {', '.join(QUESTION_TYPES)}")
    if question.type == "choice" and not question.choices:
        problems.append("a choice question needs choices")
    if question.when:
        before = earlier.get(question.when.question)
        if before is None:
            problems.append(f"'when' must refer to an earlier question, not {question.when.question!r}")
        elif before.choices and question.when.equals not in {value for value, _ in before.choices}:
            problems.append(f"'when' value {question.when.equals!r} is not one of that question's choices")
    return problems
