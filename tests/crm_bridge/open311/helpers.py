"""Helpers for the Open311 tests."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import sqlalchemy as sa

from portal.db import db

MISSED_BIN = {
    "service_code": "missed-bin",
    "attribute[bin]": "green",
    "attribute[collection_date]": "2026-11-20",
    "attribute[out_by_time]": "yes",
    "lat": "54.5",
    "long": "-1.55",
}


def xml_of(response) -> ET.Element:
    assert response.content_type == "text/xml; charset=utf-8"
    assert response.data.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
