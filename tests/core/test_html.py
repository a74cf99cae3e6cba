import re

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from zhengdun.core import html
from zhengdun.core.forms import FormRenderer


class Choices(forms.Form):
    one = forms.ChoiceField(
        choices=[("", "---"), ("x", "<X> & 'y'"), ("组", [("1", "一"), ("2", "二")])],
        required=False,
    )
    many = forms.MultipleChoiceField(choices=[("1", "a"), ("2", "b")])
    radio = forms.ChoiceField(choices=[("1", "a")], widget=forms.RadioSelect)
    text = forms.CharField(max_length=20)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    flag = forms.BooleanField(required=False)
    hidden = forms.IntegerField(widget=forms.HiddenInput, required=False)


def rendered(form, name, renderer):
    field = form[name]
    widget = field.field.widget
    attrs = field.build_widget_attrs({"id": field.auto_id, "data-x": '"q"'})
    return widget.render(field.html_name, field.value(), attrs=attrs, renderer=renderer)


def squeeze(text):
    return re.sub(r">\s+<", "><", str(text)).strip()


def test_selects_and_inputs_written_in_python_match_djangos_templates():
    data = {"one": "1", "many": ["2"], "radio": "1", "text": '<"x">', "day": "2026-11-27"}
    form = Choices({**data, "flag": "on"})
    for name in ("one", "many", "radio", "text", "day", "flag", "hidden"):
        ours = rendered(form, name, FormRenderer())
        django = rendered(form, name, DjangoTemplates())
        assert squeeze(ours) == squeeze(django), name
    assert "&lt;X&gt; &amp; &#x27;y&#x27;" in rendered(form, "one", FormRenderer())


def test_rows_escape_text_but_keep_safe_html():
    columns = html.labels("单位", "<b>")
    row = html.row(columns, [html.text("<i>"), mark_safe("<a>ok</a>")], nowrap=(1,))
    assert row == (
        '<tr><td data-label="单位">&lt;i&gt;</td>'
        '<td data-label="&lt;b&gt;" class="nowrap"><a>ok</a></td></tr>'
    )
