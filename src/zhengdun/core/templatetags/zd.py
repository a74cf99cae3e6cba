from django import template
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Labels for audit change keys that are not model fields.
EXTRA_LABELS = {
    "units_moved": _("units moved"),
    "path": _("tree position"),
    "count": _("count"),
    "ids": _("items"),
    "username": _("user name"),
    "user": _("user"),
    "role": _("role"),
    "unit": _("unit"),
    "created": _("created"),
    "updated": _("updated"),
    "demo": _("demo account"),
    "superuser": _("system administrator"),
    "kind": _("kind"),
    "fields": _("fields"),
    "files": _("evidence files"),
    "shares": _("shares"),
    "note": _("note"),
    "reason": _("reason"),
    "comment": _("comment"),
    "findings": _("problems found"),
    "items": _("problems"),
    "measures": _("measures"),
    "rows": _("rows"),
    "report": _("report"),
    "meeting": _("meeting"),
    "score": _("score"),
}


def _field(event, name: str):
    if not event.object_type:
        return None
    try:
        return apps.get_model(event.object_type)._meta.get_field(name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


def _value_text(field, value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, list):
        return "、".join(_value_text(field, item) for item in value)
    if isinstance(value, dict):
        return "；".join(f"{key}: {_value_text(None, item)}" for key, item in value.items())
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(value, value))


@register.simple_tag
def change_text(event, name: str, value) -> str:
    """One audit change as "label: old → new", with the field's translated label and choice
    labels where the model defines them."""
    field = _field(event, name)
    if field is not None and hasattr(field, "verbose_name"):
        label = str(field.verbose_name)
    else:
        label = str(EXTRA_LABELS.get(name, name))
    if isinstance(value, list) and len(value) == 2:
        return f"{label}: {_value_text(field, value[0])} → {_value_text(field, value[1])}"
    return f"{label}: {_value_text(field, value)}"


@register.filter
def indent(depth: int, base: int = 1) -> str:
    """Ideographic spaces that indent a unit name by its depth below ``base``."""
    return "　" * max(int(depth) - int(base), 0)
