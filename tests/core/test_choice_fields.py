"""Every model choice in the project's forms reads its options with one plain query."""

import importlib
import pkgutil

from django import forms

import zhengdun
from zhengdun.core.forms import ChoiceIterator


def _all_form_classes() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(zhengdun.__path__, "zhengdun."):
        if module.name.rsplit(".", 1)[-1].startswith("forms"):
            importlib.import_module(module.name)
    found, queue = [], [forms.BaseForm]
    while queue:
        for cls in queue.pop().__subclasses__():
            queue.append(cls)
            if cls.__module__.startswith("zhengdun."):
                found.append(cls)
    return found


def test_model_choice_fields_avoid_server_side_cursors():
    classes = _all_form_classes()
    assert len(classes) > 20
    offenders = [
        f"{cls.__module__}.{cls.__name__}.{name}"
        for cls in classes
        for name, field in getattr(cls, "base_fields", {}).items()
        if isinstance(field, forms.ModelChoiceField) and field.iterator is not ChoiceIterator
    ]
    assert offenders == []


def test_choice_iterator_reads_the_options_once(org, django_assert_num_queries):
    from zhengdun.org.forms import UnitChoiceField
    from zhengdun.org.models import Unit

    field = UnitChoiceField(queryset=Unit.objects.order_by("path"))
    with django_assert_num_queries(1):
        options = list(field.choices)
    assert len(options) == 1 + Unit.objects.count()
