"""The translation catalogues: complete, compiled, covering the source, and served by language.

Refreshing the catalogues after strings change (see scripts/hant_from_hans.py):

    make messages   # or: cd src/zhengdun && ../../.venv/bin/zhengdun makemessages ...
    # translate the new entries in zh_Hans, then
    .venv/bin/python scripts/hant_from_hans.py && .venv/bin/python scripts/compile_messages.py
"""

import importlib
import os
import re
import shutil
from collections import Counter
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

SOURCE = Path(settings.BASE_DIR)
LOCALE = Path(settings.LOCALE_PATHS[0])
CHINESE = ["zh_Hans", "zh_Hant"]
LANGUAGES = [*CHINESE, "en"]

# Python-format conversions (%(name)s, %(n)d, %s, %%) and Django template variables.
PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|\{\{\s*[\w.]+\s*\}\}")

# Characters that exist only in Simplified Chinese (their Traditional forms differ: 單級號錄導
# 設為說這門們記請問時隊員權項類態變規讀). None may appear in the Traditional catalogue.
SIMPLIFIED_ONLY = set("单级号录导设为说这门们记请问时队员权项类态变规读")


def po_path(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(po_path(language)))


def live_entries(language: str) -> list[polib.POEntry]:
    return [entry for entry in catalogue(language) if not entry.obsolete]


def texts(entry: polib.POEntry) -> list[str]:
    """The msgstrs of an entry, in plural-index order."""
    if entry.msgid_plural:
        return [entry.msgstr_plural[index] for index in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def placeholders(text: str) -> Counter:
    return Counter(re.sub(r"\s+", "", match) for match in PLACEHOLDER.findall(text))


def show(entries: list) -> str:
    return "\n".join(repr(item) for item in entries[:20])


# The files -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_and_compiled_file_exist(language):
    assert po_path(language).is_file()
    assert po_path(language).with_suffix(".mo").is_file()
    po = catalogue(language)
    assert not po.metadata_is_fuzzy, "the header is marked fuzzy"
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert len(live_entries(language)) > 100


@pytest.mark.parametrize("language", CHINESE)
def test_chinese_has_one_plural_form(language):
    po = catalogue(language)
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    plurals = [entry for entry in live_entries(language) if entry.msgid_plural]
    assert plurals, "the templates use {% blocktranslate count %}; expected plural entries"
    wrong = [entry.msgid for entry in plurals if sorted(entry.msgstr_plural) != [0]]
    assert not wrong, f"plural entries must have exactly msgstr[0]:\n{show(wrong)}"


@pytest.mark.parametrize("language", CHINESE)
def test_chinese_catalogue_is_fully_translated(language):
    entries = live_entries(language)
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    empty = [entry.msgid for entry in entries if not all(text.strip() for text in texts(entry))]
    assert not fuzzy, f"{language}: fuzzy entries (check them, then drop the flag):\n{show(fuzzy)}"
    assert not empty, f"{language}: untranslated entries:\n{show(empty)}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_are_kept(language):
    nplurals = 1 if language in CHINESE else 2
    wrong = []
    for entry in live_entries(language):
        if entry.msgid_plural:
            # With one form, msgstr[0] serves every count: it matches the plural msgid.
            sources = [entry.msgid_plural] if nplurals == 1 else [entry.msgid, entry.msgid_plural]
            sources += [entry.msgid_plural] * (len(entry.msgstr_plural) - len(sources))
        else:
            sources = [entry.msgid]
        for source, text in zip(sources, texts(entry), strict=False):
            if text and placeholders(text) != placeholders(source):
                wrong.append((entry.msgid, text))
    assert not wrong, f"{language}: placeholders differ from the msgid:\n{show(wrong)}"


def test_placeholder_pattern_sees_what_it_must():
    found = placeholders("%(counter)s of %(n)d, %s, 100%% and {{ name }} / {{name}}")
    assert found == Counter(["%(counter)s", "%(n)d", "%s", "%%", "{{name}}", "{{name}}"])


def test_traditional_catalogue_has_no_simplified_characters():
    wrong = [
        (entry.msgid, text)
        for entry in live_entries("zh_Hant")
        for text in texts(entry)
        if SIMPLIFIED_ONLY & set(text)
    ]
    assert not wrong, f"zh_Hant still has Simplified characters:\n{show(wrong)}"


def test_traditional_catalogue_follows_simplified():
    hans = {(e.msgctxt, e.msgid, e.msgid_plural) for e in live_entries("zh_Hans")}
    hant = {(e.msgctxt, e.msgid, e.msgid_plural) for e in live_entries("zh_Hant")}
    assert hans == hant, "run scripts/hant_from_hans.py"


def test_traditional_catalogue_is_what_the_script_makes():
    script = importlib.import_module("scripts.hant_from_hans")
    assert script.main(["--check"]) == 0, "run scripts/hant_from_hans.py"


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_its_source(language):
    po = catalogue(language)
    mo = polib.mofile(str(po_path(language).with_suffix(".mo")))

    def content(entries):
        return {(entry.msgctxt, entry.msgid): tuple(texts(entry)) for entry in entries}

    stale = "is stale: run scripts/compile_messages.py"
    assert mo.metadata.get("Plural-Forms") == po.metadata["Plural-Forms"], f"{language} .mo {stale}"
    expected, compiled = content(po.translated_entries()), content(mo)
    assert compiled == expected, (
        f"{language} .mo {stale}\n"
        f"missing or changed: {show(sorted(set(expected.items()) - set(compiled.items())))}\n"
        f"left over: {show(sorted(set(compiled.items()) - set(expected.items())))}"
    )


# The source ------------------------------------------------------------------------------------


def _in_source(msgid: str) -> bool:
    quoted = (f'"{msgid}"', f"'{msgid}'")
    for path in [*SOURCE.rglob("*.py"), *SOURCE.rglob("*.html")]:
        text = path.read_text(encoding="utf-8")
        if any(quote in text for quote in quoted):
            return True
    return False


@pytest.mark.parametrize(
    ("msgid", "hans", "hant"),
    [
        ("Units", "单位", "單位"),  # org/apps.py and the unit templates
        ("Audit log", "审计日志", "審計日誌"),  # audit/apps.py and audit/event_list.html
        ("Log in", "登录", "登入"),  # accounts/login.html
        ("Police number", "警号", "警號"),  # org/forms.py, org/excel.py and templates
        ("Campaign office", "整顿办", "整頓辦"),  # org/roles.py
        ("Retired from post", "退居二线", "退居二線"),  # org/models.py
    ],
)
def test_source_strings_are_translated(msgid, hans, hant):
    assert _in_source(msgid), f"{msgid!r} is no longer in the source; pick another string"
    with translation.override("zh-hans"):
        assert gettext(msgid) == hans
    with translation.override("zh-hant"):
        assert gettext(msgid) == hant
    with translation.override("en"):
        assert gettext(msgid) == msgid


def test_plural_strings_are_translated():
    singular, plural = "%(counter)s item", "%(counter)s items"  # includes/pagination.html
    for count in (1, 7):
        with translation.override("zh-hans"):
            assert ngettext(singular, plural, count) % {"counter": count} == f"共 {count} 条"
        with translation.override("zh-hant"):
            assert ngettext(singular, plural, count) % {"counter": count} == f"共 {count} 條"
    with translation.override("en"):
        assert ngettext(singular, plural, 1) % {"counter": 1} == "1 item"
        assert ngettext(singular, plural, 7) % {"counter": 7} == "7 items"


def _msgids(po: polib.POFile) -> set[tuple]:
    return {(e.msgctxt, e.msgid, e.msgid_plural) for e in po if not e.obsolete}


@pytest.mark.skipif(
    os.environ.get("CI") != "true"
    and not all(shutil.which(tool) for tool in ("xgettext", "msguniq", "msgmerge")),
    reason="extracting strings needs GNU gettext (installed by .ci/run in CI)",
)
def test_catalogue_covers_the_source(tmp_path, monkeypatch, settings):
    """Extract the strings afresh from a copy of the source: none new, none gone."""
    copy = tmp_path / "zhengdun"
    shutil.copytree(
        SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "static", "*.mo", "*.pyc")
    )
    settings.LOCALE_PATHS = [copy / "locale"]
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["zh_Hans"], no_obsolete=True, verbosity=0)
    fresh = _msgids(polib.pofile(str(copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")))
    committed = _msgids(catalogue("zh_Hans"))
    assert fresh == committed, (
        "the catalogues are out of date: run `make messages` and translate\n"
        f"new in the source: {show(sorted(fresh - committed, key=str))}\n"
        f"gone from the source: {show(sorted(committed - fresh, key=str))}"
    )


# The pages -------------------------------------------------------------------------------------


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.content.decode())
    assert match, "the page has no <html lang>"
    return match.group(1)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("en-US,en;q=0.9", "zh-hans"),
        ("", "zh-hans"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-hans"),
        ("zh-TW,zh;q=0.9,en-US;q=0.8", "zh-hant"),
        ("zh-HK", "zh-hant"),
        ("en-GB,en;q=0.8,zh-Hant;q=0.5", "zh-hant"),
    ],
)
def test_browser_language_picks_the_chinese_script(org, login, accept, expected):
    client = login(org.office)
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 200
    assert html_lang(response) == expected
    assert response["Content-Language"] == expected


def test_english_browser_gets_simplified_chinese(org, login):
    client = login(org.office)
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert settings.LANGUAGE_COOKIE_NAME not in client.cookies
    page = response.content.decode()
    assert html_lang(response) == "zh-hans"
    assert "审计日志" in page  # the side navigation
    assert "退出登录" in page
    assert "Audit log" not in page


def test_traditional_browser_gets_traditional_chinese(org, login):
    response = login(org.office).get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="zh-TW")
    page = response.content.decode()
    assert html_lang(response) == "zh-hant"
    assert "審計日誌" in page
    assert "单位" not in page and "單位" in page


def test_login_page_is_chinese_for_an_english_browser(client):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = response.content.decode()
    assert response.status_code == 200
    assert html_lang(response) == "zh-hans"
    assert "登录" in page and "Log in" not in page


def test_language_switch_sets_a_cookie_that_wins(org, login):
    client = login(org.office)
    response = client.post(
        reverse("core:set_language"),
        {"language": "en", "next": reverse("core:home")},
        HTTP_ACCEPT_LANGUAGE="zh-TW",
    )
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"

    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="zh-TW")
    page = response.content.decode()
    assert html_lang(response) == "en"
    assert "Audit log" in page and "Log out" in page
    assert "审计日志" not in page and "審計日誌" not in page

    client.post(reverse("core:set_language"), {"language": "zh-hant", "next": "/"})
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US")
    assert html_lang(response) == "zh-hant"
    assert "審計日誌" in response.content.decode()


def test_language_switch_works_before_logging_in(client):
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("accounts:login"))
    assert html_lang(response) == "en"
    assert "Log in" in response.content.decode()
