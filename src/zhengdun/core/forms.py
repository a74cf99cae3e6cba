from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext as _

from zhengdun.audit.queries import history_for
from zhengdun.core import html
from zhengdun.core.errors import messages_of
from zhengdun.core.versioning import ConflictError


class FormRenderer(DjangoTemplates):
    """Django's form renderer, except that plain <select> and <input> widgets are written in
    Python (core.html): through the template engine they cost a filter form several ms."""

    SELECT = "django/forms/widgets/select.html"
    OPTION = "django/forms/widgets/select_option.html"
    # The widget templates that are nothing but an include of input.html.
    INPUTS = frozenset(
        f"django/forms/widgets/{name}.html"
        for name in (
            "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
            "password", "search", "tel", "text", "time", "url",
        )
    )  # fmt: skip

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None and template_name in self.INPUTS:
            return html.input_(widget)
        if (
            template_name == self.SELECT
            and widget is not None
            and all(
                option["template_name"] == self.OPTION
                for _name, options, _index in widget["optgroups"]
                for option in options
            )
        ):
            return html.select(widget)
        return super().render(template_name, context, request)


class ChoiceIterator(forms.models.ModelChoiceIterator):
    """Choices read with one plain query. Django's iterator() opens a server-side cursor on
    PostgreSQL: DECLARE, FETCH and CLOSE, three round trips for a select's few rows."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        # The rows themselves, cached for __iter__, rather than a COUNT first.
        return len(self.queryset) + (self.field.empty_label is not None)


class ModelChoiceField(forms.ModelChoiceField):
    """The project's model choice field (use it rather than Django's: see ChoiceIterator)."""

    iterator = ChoiceIterator


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = ChoiceIterator


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's validation errors on the form, next to the fields they concern."""
    for name, texts in messages_of(error).items():
        field = name if name in form.fields else None
        for message in texts:
            form.add_error(field, message)


def conflict_changes(form: forms.Form, conflict: ConflictError, history) -> list:
    """Explain a stale save and let the user save again on the current version.

    The form keeps what the user typed; the message lists the changes saved by others since
    the version the user started from (read from the object's audit history).
    """
    form.add_error(
        None,
        _(
            "Someone else saved this record while you were editing it. Their changes are listed "
            "below; your entries are kept. Check them and save again to overwrite."
        ),
    )
    form.data = form.data.copy()
    form.data["version"] = conflict.current.version
    since = conflict.submitted_version
    return [
        event
        for event in history
        if isinstance(event.changes.get("version"), list) and event.changes["version"][0] >= since
    ]


T = TypeVar("T")


class ActionErrors(forms.Form):
    """A form with no fields, for actions whose input comes from elsewhere (a formset, buttons):
    it carries the action's errors to the page."""

    def __init__(self):
        super().__init__(data={})
        self.full_clean()

    def messages(self) -> list[str]:
        return [message for errors in self.errors.values() for message in errors]


def run_action(form: forms.Form, action: Callable[[], T]) -> T | None:
    """Call an action for a valid form and return its result; on a validation error or a
    stale version, explain on the form (``form.conflict_changes`` lists what others saved)
    and return None. Either way nothing the user typed is lost."""
    try:
        return action()
    except ConflictError as conflict:
        form.conflict_changes = conflict_changes(form, conflict, history_for(conflict.current))
    except ValidationError as error:
        apply_errors(form, error)
    return None


def flash_action(request, form: forms.Form, action: Callable[[dict], object], success: str) -> bool:
    """For a small form posted from a page that then reloads: validate, call the action with
    the cleaned data, and tell the user the outcome (or every error) as a message."""
    if form.is_valid() and run_action(form, lambda: action(form.cleaned_data)) is not None:
        messages.success(request, success)
        return True
    for errors in form.errors.values():
        for message in errors:
            messages.error(request, message)
    return False


# Drafts kept on the device (app.js: forms with ``data-draft="<key>"``) are dropped on the page
# after the form was saved: the view names the key, the next page renders ``data-draft-clear``.
DRAFT_CLEAR = "zhengdun_draft_clear"


def clear_draft_next(request, key: str) -> None:
    """The form with this draft was saved: the next page drops it from the device."""
    request.session[DRAFT_CLEAR] = [*request.session.get(DRAFT_CLEAR, []), key]


def drafts_to_clear(request) -> str:
    """The keys for this page's ``data-draft-clear`` (each is handed out once)."""
    return " ".join(request.session.pop(DRAFT_CLEAR, []))
