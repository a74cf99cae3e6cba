"""Scorecard templates: the office reads every version and writes the next one."""

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from zhengdun.core.access import requires
from zhengdun.core.forms import run_action
from zhengdun.org import scope
from zhengdun.supervision import actions
from zhengdun.supervision.models import Aspect, ScoreTemplate
from zhengdun.supervision.permissions import SupervisionPerm

SEPARATORS = ("|", "｜")


def _parse_aspects(text: str) -> list[dict]:
    """One aspect a line: "name | weight | maximum points | guidance" (guidance optional)."""
    aspects, errors = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        for separator in SEPARATORS[1:]:
            line = line.replace(separator, SEPARATORS[0])
        parts = [part.strip() for part in line.split(SEPARATORS[0])]
        if len(parts) < 3:
            errors.append(
                _("Line %(n)d: give a name, a weight and the maximum points.") % {"n": number}
            )
            continue
        try:
            weight, maximum = int(parts[1]), int(parts[2])
        except ValueError:
            errors.append(
                _("Line %(n)d: the weight and the maximum points are whole numbers.")
                % {"n": number}
            )
            continue
        aspects.append(
            {
                "name": parts[0],
                "weight": weight,
                "max_points": maximum,
                "guidance": " | ".join(parts[3:]),
            }
        )
    if errors:
        raise forms.ValidationError(errors)
    return aspects


def _lines(template: ScoreTemplate | None) -> str:
    if template is None:
        return ""
    return "\n".join(
        " | ".join(filter(None, [a.name, str(a.weight), str(a.max_points), a.guidance]))
        for a in template.aspects.all()
    )


class TemplateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    aspects = forms.CharField(
        label=gettext_lazy("Aspects"),
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "One aspect a line: name | weight | maximum points | guidance (optional)."
        ),
    )

    def clean_aspects(self):
        return _parse_aspects(self.cleaned_data["aspects"])


def _templates():
    return ScoreTemplate.objects.prefetch_related(
        Prefetch("aspects", queryset=Aspect.objects.order_by("order"))
    ).order_by("name", "-version")


@requires(SupervisionPerm.MANAGE)
def score_templates(request):
    return render(request, "supervision/score_templates.html", {"templates": _templates()})


@requires(SupervisionPerm.MANAGE)
def score_template_new(request):
    latest = _templates().first()
    initial = {"name": latest.name, "aspects": _lines(latest)} if latest else {}
    form = TemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        unit = scope.roots(request.user, SupervisionPerm.MANAGE).order_by("path").first()
        created = run_action(
            form,
            lambda: actions.create_score_template(
                request.user,
                name=form.cleaned_data["name"],
                aspects=form.cleaned_data["aspects"],
                unit=unit,
            ),
        )
        if created is not None:
            messages.success(
                request,
                _("Version %(version)d of %(name)s saved; new scorecards use it.")
                % {"version": created.version, "name": created.name},
            )
            return redirect("supervision:score_templates")
    return render(request, "supervision/score_template_form.html", {"form": form})
