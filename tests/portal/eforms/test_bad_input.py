"""Wrong, missing, too long or hostile answers in every field: a clear message by the field and in the
summary, the page's other answers kept, status 422, nothing saved and no case. Text in any script is kept."""

from __future__ import annotations

import pytest

from crm_bridge.models import Case
from portal.eforms.models import FormDraft

from ..helpers import count, page, rows, text
from .journeys import ANN, JOURNEYS, answer, field_error, send, shown_values, the_draft, walk

BASE = {
    ("missed-bin", "questions"): JOURNEYS["missed-bin"]["questions"],
    ("missed-bin", "location"): {"address": "12 Station Road", "postcode": "ND1 2AB"},  # as re-shown
    ("missed-bin", "your-details"): ANN,
    ("noise-nuisance", "questions"): JOURNEYS["noise-nuisance"]["questions"],
    ("fly-tipping", "questions-2"): JOURNEYS["fly-tipping"]["questions-2"],
    ("bus-pass", "questions"): JOURNEYS["bus-pass"]["questions"],
    ("bus-pass", "questions-2"): JOURNEYS["bus-pass"]["questions-2"],
    ("general-enquiry", "questions"): {"service_group": "planning", "details": "When?"},
}
MB, NN, BP, FT, GE = "missed-bin", "noise-nuisance", "bus-pass", "fly-tipping", "general-enquiry"
Q, Q2, WHERE, YOU = "questions", "questions-2", "location", "your-details"
BIN = "Select an answer to ‘Which bin was missed?’"
OUT = "Select an answer to ‘Was the bin out by 6.30am?’"
NO_DATE = "Enter a date for ‘When should it have been collected?’"
COLLECTED = "‘When should it have been collected?’ must be a real date, like 27 3 2026"
BORN = "‘Your date of birth’ must be a real date, like 27 3 2026"
DETAILS = "Tell us about it in your own words"
WHEN = "Enter an answer to ‘When does it happen?’"
POSTCODE = "Enter a real postcode, like ND1 1AA"
EMAIL = "Enter an email address in the correct format, like name@example.com"
PHONE = "Enter a telephone number, like 01632 960 001 or 07700 900 982"
CONTACT = "Select how we should contact you"
NEED_EMAIL = "Enter your email address, or choose another way to be contacted"
NEED_PHONE = "Enter your telephone number, or choose another way to be contacted"
NEED_ADDRESS = "Enter your address, or choose another way to be contacted"
SERVICE = "Select an answer to ‘Which service is it about?’"
PASS = "Enter an answer to ‘Your bus pass number’"
SCRIPT = "<script>alert(1)</script>"
SQL = "' OR 1=1; DROP TABLE crm_case; --"


def too_long(limit: int) -> str:
    return f"Your answer must be {limit} characters or fewer"


# (form, page, changes to that page's good answers (None: not sent), field shown in error, message)
CASES = {
    "choice missing": (MB, Q, {"bin": None}, "bin", BIN),
    "choice not offered": (MB, Q, {"bin": "purple"}, "bin", BIN),
    "choice HTML": (MB, Q, {"bin": "<b>blue</b>"}, "bin", BIN),
    "choice SQL": (MB, Q, {"bin": SQL}, "bin", BIN),
    "optional choice not offered": (GE, Q, {"service_group": "parks"}, "service_group", SERVICE),
    "yes/no missing": (MB, Q, {"out_by_time": None}, "out_by_time", OUT),
    "yes/no not offered": (MB, Q, {"out_by_time": "maybe"}, "out_by_time", OUT),
    "date missing": (MB, Q, {"collection_date": ["", "", ""]}, "collection_date", NO_DATE),
    "date only spaces": (MB, Q, {"collection_date": [" ", " ", " "]}, "collection_date", NO_DATE),
    "date impossible": (MB, Q, {"collection_date": ["31", "2", "2026"]}, "collection_date", COLLECTED),
    "date letters": (MB, Q, {"collection_date": ["one", "may", "twenty"]}, "collection_date", COLLECTED),
    "date part missing": (MB, Q, {"collection_date": ["3", "", "2026"]}, "collection_date", COLLECTED),
    "date two-digit year": (MB, Q, {"collection_date": ["3", "11", "26"]}, "collection_date", COLLECTED),
    "date script": (MB, Q, {"collection_date": [SCRIPT, "1", "2026"]}, "collection_date", COLLECTED),
    "date in one box": (MB, Q, {"collection_date": "3 11 2026"}, "collection_date", COLLECTED),
    "date in four boxes": (MB, Q, {"collection_date": ["3", "1", "2026", "1"]}, "collection_date", COLLECTED),
    "date of birth 29 Feb": (BP, Q, {"date_of_birth": ["29", "2", "1951"]}, "date_of_birth", BORN),
    "details missing": (MB, Q, {"details": ""}, "details", DETAILS),
    "details only spaces": (MB, Q, {"details": " \t\n "}, "details", DETAILS),
    "details too long": (MB, Q, {"details": "x" * 5001}, "details", "Enter 5000 characters or fewer"),
    "text missing": (NN, Q, {"when_happens": ""}, "when_happens", WHEN),
    "text only spaces": (NN, Q, {"when_happens": "   "}, "when_happens", WHEN),
    "text too long": (NN, Q, {"when_happens": "n" * 201}, "when_happens", too_long(200)),
    "conditional text missing": (BP, Q2, {"pass_number": ""}, "pass_number", PASS),
    "conditional text too long": (BP, Q2, {"pass_number": "9" * 31}, "pass_number", too_long(30)),
    "textarea too long": (FT, Q2, {"witness_details": "v" * 1001}, "witness_details", too_long(1000)),
    "address missing": (MB, WHERE, {"address": ""}, "address", "Tell us where it is"),
    "address too long": (MB, WHERE, {"address": "a" * 501}, "address", "Enter 500 characters or fewer"),
    "postcode too short": (MB, WHERE, {"postcode": "ND1"}, "postcode", POSTCODE),
    "postcode too long": (MB, WHERE, {"postcode": "ND1 2AB ND1 2AB"}, "postcode", POSTCODE),
    "postcode made up": (MB, WHERE, {"postcode": "12345"}, "postcode", POSTCODE),
    "postcode HTML": (MB, WHERE, {"postcode": "<b>ND1</b>"}, "postcode", POSTCODE),
    "postcode SQL": (MB, WHERE, {"postcode": SQL}, "postcode", POSTCODE),
    "name missing": (MB, YOU, {"name": ""}, "name", "Enter your name"),
    "name only spaces": (MB, YOU, {"name": "  "}, "name", "Enter your name"),
    "name too long": (MB, YOU, {"name": "n" * 201}, "name", "Your name must be 200 characters or fewer"),
    "email without domain": (MB, YOU, {"email": "ann@"}, "email", EMAIL),
    "email without dot": (MB, YOU, {"email": "ann@example"}, "email", EMAIL),
    "email with script": (MB, YOU, {"email": f"{SCRIPT}@example.com"}, "email", EMAIL),
    "email too long": (MB, YOU, {"email": "a" * 250 + "@example.com"}, "email", EMAIL),
    "phone too short": (MB, YOU, {"phone": "123"}, "phone", PHONE),
    "phone in words": (MB, YOU, {"phone": "call me"}, "phone", PHONE),
    "phone too long": (MB, YOU, {"phone": "0" * 41}, "phone", PHONE),
    "phone emoji": (MB, YOU, {"phone": "📞📞📞"}, "phone", PHONE),
    "contact missing": (MB, YOU, {"preferred_contact": None}, "preferred_contact", CONTACT),
    "contact not offered": (MB, YOU, {"preferred_contact": "fax"}, "preferred_contact", CONTACT),
    "email chosen, none given": (MB, YOU, {"email": ""}, "email", NEED_EMAIL),
    "phone chosen, none given": (MB, YOU, {"preferred_contact": "phone", "phone": ""}, "phone", NEED_PHONE),
    "post chosen, no address": (MB, YOU, {"preferred_contact": "post"}, "address", NEED_ADDRESS),
    "your address too long": (MB, YOU, {"address": "a" * 501}, "address", "Enter 500 characters or fewer"),
}


def snapshot() -> tuple:
    draft = the_draft()
    return draft.answers, draft.details, draft.location, draft.customer, draft.photos


@pytest.mark.parametrize(("code", "step", "changes", "field", "message"), CASES.values(), ids=CASES.keys())
def test_bad_answer_is_shown_by_its_field_and_nothing_is_saved(client, code, step, changes, field, message):
    walk(client, code, until=step)
    before = snapshot()
    data = {name: value for name, value in {**BASE[code, step], **changes}.items() if value is not None}

    response = answer(client, code, step, data)

    assert response.status_code == 422
    assert field_error(response, field) == message
    shown = shown_values(response)
    for name, value in BASE[code, step].items():
        if name not in changes:
            assert shown.get(name, "") == value, name
    assert snapshot() == before
    assert count(Case) == 0


def test_several_bad_answers_are_all_listed(client):
    walk(client, "missed-bin", until="questions")

    response = answer(
        client, "missed-bin", "questions", {"bin": "purple", "collection_date": ["31", "2", "2026"]}
    )

    links = [(link["href"], text(link)) for link in page(response).select(".govuk-error-summary__list a")]
    assert links == [
        ("#bin", BIN),
        ("#collection_date", COLLECTED),
        ("#out_by_time", OUT),
        ("#details", DETAILS),
    ]
    assert rows(FormDraft)[0].answers == {}


def test_answers_given_with_a_bad_one_are_echoed_escaped(client):
    walk(client, "missed-bin", until="your-details")

    response = answer(client, "missed-bin", "your-details", {**ANN, "name": SCRIPT, "email": "ann@"})

    assert response.status_code == 422
    assert SCRIPT not in response.get_data(as_text=True)
    assert shown_values(response)["name"] == SCRIPT


HOSTILE = {
    "HTML": "<b>Bold</b> & <a href='https://example.com'>a link</a>",
    "script": SCRIPT,
    "SQL": SQL,
    "emoji": "Bass at 3am 🔊🎶 again 👩‍🔧🏳️‍🌈",
    "Arabic": "موسيقى صاخبة من الشقة رقم ٤ كل ليلة",
    "Urdu": "پڑوسی کے کتے‌خانے سے رات بھر شور آتا ہے",
    "mixed direction": "Flat 4 - شقة ٤, Mill Lane",
}


@pytest.mark.parametrize("words", HOSTILE.values(), ids=HOSTILE.keys())
def test_free_text_in_any_script_is_kept_exactly_and_shown_escaped(client, words):
    pages = {
        "questions": {"noise_type": "music", "when_happens": words, "details": words},
        "location": {"address": words, "postcode": ""},
        "your-details": {**ANN, "name": words, "address": words, "preferred_contact": "post"},
    }
    walk(client, "noise-nuisance", pages)

    check = client.get("/report/noise-nuisance/check-answers")
    assert check.status_code == 200
    if "<" in words:
        assert words not in check.get_data(as_text=True)
    assert text(page(check).main).count(" ".join(words.split())) == 5
    send(client, "noise-nuisance")
    [case] = rows(Case)
    assert case.answers["when_happens"] == case.details == case.location["address"] == words
    assert case.customer.name == case.customer.address == words


def test_invisible_characters_are_cleaned_but_joiners_kept(client):
    pages = {
        "questions": {
            "noise_type": "dog",
            "when_happens": "\u202eMost\u00a0nights\x00",
            "details": "Flat\u00a04",
        },
        "location": {"address": "کتے\u200cخانے, Mill\u202fLane", "postcode": ""},
        "your-details": ANN,
    }
    walk(client, "noise-nuisance", pages)

    send(client, "noise-nuisance")

    [case] = rows(Case)
    assert case.answers["when_happens"] == "Most nights"  # no direction override, no NUL; a plain space
    assert case.details == "Flat 4"
    assert case.location["address"] == "کتے\u200cخانے, Mill Lane"  # the Urdu word keeps its non-joiner
