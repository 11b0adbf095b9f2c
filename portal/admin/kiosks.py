"""Admins register reception kiosks: a name and a location, then a one-time enrolment address opened on
the device (shown once, with a QR code); renewing it replaces the device, revoking stops it at once.
The audit rows come from kiosk/registry.py."""

from __future__ import annotations

import segno
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms.validators import InputRequired, Length

from crm_bridge.staff.roles import Permission
from kiosk import registry
from kiosk.models import Kiosk
from kiosk.registry import ENROLMENT_VALID_FOR, KioskError
from portal.auth.access import permission_required
from portal.db import db, utcnow
from portal.forms import GovukTextField, strip_and_clean

from . import admin

# KioskError messages (kiosk/registry.py) worded for the screen, in the admin's language.
KIOSK_ERRORS = {
    "Enter a name for the kiosk": _l("Enter a name for the kiosk"),
    "A kiosk with this name already exists": _l("A kiosk with this name already exists"),
}


class KioskForm(FlaskForm):
    name = GovukTextField(
        _l("Name"),
        description=_l("For example, Reception kiosk 1"),
        filters=[strip_and_clean],
        validators=[InputRequired(_l("Enter a name for the kiosk")), Length(max=120)],
    )
    location = GovukTextField(
        _l("Location"),
        description=_l("Where it stands, for example Reception, council offices"),
        filters=[strip_and_clean],
        validators=[Length(max=200)],
    )


def kiosk_status(kiosk: Kiosk) -> str:
    """active, waiting (an enrolment address not yet used), expired, revoked."""
    if kiosk.revoked_at is not None:
        return "revoked"
    if kiosk.active:
        return "active"
    if kiosk.enrolment_expires_at is not None and kiosk.enrolment_expires_at > utcnow():
        return "waiting"
    return "expired"


@admin.get("/kiosks")
@permission_required(Permission.MANAGE_KIOSKS)
def list_kiosks():
    return render_template(
        "admin/kiosks.html",
        kiosks=[(kiosk, kiosk_status(kiosk)) for kiosk in registry.list_kiosks()],
        page_title=_("Kiosks"),
    )


@admin.route("/kiosks/new", methods=["GET", "POST"])
@permission_required(Permission.MANAGE_KIOSKS)
def new_kiosk():
    form = KioskForm()
    if form.validate_on_submit():
        try:
            kiosk, code = registry.register_kiosk(form.name.data, form.location.data or "", _actor())
        except KioskError as error:
            db.session.rollback()
            form.name.errors = [*form.name.errors, KIOSK_ERRORS.get(str(error), str(error))]
        else:
            return _show_enrolment(kiosk, code, _("Kiosk registered: %(name)s", name=kiosk.name))
    return render_template(
        "admin/kiosks_new.html", form=form, page_title=_("Register a kiosk")
    ), 422 if form.errors else 200


@admin.post("/kiosks/<int:kiosk_id>/renew-enrolment")
@permission_required(Permission.MANAGE_KIOSKS)
def renew_kiosk_enrolment(kiosk_id: int):
    kiosk = _kiosk_or_404(kiosk_id)
    code = registry.renew_enrolment(kiosk, _actor())
    return _show_enrolment(kiosk, code, _("New enrolment address for %(name)s", name=kiosk.name))


@admin.post("/kiosks/<int:kiosk_id>/revoke")
@permission_required(Permission.MANAGE_KIOSKS)
def revoke_kiosk(kiosk_id: int):
    kiosk = _kiosk_or_404(kiosk_id)
    registry.revoke_kiosk(kiosk, _actor())
    flash(_("%(name)s is no longer a kiosk: it now shows the ordinary website", name=kiosk.name), "admin")
    return redirect(url_for("admin.list_kiosks"))


def _show_enrolment(kiosk: Kiosk, code: str, title: str):
    """The one-time address, shown this once (never stored: only its hash is kept), and its QR code."""
    address = url_for("kiosk.enrol", code=code, _external=True)
    qr = segno.make(address, error="m").svg_inline(
        scale=5, title=_("QR code of the enrolment address"), svgclass="app-qr-code", lineclass=None
    )
    hours = int(ENROLMENT_VALID_FOR.total_seconds() // 3600)
    return render_template(
        "admin/kiosks_enrolment.html",
        kiosk=kiosk,
        address=address,
        qr_svg=Markup(qr.replace("<svg ", '<svg role="img" focusable="false" ', 1)),  # noqa: S704 - segno's output  # nosec B704
        hours=hours,
        page_title=title,
    )


def _actor():
    return current_user._get_current_object()


def _kiosk_or_404(kiosk_id: int) -> Kiosk:
    kiosk = db.session.get(Kiosk, kiosk_id)
    if kiosk is None:
        abort(404)
    return kiosk
