from django import template

register = template.Library()


@register.filter
def change(value) -> str:
    """An audit change as text: [old, new] becomes "old → new"."""
    if isinstance(value, list) and len(value) == 2:
        old, new = ("—" if v in (None, "") else v for v in value)
        return f"{old} → {new}"
    return "—" if value in (None, "") else str(value)


@register.filter
def indent(depth: int, base: int = 1) -> str:
    """Ideographic spaces that indent a unit name by its depth below ``base``."""
    return "　" * max(int(depth) - int(base), 0)


@register.simple_tag
def field_label(event, name: str) -> str:
    """The translated label of a changed field, for an audit event about a model object."""
    from django.apps import apps
    from django.core.exceptions import FieldDoesNotExist

    if event.object_type:
        try:
            model = apps.get_model(event.object_type)
            return str(model._meta.get_field(name).verbose_name)
        except (LookupError, ValueError, FieldDoesNotExist):
            pass
    return name
