import pytest
import sqlalchemy as sa

from crm_bridge.contacts import record_self_service_answer
from crm_bridge.models import Contact
from portal.db import db


def test_self_service_answer_is_a_resolved_information_contact(app):
    record_self_service_answer("chat", "cy", "bin-collection-day", "environment", summary="Bin day")
    db.session.commit()
    contact = db.session.scalar(sa.select(Contact))
    assert contact.channel == "chat"
    assert contact.lang == "cy"
    assert contact.resolved_at_first_point is True
    assert contact.interaction_type == "providing_information"
    assert contact.article_slug == "bin-collection-day"
    assert contact.ended_at >= contact.started_at


def test_unknown_channel_is_refused(app):
    with pytest.raises(ValueError, match="unknown channel"):
        record_self_service_answer("pigeon", "en", "x", None)


def test_database_refuses_a_channel_outside_the_list(app):
    db.session.add(Contact(channel="fax", interaction_type="providing_information"))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()
