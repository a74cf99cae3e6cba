from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def given_text(item: dict) -> str:
    """The person's answer in the letters and words they saw."""
    answer = item.get("answer")
    if answer is None or answer == [] or answer == "":
        return _("(no answer)")
    if item["kind"] in ("single", "multiple"):
        chosen = answer if isinstance(answer, list) else [answer]
        return "".join(o["label"] for o in item["options"] if o["value"] in chosen)
    if item["kind"] == "true_false":
        return _("True") if answer else _("False")
    return str(answer)
