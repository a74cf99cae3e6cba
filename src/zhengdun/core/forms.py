from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from zhengdun.core.errors import messages_of
from zhengdun.core.versioning import ConflictError


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show an action's validation errors on the form, next to the fields they concern."""
    for name, messages in messages_of(error).items():
        field = name if name in form.fields else None
        for message in messages:
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
