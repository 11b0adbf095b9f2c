import pytest

from crm_bridge.catalogue import CatalogueError, default_catalogue, load_catalogue

REQUIRED_TYPES = {
    "missed-bin", "bulky-collection", "new-bin", "fly-tipping", "dog-fouling", "graffiti", "street-cleaning",
    "public-toilets", "pest-control", "flooding", "noise-nuisance", "abandoned-vehicle", "bus-pass",
    "parking-permit", "council-tax-moving", "benefit-change", "general-enquiry", "complaint", "comment",
    "compliment",
}  # fmt: skip


def test_catalogue_has_every_request_type_the_council_needs():
    assert {rt.code for rt in default_catalogue()} >= REQUIRED_TYPES


def test_lgsl_codes_where_they_fit():
    catalogue = default_catalogue()
    expected = {"missed-bin": 524, "bulky-collection": 528, "fly-tipping": 587, "dog-fouling": 577,
                "graffiti": 584, "pest-control": 431, "noise-nuisance": 412, "council-tax-moving": 57,
                "benefit-change": 69, "complaint": 353}  # fmt: skip
    assert {code: catalogue.get(code).lgsl for code in expected} == expected


def test_service_standards_are_the_published_ones():
    catalogue = default_catalogue()
    assert (catalogue.get("missed-bin").acknowledge_days, catalogue.get("missed-bin").respond_days) == (1, 10)
    assert catalogue.get("complaint").respond_days == 15


def test_complaint_categories_are_the_councils():
    category = default_catalogue().get("complaint").questions[0]
    assert [value for value, _ in category.choices] == [
        "service-failure", "standards-failure", "officer-behaviour", "bureaucratic-process",
        "poor-information", "other",
    ]  # fmt: skip


def test_the_3cs_are_marked_as_feedback():
    catalogue = default_catalogue()
    assert {rt.code: rt.feedback for rt in catalogue if rt.feedback} == {
        "complaint": "complaint",
        "comment": "comment",
        "compliment": "compliment",
    }


def test_conditional_question_applies_only_after_its_answer():
    fly_tipping = default_catalogue().get("fly-tipping")
    codes = lambda answers: [q.code for q in fly_tipping.applicable_questions(answers)]  # noqa: E731
    assert "witness_details" not in codes({"saw_it_happen": "no"})
    assert "witness_details" in codes({"saw_it_happen": "yes"})


def write(tmp_path, text):
    path = tmp_path / "catalogue.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_problem_is_reported_with_where_it_is(tmp_path):
    path = write(
        tmp_path,
        """
defaults: {sla: {acknowledge: 1, respond: 10}, interaction_type: booking}
request_types:
  - {code: a, name: A, service_group: nowhere, location: sometimes}
  - code: b
    name: B
    service_group: general
    sla: {acknowledge: 12, respond: 10}
    questions:
      - {code: x, label: X, type: choice}
      - {code: y, label: Y, type: text, when: {question: z, equals: "1"}}
      - {code: w, label: W, type: essay}
  - {code: a, name: Again, service_group: general}
""",
    )
    with pytest.raises(CatalogueError) as error:
        load_catalogue(path)
    text = str(error.value)
    assert "request type 1 (a): service_group 'nowhere' is not a service group" in text
    assert "request type 1 (a): location must be one of" in text
    assert "request type 2 (b): sla: acknowledge must be at least 1" in text
    assert "question x: a choice question needs choices" in text
    assert "question y: 'when' must refer to an earlier question" in text
    assert "question w: type must be one of" in text
    assert "request type a: code is used twice" in text


def test_unquoted_yes_in_a_condition_is_caught(tmp_path):
    path = write(
        tmp_path,
        """
defaults: {sla: {acknowledge: 1, respond: 10}, interaction_type: booking}
request_types:
  - code: a
    name: A
    service_group: general
    questions:
      - {code: seen, label: Seen it, type: yes_no}
      - code: what
        label: What did you see
        type: text
        when: {question: seen, equals: yes}
""",
    )
    with pytest.raises(CatalogueError, match="'True' is not one of that question's choices"):
        load_catalogue(path)


def test_choice_labels_with_commas_are_read_whole():
    catalogue = default_catalogue()
    fly_tipping = dict(catalogue.get("fly-tipping").questions[0].choices)
    assert fly_tipping["hazardous"] == "Asbestos, chemicals or other hazardous waste"
    bus_pass = dict(catalogue.get("bus-pass").questions[0].choices)
    assert bus_pass["lost"] == "Replace a lost, stolen or damaged pass"
