"""Which pages a request type's form has, in order: plain logic over the catalogue, no Flask.

GOV.UK question pages: the request type's questions, a conditional question on the page after the one it
depends on (so the form works without JavaScript), then where, photos, your details, check your answers."""

from __future__ import annotations

from dataclasses import dataclass

from crm_bridge.catalogue import Question, RequestType


@dataclass(frozen=True)
class Step:
    slug: str
    kind: str  # questions, location, photos, details
    questions: tuple[Question, ...] = ()


def question_pages(request_type: RequestType) -> list[tuple[Question, ...]]:
    depth: dict[str, int] = {}
    for question in request_type.questions:
        depth[question.code] = depth[question.when.question] + 1 if question.when else 0
    pages = max(depth.values(), default=0) + 1
    return [tuple(q for q in request_type.questions if depth[q.code] == page) for page in range(pages)]


def plan(request_type: RequestType, answers: dict, allow_photos: bool = True) -> list[Step]:
    """The pages this resident sees, given their answers so far (conditional pages may drop out).

    allow_photos: False where there are no photos to add (a reception kiosk): no photos page then."""
    steps = []
    for number, questions in enumerate(question_pages(request_type), start=1):
        applicable = tuple(q for q in questions if q.applies(answers))
        if number == 1 or applicable:
            steps.append(Step("questions" if number == 1 else f"questions-{number}", "questions", applicable))
    if request_type.location != "none":
        steps.append(Step("location", "location"))
    if request_type.photos and allow_photos:
        steps.append(Step("photos", "photos"))
    steps.append(Step("your-details", "details"))
    return steps


def find_step(steps: list[Step], slug: str) -> Step | None:
    return next((step for step in steps if step.slug == slug), None)


def next_slug(steps: list[Step], slug: str) -> str | None:
    """The step after this one, or None when the next page is 'check your answers'."""
    slugs = [step.slug for step in steps]
    position = slugs.index(slug)
    return slugs[position + 1] if position + 1 < len(slugs) else None


def previous_slug(steps: list[Step], slug: str) -> str | None:
    slugs = [step.slug for step in steps]
    position = slugs.index(slug)
    return slugs[position - 1] if position > 0 else None


def first_unfinished(request_type: RequestType, steps: list[Step], draft) -> str | None:
    """The first page with a required answer still missing, or None when the request is ready to send.

    draft: anything with the draft's answers, details, location and customer (portal.eforms.models)."""
    for step in steps:
        if step.kind == "questions":
            missing = [q for q in step.questions if q.required and draft.answers.get(q.code) in (None, "")]
            if missing or (step is steps[0] and not draft.details):
                return step.slug
        elif step.kind == "location":
            if request_type.location == "required" and not (draft.location or {}).get("address"):
                return step.slug
        elif step.kind == "details" and not (draft.customer or {}).get("name"):
            return step.slug
    return None


def drop_answers_that_no_longer_apply(request_type: RequestType, answers: dict) -> dict:
    """A changed answer can make a conditional question irrelevant: its old answer must not travel."""
    applicable = {q.code for q in request_type.applicable_questions(answers)}
    question_codes = {q.code for q in request_type.questions}
    return {
        code: value for code, value in answers.items() if code in applicable or code not in question_codes
    }
