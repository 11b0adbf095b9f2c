from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, session, url_for
from flask_babel import _, get_locale

from crm_bridge.catalogue import default_catalogue
from crm_bridge.photos import PhotoError
from portal.channel import current_channel, current_kiosk_id
from portal.chat.services import transcript_of
from portal.forms import strip_and_clean
from portal.layout import render_page

from . import services
from .forms import LocationForm, PhotoForm, RemovePhotoForm, YourDetailsForm, question_form
from .steps import find_step, first_unfinished, next_slug, plan, previous_slug

eforms = Blueprint("eforms", __name__, url_prefix="/report")


def _request_type(code: str):
    return services.request_type_for(code) or abort(404)


def _draft_or_restart(request_type):
    draft = services.find_draft(session.get("drafts", {}).get(request_type.code), request_type)
    return draft


def _plan(request_type, draft):
    """A kiosk has no photos to add: its visitors skip the photos page."""
    return plan(request_type, draft.answers, allow_photos=draft.channel != "kiosk")


def _editable_draft(request_type):
    """(the resident's draft still being filled in, None), or (None, where to send them instead)."""
    draft = _draft_or_restart(request_type)
    if draft is None:
        return None, redirect(url_for("eforms.show_start", code=request_type.code))
    if draft.case_reference:
        return None, redirect(url_for("eforms.show_confirmation", code=request_type.code))
    return draft, None


@eforms.get("")
def list_forms():
    return render_template(
        "eforms/list.html", catalogue=default_catalogue(), page_title=_("Report, request or tell us")
    )


@eforms.get("/<code>")
def show_start(code: str):
    request_type = _request_type(code)
    return render_template(
        "eforms/start.html",
        request_type=request_type,
        prefill=strip_and_clean(request.args.get("q", ""))[:500],
        page_title=_(request_type.name),
    )


@eforms.post("/<code>")
def start_form(code: str):
    request_type = _request_type(code)
    draft = services.start_draft(
        request_type,
        current_channel(),
        str(get_locale()),
        kiosk_id=current_kiosk_id(),
        # What a search brought here, cleaned as every form field is: PostgreSQL refuses a NUL in text.
        details=strip_and_clean(request.form.get("q", ""))[:500],
        transcript=transcript_of(session.get("chat_token")),
        searches=session.get("recent_searches", []),
    )
    session["drafts"] = {**session.get("drafts", {}), code: draft.key}
    return redirect(url_for("eforms.edit_step", code=code, step=plan(request_type, {})[0].slug))


@eforms.route("/<code>/<step>", methods=["GET", "POST"])
def edit_step(code: str, step: str):
    request_type = _request_type(code)
    draft, elsewhere = _editable_draft(request_type)
    if elsewhere:
        return elsewhere
    steps = _plan(request_type, draft)
    current = find_step(steps, step) or abort(404)
    form = _form_for(current, request_type, draft, steps)
    returning = request.values.get("return") == "check"
    outcome = _save(form, current, request_type, draft) if request.method == "POST" else "show"
    if outcome == "stay":
        return redirect(_step_url(code, step, returning))
    if outcome == "next":
        return redirect(_after(request_type, draft, step, steps, returning))
    page = _render_step(form, current, request_type, draft, steps, returning)
    return page, 422 if outcome == "invalid" else 200


def _step_url(code: str, step: str, returning: bool) -> str:
    return url_for("eforms.edit_step", code=code, step=step, **({"return": "check"} if returning else {}))


def _after(request_type, draft, step: str, steps_before, returning: bool) -> str:
    """The next page; back to 'check your answers' when changing an answer from there, unless the new
    answer opened a page of questions that did not apply before."""
    following = next_slug(_plan(request_type, draft), step)
    opened = following is not None and following not in {s.slug for s in steps_before}
    if following is None or (returning and not opened):
        return url_for("eforms.check_answers", code=request_type.code)
    return _step_url(request_type.code, following, returning)


def _render_step(form, step, request_type, draft, steps, returning: bool):
    previous = previous_slug(steps, step.slug)
    if previous:
        back = url_for("eforms.edit_step", code=request_type.code, step=previous)
    elif draft.assisted_by_id:  # an advisor's hand-off starts from the contact form, not the web start page
        back = url_for("contacts.log_contact")
    else:
        back = url_for("eforms.show_start", code=request_type.code)
    return render_template(
        f"eforms/{step.kind}.html",
        form=form,
        request_type=request_type,
        draft=draft,
        step=step,
        back=back,
        returning=returning,
        max_photos=services.MAX_PHOTOS,
        page_title=_page_title(step, request_type),
    )


def _page_title(step, request_type) -> str:
    titles = {"location": _("Where is it?"), "photos": _("Add photos"), "details": _("Your details")}
    return titles.get(step.kind) or _(request_type.name)


def _form_for(step, request_type, draft, steps):
    if step.kind == "questions":
        details_label = request_type.details_label if step.slug == steps[0].slug else None
        return question_form(step.questions, details_label, data=services.form_values(draft, step.questions))
    if step.kind == "location":
        return LocationForm(data=draft.location, required=request_type.location == "required")
    if step.kind == "photos":
        return PhotoForm()
    return YourDetailsForm(data=draft.customer or {"preferred_contact": "email"})


def _save(form, step, request_type, draft) -> str:
    """'next' (saved, move on), 'stay' (a photo added: same page again) or 'invalid' (show the errors)."""
    if step.kind == "photos":
        return _save_photo(form, draft)
    if not form.validate():
        return "invalid"
    if step.kind == "questions":
        values = {q.code: form[q.code].data for q in step.questions}
        services.save_answers(draft, request_type, values, form.details.data if "details" in form else None)
    elif step.kind == "location":
        services.save_location(draft, form.address.data, form.postcode.data)
    else:
        services.save_customer(draft, {name: form[name].data for name in DETAILS_FIELDS})
    return "next"


DETAILS_FIELDS = ("name", "email", "phone", "address", "preferred_contact", "interpreter")


def _save_photo(form, draft) -> str:
    if request.form.get("action") != "upload":
        return "next" if form.validate() else "invalid"
    upload = request.files.get("photo")
    if upload is None or not upload.filename:
        form.photo.errors = [_("Select a photo to upload")]
    elif len(draft.photos) >= services.MAX_PHOTOS:
        form.photo.errors = [_("You can add up to %(count)d photos", count=services.MAX_PHOTOS)]
    elif not (data := upload.read()):
        form.photo.errors = [_("The selected file is empty")]
    else:
        try:
            services.add_photo(draft, data)
            return "stay"
        except PhotoError as error:
            form.photo.errors = [photo_error_message(error.reason)]
    return "invalid"


def photo_error_message(reason: str) -> str:
    if reason == "too_big":
        return _("The selected file must be smaller than 10MB")
    return _("The selected file must be a JPG, PNG, WEBP or GIF")


@eforms.errorhandler(413)
def upload_too_large(_error):
    """A file over the limit is refused before it is read; say so next to the field, keep the rest."""
    request_type = _request_type(request.view_args["code"])
    draft = _draft_or_restart(request_type)
    steps = _plan(request_type, draft) if draft else []
    step = find_step(steps, "photos")
    if step is None or request.view_args.get("step") != "photos":
        return render_template(
            "errors/error.html",
            page_title=_("What you sent was too large"),
            message=_("Go back and try again with less. Nothing you sent on that page has been saved."),
        ), 413
    form = PhotoForm(formdata=None)
    form.photo.errors = [photo_error_message("too_big")]
    return _render_step(form, step, request_type, draft, steps, request.args.get("return") == "check"), 413


@eforms.post("/<code>/photos/remove")
def remove_photo(code: str):
    request_type = _request_type(code)
    draft = _draft_or_restart(request_type) or abort(404)
    if draft.case_reference:
        return redirect(url_for("eforms.show_confirmation", code=code))
    form = RemovePhotoForm()
    if form.validate():
        services.remove_photo(draft, form.name.data)
    return redirect(_step_url(code, "photos", request.form.get("return") == "check"))


@eforms.get("/<code>/photos/<name>")
def show_photo(code: str, name: str):
    draft = _draft_or_restart(_request_type(code)) or abort(404)
    path = services.draft_photo_path(draft, name) or abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0)


@eforms.get("/<code>/check-answers")
def check_answers(code: str):
    request_type = _request_type(code)
    draft, elsewhere = _editable_draft(request_type)
    if elsewhere:
        return elsewhere
    steps = _plan(request_type, draft)
    unfinished = first_unfinished(request_type, steps, draft)
    if unfinished:
        return redirect(_step_url(code, unfinished, True))
    return render_template(
        "eforms/check_answers.html",
        request_type=request_type,
        draft=draft,
        rows=services.summary(draft, request_type, steps),
        back=url_for("eforms.edit_step", code=code, step=steps[-1].slug),
        page_title=_("Check your answers before sending"),
    )


@eforms.post("/<code>/check-answers")
def submit_form(code: str):
    request_type = _request_type(code)
    draft = _draft_or_restart(request_type)
    if draft is None:
        return redirect(url_for("eforms.show_start", code=code))
    if not draft.case_reference:
        unfinished = first_unfinished(request_type, _plan(request_type, draft), draft)
        if unfinished:
            return redirect(_step_url(code, unfinished, True))
    services.submit(draft, request_type)
    return redirect(url_for("eforms.show_confirmation", code=code))


@eforms.get("/<code>/confirmation")
def show_confirmation(code: str):
    """The case this resident's own draft of this form became (another form's case is not shown here)."""
    request_type = _request_type(code)
    draft = _draft_or_restart(request_type)
    case = services.find_case(draft.case_reference if draft else None) or abort(404)
    return render_page(
        "eforms/confirmation.html",
        "content",
        request_type=request_type,
        case=case,
        assisted=draft.assisted_by_id is not None,
        page_title=_("Your request has been sent"),
    )
