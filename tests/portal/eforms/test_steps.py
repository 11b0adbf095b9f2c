"""The page plan: which pages a form has, in order, given the answers so far. Pure logic, no app."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from crm_bridge.catalogue import default_catalogue
from portal.eforms.steps import (
    drop_answers_that_no_longer_apply,
    find_step,
    first_unfinished,
    next_slug,
    plan,
    previous_slug,
    question_pages,
)

CATALOGUE = default_catalogue()


def slugs(code: str, answers: dict | None = None) -> list[str]:
    return [step.slug for step in plan(CATALOGUE.get(code), answers or {})]


def codes(step) -> list[str]:
    return [question.code for question in step.questions]


def test_missed_bin_asks_its_questions_then_where_then_who():
    steps = plan(CATALOGUE.get("missed-bin"), {})

    assert [step.slug for step in steps] == ["questions", "location", "your-details"]
    assert [step.kind for step in steps] == ["questions", "location", "details"]
    assert codes(steps[0]) == ["bin", "collection_date", "out_by_time"]


def test_fly_tipping_asks_what_was_seen_on_a_second_page_only_after_yes():
    assert slugs("fly-tipping") == ["questions", "location", "photos", "your-details"]
    assert slugs("fly-tipping", {"saw_it_happen": "no"}) == [
        "questions",
        "location",
        "photos",
        "your-details",
    ]

    steps = plan(CATALOGUE.get("fly-tipping"), {"saw_it_happen": "yes"})

    assert [step.slug for step in steps] == ["questions", "questions-2", "location", "photos", "your-details"]
    assert codes(steps[0]) == ["what", "amount", "saw_it_happen"]
    assert codes(steps[1]) == ["witness_details"]


def test_bus_pass_has_no_location_and_asks_for_the_pass_number_only_to_renew():
    assert slugs("bus-pass", {"request": "new"}) == ["questions", "your-details"]
    renew = plan(CATALOGUE.get("bus-pass"), {"request": "renew"})
    assert [step.slug for step in renew] == ["questions", "questions-2", "your-details"]
    assert codes(renew[0]) == ["request", "date_of_birth"]
    assert codes(renew[1]) == ["pass_number"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("complaint", ["questions", "your-details"]),
        ("general-enquiry", ["questions", "location", "your-details"]),
        ("graffiti", ["questions", "location", "photos", "your-details"]),
        ("compliment", ["questions", "your-details"]),
    ],
)
def test_location_and_photo_pages_follow_the_catalogue(code, expected):
    assert slugs(code) == expected


def test_a_conditional_question_sits_on_the_page_after_the_one_it_depends_on():
    pages = question_pages(CATALOGUE.get("pest-control"))

    assert [[question.code for question in page] for page in pages] == [
        ["pest", "where_seen"],
        ["council_tax_reduction"],
    ]


@pytest.mark.parametrize("request_type", list(CATALOGUE), ids=lambda rt: rt.code)
def test_every_form_starts_with_questions_and_ends_with_your_details(request_type):
    pages = question_pages(request_type)
    where = {question.code: number for number, page in enumerate(pages) for question in page}

    for question in request_type.questions:
        if question.when:
            assert where[question.code] > where[question.when.question]
    everything = {q.code: q.choices[0][0] if q.choices else "x" for q in request_type.questions}
    for answers in ({}, everything):
        steps = plan(request_type, answers)
        assert steps[0].slug == "questions"
        assert steps[-1].slug == "your-details"
        assert len({step.slug for step in steps}) == len(steps)


def test_next_and_previous_pages():
    steps = plan(CATALOGUE.get("fly-tipping"), {"saw_it_happen": "yes"})

    assert next_slug(steps, "questions") == "questions-2"
    assert next_slug(steps, "photos") == "your-details"
    assert next_slug(steps, "your-details") is None
    assert previous_slug(steps, "questions") is None
    assert previous_slug(steps, "location") == "questions-2"
    assert find_step(steps, "questions-2").questions[0].code == "witness_details"
    assert find_step(steps, "check-answers") is None


def test_an_answer_that_no_longer_applies_is_dropped():
    request_type = CATALOGUE.get("fly-tipping")
    answers = {"saw_it_happen": "no", "witness_details": "A white van", "what": "garden"}

    assert drop_answers_that_no_longer_apply(request_type, answers) == {
        "saw_it_happen": "no",
        "what": "garden",
    }
    answers["saw_it_happen"] = "yes"
    assert drop_answers_that_no_longer_apply(request_type, answers) == answers


def draft(answers=None, details="", location=None, customer=None):
    return SimpleNamespace(
        answers=answers or {}, details=details, location=location or {}, customer=customer or {}
    )


MISSED_BIN = {"bin": "green", "collection_date": "2026-11-03", "out_by_time": "no"}


@pytest.mark.parametrize(
    ("code", "the_draft", "unfinished"),
    [
        ("missed-bin", draft(), "questions"),
        ("missed-bin", draft({**MISSED_BIN, "bin": ""}, "Missed"), "questions"),
        ("missed-bin", draft(MISSED_BIN), "questions"),  # the details box is required too
        ("missed-bin", draft(MISSED_BIN, "Missed"), "location"),
        ("missed-bin", draft(MISSED_BIN, "Missed", {"address": "", "postcode": "ND1 1AA"}), "location"),
        ("missed-bin", draft(MISSED_BIN, "Missed", {"address": "1 Elm St"}), "your-details"),
        ("missed-bin", draft(MISSED_BIN, "Missed", {"address": "1 Elm St"}, {"name": "Ann"}), None),
        ("bus-pass", draft({"request": "renew", "date_of_birth": "1950-04-09"}, "Renew"), "questions-2"),
        ("bus-pass", draft({"request": "new", "date_of_birth": "1950-04-09"}, "New"), "your-details"),
        (
            "fly-tipping",
            draft({"what": "garden", "amount": "van", "saw_it_happen": "yes"}, "Bags"),
            "location",
        ),
        ("general-enquiry", draft({}, "When?", {}, {"name": "Ann"}), None),  # place and service optional
    ],
)
def test_first_unfinished_page(code, the_draft, unfinished):
    request_type = CATALOGUE.get(code)

    assert first_unfinished(request_type, plan(request_type, the_draft.answers), the_draft) == unfinished
