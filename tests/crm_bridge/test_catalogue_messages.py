import io
from pathlib import Path

from babel.messages.extract import extract_from_file

from crm_bridge.catalogue import CATALOGUE_FILE, default_catalogue
from crm_bridge.catalogue_messages import extract_catalogue

ROOT = Path(__file__).resolve().parents[2]


def test_every_catalogue_text_residents_see_is_extracted_for_translation():
    messages = {
        message for _, _, message, _ in extract_catalogue(io.BytesIO(CATALOGUE_FILE.read_bytes()), [], [], {})
    }
    for request_type in default_catalogue():
        assert {request_type.name, request_type.description, request_type.details_label} <= messages
        for question in request_type.questions:
            assert question.label in messages
            assert {label for _, label in question.choices if label not in ("Yes", "No")} <= messages


def test_babel_config_maps_the_catalogue_to_the_extractor():
    config = (ROOT / "babel.cfg").read_text()
    assert "[crm_bridge.catalogue_messages:extract_catalogue: crm_bridge/data/request-types.yaml]" in config
    found = list(extract_from_file("crm_bridge.catalogue_messages:extract_catalogue", str(CATALOGUE_FILE)))
    assert any(message == "Report a missed bin collection" for _, message, _, _ in found)
