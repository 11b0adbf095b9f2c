import io
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

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


def test_pybabel_extract_with_the_projects_config_collects_the_catalogue(tmp_path):
    output = tmp_path / "messages.pot"
    CommandLineInterface().run(
        ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-o", str(output),
         "--ignore-dirs", ".venv node_modules instance tests bench migrations", str(ROOT)]
    )  # fmt: skip
    with output.open("rb") as stream:
        catalog = read_po(stream)
    assert "Report a missed bin collection" in catalog
    assert "Asbestos, chemicals or other hazardous waste" in catalog
    assert "Find answers" in catalog
