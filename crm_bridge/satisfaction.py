"""Satisfaction with a transaction: one question, asked right after it (docs/satisfaction.md).

A transaction is named by a signed token (itsdangerous, salt "satisfaction", valid MAX_AGE_SECONDS): the
resident's page or email carries it, and the rating form sends only it back, so nobody can rate a
transaction they were not given, nor attach a rating to another resident's case. Each transaction is
rated once (the rating's `subject` is unique).

No Flask request machinery: the callers pass the application's SECRET_KEY."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from enum import Enum

import sqlalchemy as sa
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from portal.db import db

from .models import SATISFACTION_MOMENTS, SATISFACTION_RATINGS, Case, Contact, SatisfactionRating

SALT = "satisfaction"
MAX_AGE_SECONDS = 60 * 24 * 60 * 60  # 60 days: long enough for an email read late
MAX_COMMENT = 1200
RATING_PATH = "/rate-our-service"
CONTACT_MOMENTS = ("answer", "form")


class RatingTokenError(ValueError):
    """The token was altered, made with another key, or names nothing rateable."""


class RatingTokenExpired(RatingTokenError):
    """The token is genuine but older than MAX_AGE_SECONDS."""


class Outcome(Enum):
    RECORDED = "recorded"
    ALREADY_RATED = "already_rated"


@dataclass(frozen=True)
class Transaction:
    """What a token names: a contact (an answer confirmed, a form sent), a resolved case or a kiosk visit."""

    moment: str
    contact_id: int | None = None
    case_id: int | None = None
    visit: str | None = None
    kiosk_id: int | None = None
    lang: str | None = None

    @property
    def subject(self) -> str:
        if self.moment in CONTACT_MOMENTS:
            return f"contact:{self.contact_id}:{self.moment}"
        if self.moment == "case_resolved":
            return f"case:{self.case_id}:resolved"
        return f"kiosk-visit:{self.visit}"


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    if not secret_key:
        raise ValueError("a secret key is needed to sign rating tokens")
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def token_for_contact(contact_id: int, moment: str, secret_key: str) -> str:
    """For an answer confirmed ("answer") or a form sent ("form"): the contact it recorded."""
    if moment not in CONTACT_MOMENTS:
        raise ValueError(f"not a contact's moment: {moment!r}")
    return _serializer(secret_key).dumps({"m": moment, "c": int(contact_id)})


def token_for_resolved_case(case_id: int, secret_key: str) -> str:
    return _serializer(secret_key).dumps({"m": "case_resolved", "k": int(case_id)})


def token_for_kiosk_visit(kiosk_id: int | None, lang: str, secret_key: str) -> str:
    """A visit at a kiosk records no contact of its own: the token names a random visit instead."""
    visit = secrets.token_urlsafe(12)
    return _serializer(secret_key).dumps({"m": "kiosk_visit", "v": visit, "i": kiosk_id, "l": lang})


def rating_url(public_base_url: str, token: str) -> str:
    """The rating page's public address, for emails (built without a request, as tracking links are)."""
    return f"{public_base_url.rstrip('/')}{RATING_PATH}?token={token}"


def read_token(token: str | None, secret_key: str, max_age: int = MAX_AGE_SECONDS) -> Transaction:
    """The transaction a token names; RatingTokenExpired or RatingTokenError when it cannot be trusted."""
    try:
        data = _serializer(secret_key).loads(token or "", max_age=max_age)
    except SignatureExpired as error:
        raise RatingTokenExpired("expired") from error
    except BadData as error:
        raise RatingTokenError("not a valid token") from error
    try:
        return _transaction_of(data)
    except (KeyError, TypeError, ValueError) as error:
        raise RatingTokenError("the token names nothing rateable") from error


def _transaction_of(data: dict) -> Transaction:
    moment = data["m"]
    if moment not in SATISFACTION_MOMENTS:
        raise ValueError(moment)
    if moment in CONTACT_MOMENTS:
        return Transaction(moment, contact_id=int(data["c"]))
    if moment == "case_resolved":
        return Transaction(moment, case_id=int(data["k"]))
    kiosk_id = data.get("i")
    return Transaction(
        moment, visit=str(data["v"]), kiosk_id=int(kiosk_id) if kiosk_id is not None else None, lang=data["l"]
    )


def already_rated(transaction: Transaction) -> bool:
    subject = transaction.subject
    return (
        db.session.scalar(sa.select(SatisfactionRating.id).where(SatisfactionRating.subject == subject))
        is not None
    )


def case_of(transaction: Transaction) -> Case | None:
    """The resolved case a rating link is about (its reference is shown on the rating page)."""
    return db.session.get(Case, transaction.case_id) if transaction.case_id else None


def first_contact_of(case: Case) -> Contact | None:
    """The contact the hand-off recorded for the case: the one a resolution's rating belongs to."""
    return db.session.scalar(
        sa.select(Contact).where(Contact.case_id == case.id).order_by(Contact.id).limit(1)
    )


def record_rating(
    token: str,
    rating: int,
    comment: str,
    secret_key: str,
    *,
    max_age: int = MAX_AGE_SECONDS,
) -> Outcome:
    """Store the rating of the transaction the token names, once: a second rating of the same transaction
    keeps the first (ALREADY_RATED). The contact rated gets the rating too. Commits."""
    if rating not in SATISFACTION_RATINGS:
        raise ValueError(f"a rating is 1 to 5, not {rating!r}")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ValueError(f"a comment is at most {MAX_COMMENT} characters")
    transaction = read_token(token, secret_key, max_age)
    if already_rated(transaction):
        return Outcome.ALREADY_RATED
    record = _rating_for(transaction)
    record.rating, record.comment = rating, comment
    if record.contact is not None:
        record.contact.satisfaction = rating
    db.session.add(record)
    try:
        db.session.commit()
    except IntegrityError:  # rated at the same moment by a second request: the first one stands
        db.session.rollback()
        if already_rated(transaction):
            return Outcome.ALREADY_RATED
        raise
    return Outcome.RECORDED


def _rating_for(transaction: Transaction) -> SatisfactionRating:
    """A rating with what the transaction says about itself: channel, service group, language, kiosk."""
    subject, moment = transaction.subject, transaction.moment
    if moment in CONTACT_MOMENTS:
        contact = db.session.get(Contact, transaction.contact_id)
        if contact is None:
            raise RatingTokenError("the contact no longer exists")
        return SatisfactionRating(
            subject=subject,
            moment=moment,
            channel=contact.channel,
            service_group=contact.service_group,
            lang=contact.lang,
            contact=contact,
            case_id=contact.case_id,
            kiosk_id=contact.kiosk_id,
        )
    if moment == "case_resolved":
        case = case_of(transaction)
        if case is None:
            raise RatingTokenError("the case no longer exists")
        contact = first_contact_of(case)
        return SatisfactionRating(
            subject=subject,
            moment=moment,
            channel=case.channel,
            service_group=case.service_group,
            lang=case.lang,
            contact=contact,
            case_id=case.id,
            kiosk_id=contact.kiosk_id if contact is not None else None,
        )
    return SatisfactionRating(
        subject=subject,
        moment=moment,
        channel="kiosk",
        lang=transaction.lang or "en",
        kiosk_id=transaction.kiosk_id,
    )
