from __future__ import annotations

from flask import Blueprint, jsonify, request, session
from flask_babel import _, get_locale

from portal.channel import current_channel
from portal.layout import is_htmx_fragment_request, render_page

from .forms import ApiSearchForm, SearchForm
from .services import api_payload, search_knowledge_base

search = Blueprint("search", __name__)
api = Blueprint("api", __name__, url_prefix="/api")


@search.get("/search")
def show_results():
    form = SearchForm(formdata=request.args)
    response = results = None
    if form.validate() and form.q.data:
        source = "typeahead" if is_htmx_fragment_request() else "results"
        response, results = search_knowledge_base(
            form.q.data, str(get_locale()), channel=current_channel(), source=source
        )
        if source == "results":
            # The searches that led to a form travel with the case (the last few, this visit only).
            session["recent_searches"] = [*session.get("recent_searches", []), {"query": form.q.data}][-10:]
    title = _("Search results for ‘%(query)s’", query=form.q.data) if response else _("Find answers")
    html = render_page(
        "search/search.html", "results", form=form, response=response, results=results, page_title=title
    )
    return html, 422 if form.errors and is_htmx_fragment_request() else 200


@api.get("/search")
def search_articles():
    form = ApiSearchForm(formdata=request.args)
    if not form.validate():
        return jsonify(errors={name: errors[0] for name, errors in form.errors.items()}), 400
    response, results = search_knowledge_base(
        form.q.data or "",
        form.lang.data or "en",
        channel="web",
        source="api",
        limit=form.limit.data,
        detect=not form.lang.data,  # a language asked for is kept
    )
    return jsonify(api_payload(response, results))
