"""Pages of clues and cases. Every page is need-to-know: a clue the user may not see is a 404,
exactly like one that does not exist, and every read of a clue is audited (``actions``).

The list shows no content of a clue (number, channel, category, state, dates): opening it is
the read that is audited.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from zhengdun.core.access import signed_in
from zhengdun.core.errors import messages_of
from zhengdun.core.forms import run_action
from zhengdun.core.ids import parse_id
from zhengdun.core.pagination import paginate
from zhengdun.integrity import actions, crypto, evidence, queries, rules
from zhengdun.integrity.forms import (
    CaseForm,
    CaseHandlersForm,
    CaseStateForm,
    ClueForm,
    ConcludeForm,
    EntryForm,
    FilterForm,
    MessageForm,
    NoteForm,
    OptionalNoteForm,
    ReasonForm,
    RemoveForm,
    TriageForm,
)
from zhengdun.integrity.models import (
    ClueState,
    EntryFile,
    HandlerRole,
    HandlingMode,
    IdentityReveal,
    ReporterIdentity,
    RevealState,
)
from zhengdun.integrity.permissions import (
    get_case_for_user,
    get_clue_for_user,
    handler_role,
    is_head,
    may_register,
    may_see,
    may_see_any,
    may_see_summaries,
)


def _live(clue) -> None:
    colour, reason = rules.colour_of(clue, actions.today())
    clue.live_colour, clue.reason = colour, rules.describe(reason)


# The list and registering ------------------------------------------------------------------


@signed_in
def clue_list(request):
    user = request.user
    registers = may_register(user)
    # The navigation shows the entry to every holder of integrity.work, which a superuser's
    # scope covers: they get the (empty) list rather than a dead link.
    if not (registers or user.is_superuser or may_see_any(user)):
        raise Http404
    form, filters = _filters(request)
    page = paginate(request, queries.clues(user, filters))
    today = actions.today()
    for clue in page.object_list:
        colour, reason = rules.colour_of(clue, today)
        clue.live_colour, clue.reason = colour, rules.describe(reason)
    return render(
        request,
        "integrity/clue_list.html",
        {
            "form": form,
            "page": page,
            "can_register": registers,
            "head": is_head(user),
            "cases": list(queries.cases_for(user)[:20]),
        },
    )


def _filters(request) -> tuple[FilterForm, queries.ClueFilters]:
    form = FilterForm(request.GET or None)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return form, queries.ClueFilters(
        state=data.get("state", ""),
        source=data.get("source", ""),
        category=data.get("category", ""),
        colour=data.get("colour", ""),
        mode=data.get("mode", ""),
        q=(data.get("q") or "").strip(),
    )


@signed_in
def clue_export(request):
    """The listed clues (with what they report) as a workbook; every clue in it is a read."""
    from zhengdun.core.excel import workbook_response, write_workbook
    from zhengdun.integrity import exports

    user = request.user
    if not may_see_any(user):
        raise Http404
    _form, filters = _filters(request)
    rows = list(queries.clues(user, filters).defer(None)[: exports.EXPORT_LIMIT])
    actions.record_reads(user, clues=rows, via="export")
    data = write_workbook(_("Clues"), exports.COLUMNS, exports.rows(rows))
    return workbook_response("clues.xlsx", data)


@signed_in
def clue_create(request):
    user = request.user
    if not may_register(user):
        raise Http404
    initial = {"received_on": actions.today(), "source": request.GET.get("source", "hotline")}
    form = ClueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        clue = run_action(
            form,
            lambda: actions.register_clue(
                user,
                source=data["source"],
                received_on=data["received_on"],
                category=data["category"],
                summary=data["summary"],
                subjects_text=data["subjects_text"],
                subject_persons=data["subject_persons"],
                subject_units=data["subject_units"],
                reporter_name=data["reporter_name"],
                reporter_contact=data["reporter_contact"],
                reporter_person=data["reporter_number"],
            ),
        )
        if clue is not None:
            messages.success(request, _("Clue %(number)s registered.") % {"number": clue.number})
            if may_see(user, clue):
                return redirect("integrity:clue_detail", pk=clue.pk)
            return redirect("integrity:clue_list")
    return render(request, "integrity/clue_form.html", {"form": form})


# The clue's page ---------------------------------------------------------------------------


VERIFIED_MODES = (HandlingMode.INQUIRY, HandlingMode.VERIFY)


def _forms(user, clue, bound: dict) -> dict:
    """The action forms the user may use on the clue (the actions check again)."""
    head = is_head(user)
    role = handler_role(user, clue)
    handles = head or role is not None
    leads = head or role == HandlerRole.LEAD
    forms = {}
    if head and clue.state in (ClueState.REGISTERED, ClueState.TRIAGED, ClueState.VERIFYING):
        forms["triage_form"] = bound.get("triage") or TriageForm(
            initial={"mode": clue.mode or HandlingMode.VERIFY, "due_on": clue.due_on}
        )
    if handles and clue.state in (ClueState.TRIAGED, ClueState.VERIFYING):
        forms["entry_form"] = bound.get("entry") or EntryForm()
    if handles and clue.state == ClueState.TRIAGED and clue.mode in VERIFIED_MODES:
        forms["may_start"] = True
    if handles and clue.is_open:
        if clue.ack_due and not clue.acknowledged_on:
            forms["ack_form"] = bound.get("acknowledge") or OptionalNoteForm()
        if clue.contact_due:
            forms["contact_form"] = bound.get("contact") or NoteForm()
        if clue.portal_report_id:
            forms["message_form"] = bound.get("message") or MessageForm()
    if leads and (
        clue.state == ClueState.VERIFYING
        or (clue.state == ClueState.TRIAGED and clue.mode == HandlingMode.CLOSE)
    ):
        forms["conclude_form"] = bound.get("conclude") or ConcludeForm()
    if head and clue.state == ClueState.CONCLUDED:
        forms["may_archive"] = True
    if (
        head
        and not hasattr(clue, "case")
        and (
            clue.state == ClueState.VERIFYING
            or (clue.state == ClueState.CONCLUDED and (clue.form or 0) >= 3)
        )
    ):
        forms["case_form"] = bound.get("case") or CaseForm()
    return forms


def _render_detail(request, clue, status: int = 200, **bound):
    """The clue's page (also after a failed action, with its form): every rendering is a read."""
    user = request.user
    actions.record_read(user, clue=clue, via="page")
    _live(clue)
    persons, units = queries.subjects(clue)
    named = ReporterIdentity.objects.filter(clue=clue).exists()
    head = is_head(user)
    approved = IdentityReveal.objects.filter(
        clue=clue, user_id=user.pk, state=RevealState.APPROVED
    ).exists()
    asked = IdentityReveal.objects.filter(
        clue=clue, user_id=user.pk, state=RevealState.REQUESTED
    ).exists()
    context = {
        "clue": clue,
        "persons": persons,
        "units": units,
        "handlers": queries.handlers(clue),
        "entries": queries.entries(clue),
        "thread": queries.thread(clue),
        "report_files": queries.report_files(clue),
        "duplicates": queries.duplicates(user, clue),
        "named": named,
        "head": head,
        "may_read_identity": named and approved,
        "reveal_form": bound.get("reveal") or ReasonForm()
        if named and not approved and not asked
        else None,
        "reveals": queries.reveals(clue) if head else [],
        "case": getattr(clue, "case", None),
        "errors": bound.get("errors", []),
        **_forms(user, clue, bound),
    }
    return render(request, "integrity/clue_detail.html", context, status=status)


@signed_in
def clue_detail(request, pk):
    return _render_detail(request, get_clue_for_user(request.user, pk))


def _do_triage(request, clue, form):
    data = form.cleaned_data
    return actions.triage(
        request.user,
        clue=clue,
        mode=data["mode"],
        lead=data["lead"],
        members=data["members"],
        due_on=data["due_on"],
    )


def _do_entry(request, clue, form):
    data = form.cleaned_data
    return actions.add_entry(
        request.user,
        clue=clue,
        kind=data["kind"],
        text=data["text"],
        occurred_on=data["occurred_on"],
        files=data["files"],
    )


# Posted action -> (form class, call). Each call is an action of
# ``integrity.actions``; the dispatcher is only the page's way of routing its buttons.
ACTIONS = {
    "triage": (TriageForm, _do_triage),
    "entry": (EntryForm, _do_entry),
    "start": (
        None,
        lambda request, clue, form: actions.start_verification(request.user, clue=clue),
    ),
    "acknowledge": (
        OptionalNoteForm,
        lambda request, clue, form: actions.acknowledge(
            request.user, clue=clue, note=form.cleaned_data["note"]
        ),
    ),
    "contact": (
        NoteForm,
        lambda request, clue, form: actions.record_contact(
            request.user, clue=clue, note=form.cleaned_data["note"]
        ),
    ),
    "message": (
        MessageForm,
        lambda request, clue, form: actions.message_reporter(
            request.user,
            clue=clue,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["files"],
        ),
    ),
    "reveal": (
        ReasonForm,
        lambda request, clue, form: (
            actions.approve_own_reveal(request.user, clue=clue, reason=form.cleaned_data["reason"])
            if is_head(request.user)
            else actions.request_reveal(request.user, clue=clue, reason=form.cleaned_data["reason"])
        ),
    ),
    "conclude": (
        ConcludeForm,
        lambda request, clue, form: actions.conclude(
            request.user,
            clue=clue,
            disposition=form.cleaned_data["disposition"],
            conclusion=form.cleaned_data["conclusion"],
        ),
    ),
    "remove": (
        RemoveForm,
        lambda request, clue, form: actions.remove_handler(
            request.user, clue=clue, user=form.cleaned_data["user"]
        ),
    ),
    "archive": (
        None,
        lambda request, clue, form: actions.archive(request.user, clue=clue),
    ),
    "case": (
        CaseForm,
        lambda request, clue, form: actions.open_case(
            request.user,
            clue=clue,
            summary=form.cleaned_data["summary"],
            handlers=[(form.cleaned_data["lead"], HandlerRole.LEAD)]
            + [(user, HandlerRole.MEMBER) for user in form.cleaned_data["members"]],
        ),
    ),
}

SUCCESS = {
    "triage": lambda: _("Clue triaged."),
    "entry": lambda: _("Entry added."),
    "start": lambda: _("Verification started."),
    "acknowledge": lambda: _("Acknowledgement recorded."),
    "contact": lambda: _("Contact with the reporter recorded."),
    "message": lambda: _("Message sent to the reporter."),
    "reveal": lambda: _("Recorded."),
    "conclude": lambda: _("Clue concluded."),
    "archive": lambda: _("Clue archived."),
    "remove": lambda: _("Handler removed."),
    "case": lambda: _("Case opened."),
}


# Actions posted from buttons with no form of their own on the page: their errors show on top.
ERRORS_ON_TOP = {"remove"}


def _failed(request, clue, action: str, form):
    """The clue's page again, the posted form with its errors and what was typed."""
    texts = (
        [text for texts in form.errors.values() for text in texts]
        if action in ERRORS_ON_TOP
        else []
    )
    return _render_detail(request, clue, status=400, errors=texts, **{action: form})


@signed_in
@require_POST
def clue_action(request, pk, action):
    user = request.user
    clue = get_clue_for_user(user, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, call = ACTIONS[action]
    form = form_class(request.POST, request.FILES) if form_class else None
    if form is not None and not form.is_valid():
        return _failed(request, clue, action, form)
    try:
        if form is not None:
            result = run_action(form, lambda: call(request, clue, form))
            if result is None:
                return _failed(request, clue, action, form)
        else:
            call(request, clue, None)
    except ValidationError as error:
        texts = [text for texts in messages_of(error).values() for text in texts]
        return _render_detail(request, clue, status=400, errors=texts)
    messages.success(request, SUCCESS[action]())
    if not may_see(user, clue):
        return redirect("integrity:clue_list")
    return redirect("integrity:clue_detail", pk=clue.pk)


@signed_in
@require_POST
def reveal_decide(request, pk, reveal_pk):
    user = request.user
    clue = get_clue_for_user(user, pk)
    reveal = IdentityReveal.objects.filter(clue=clue, pk=reveal_pk).select_related("user").first()
    if reveal is None:
        raise Http404
    try:
        actions.decide_reveal(user, reveal=reveal, approve=request.POST.get("approve") == "1")
    except ValidationError as error:
        for texts in messages_of(error).values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("integrity:clue_detail", pk=clue.pk)


@signed_in
def reporter(request, pk):
    clue = get_clue_for_user(request.user, pk)
    identity = actions.read_identity(request.user, clue=clue)
    return render(request, "integrity/reporter.html", {"clue": clue, "identity": identity})


@signed_in
def access_log(request, pk):
    clue = get_clue_for_user(request.user, pk)
    actions.record_read(request.user, clue=clue, via="access_log")
    return render(
        request,
        "integrity/access_log.html",
        {"clue": clue, "events": queries.access_log(clue)},
    )


@signed_in
def file_download(request, pk):
    stored = EntryFile.objects.filter(pk=pk).select_related("entry__clue").first()
    if stored is None or not may_see(request.user, stored.entry.clue):
        raise Http404
    actions.record_file_read(request.user, stored=stored)
    try:
        content = evidence.read(stored)
    except (FileNotFoundError, crypto.InvalidToken):
        raise Http404 from None
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=stored.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(stored.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@signed_in
def portal_file(request, pk, file_pk):
    """A file the reporter sent (with the report or a message), for whoever may see the clue;
    the read is on the clue's access log."""
    from zhengdun.integrity.portal import files
    from zhengdun.integrity.portal.queries import attachment_of

    clue = get_clue_for_user(request.user, pk)
    attachment = attachment_of(clue.portal_report, file_pk) if clue.portal_report_id else None
    if attachment is None:
        raise Http404
    actions.record_read(request.user, clue=clue, via=f"portal file {attachment.pk}")
    return files.response(attachment)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name or "file")


# Statistics and cases ----------------------------------------------------------------------


@signed_in
def statistics(request):
    user = request.user
    head = is_head(user)
    if not (head or may_see_summaries(user)):
        raise Http404
    year = request.GET.get("year", "")
    year = parse_id(year)
    return render(
        request,
        "integrity/statistics.html",
        {
            "breakdowns": queries.statistics(user, year=year, suppress=not head),
            "suppressed": not head,
            "year": year or "",
            "small": queries.SMALL_COUNT,
        },
    )


@signed_in
def case_detail(request, pk):
    """The case file; the head changes its handlers or its state here."""
    user = request.user
    case = get_case_for_user(user, pk)
    head = is_head(user)
    handlers_form = CaseHandlersForm(request.POST if "lead" in request.POST else None)
    state_form = CaseStateForm(request.POST if "state" in request.POST else None)
    if request.method == "POST":
        if not head:
            raise PermissionDenied
        if handlers_form.is_bound and handlers_form.is_valid():
            data = handlers_form.cleaned_data
            done = run_action(
                handlers_form,
                lambda: actions.set_case_handlers(
                    user,
                    case=case,
                    handlers=[(data["lead"], HandlerRole.LEAD)]
                    + [(member, HandlerRole.MEMBER) for member in data["members"]],
                ),
            )
        elif state_form.is_bound and state_form.is_valid():
            done = run_action(
                state_form,
                lambda: actions.set_case_state(
                    user, case=case, state=state_form.cleaned_data["state"]
                ),
            )
        else:
            done = None
        if done is not None:
            messages.success(request, _("Case updated."))
            return redirect("integrity:case_detail", pk=case.pk)
    actions.record_case_read(user, case=case, via="page")
    handlers = case.case_handlers.select_related("user", "user__person").order_by("role")
    return render(
        request,
        "integrity/case_detail.html",
        {
            "case": case,
            "handlers": list(handlers),
            "clue_visible": may_see(user, case.clue),
            "head": head,
            "handlers_form": handlers_form,
            "state_form": state_form,
        },
        status=400 if request.method == "POST" else 200,
    )
