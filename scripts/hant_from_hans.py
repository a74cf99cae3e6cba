"""Fill the zh_Hant catalogue from the zh_Hans one by converting each msgstr to Traditional.

A development tool: it needs OpenCC (``pip install -e '.[dev]'``), which the running site
never does. Re-run it whenever zh_Hans changes:

    make messages                                 # extract the strings afresh, compile
    # translate the new entries in src/zhengdun/locale/zh_Hans/LC_MESSAGES/django.po, then
    .venv/bin/python scripts/hant_from_hans.py    # zh_Hans -> zh_Hant
    .venv/bin/python scripts/compile_messages.py  # .po -> .mo

zh_Hans is the source of truth: zh_Hant gets exactly its entries (same msgids, references and
flags), with every translated msgstr converted. Untranslated or fuzzy zh_Hans entries stay
untranslated or fuzzy in zh_Hant, so the catalogue tests catch them in both languages. To fix a
conversion, add a phrase to ``PHRASES`` below rather than editing zh_Hant by hand: hand edits
are overwritten on the next run.

``--check`` writes nothing and exits 1 if zh_Hant is not what this script would produce.
"""

import argparse
import sys
from pathlib import Path

import polib

try:
    from opencc import OpenCC
except ImportError:  # pragma: no cover - depends on the environment
    sys.exit("OpenCC is missing: pip install -e '.[dev]' (opencc-python-reimplemented).")

LOCALE = Path(__file__).resolve().parents[1] / "src" / "zhengdun" / "locale"
HANS = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
HANT = LOCALE / "zh_Hant" / "LC_MESSAGES" / "django.po"

# OpenCC "s2tw" gives Taiwan-standard characters (為, 啟, 裡) without rewriting vocabulary.
# "s2twp" also rewrites vocabulary but gets this domain wrong (单位代码 -> 單位程式碼,
# 校验通过 -> 校驗透過, 权限 -> 許可權), so the vocabulary we want is listed here instead.
# Applied in order to the converted (Traditional) text.
PHRASES: list[tuple[str, str]] = [
    ("頭髮送", "頭發送"),  # OpenCC reads 请求头发送 as 头发 (hair)
    ("賬號", "帳號"),
    ("退出登錄", "登出"),
    ("登錄", "登入"),
    ("消息", "訊息"),
    ("信息", "資訊"),
    ("數據", "資料"),
    ("文件", "檔案"),
    ("導入", "匯入"),
    ("導出", "匯出"),
    ("創建", "建立"),
    ("保存", "儲存"),
    ("刷新", "重新整理"),
    ("加載", "載入"),
    ("字段", "欄位"),
    ("搜索", "搜尋"),
    ("菜單", "選單"),
    ("服務器", "伺服器"),
    ("會話", "工作階段"),
    ("後臺", "後台"),
    ("平臺", "平台"),
    ("“", "「"),
    ("”", "」"),
]

_converter = OpenCC("s2tw")


def to_hant(text: str) -> str:
    result = _converter.convert(text)
    for found, wanted in PHRASES:
        result = result.replace(found, wanted)
    return result


def build(hans: polib.POFile, hant_header: polib.POFile | None) -> polib.POFile:
    """The zh_Hant catalogue for ``hans``, keeping the existing zh_Hant header if there is one."""
    out = polib.POFile(wrapwidth=hans.wrapwidth)
    source = hant_header or hans
    out.header = source.header
    out.metadata = dict(source.metadata)
    out.metadata.update(
        {
            "Language": "zh_Hant",
            "Language-Team": "Chinese (Traditional)",
            "Plural-Forms": "nplurals=1; plural=0;",
            "Content-Type": "text/plain; charset=UTF-8",
            "POT-Creation-Date": hans.metadata.get("POT-Creation-Date", ""),
        }
    )
    out.metadata_is_fuzzy = False
    for entry in hans:
        if entry.obsolete:
            continue
        copy = polib.POEntry(
            msgctxt=entry.msgctxt,
            msgid=entry.msgid,
            msgid_plural=entry.msgid_plural,
            occurrences=list(entry.occurrences),
            comment=entry.comment,
            tcomment=entry.tcomment,
            flags=list(entry.flags),
        )
        if entry.msgid_plural:
            copy.msgstr_plural = {
                int(index): to_hant(text) for index, text in sorted(entry.msgstr_plural.items())
            }
        else:
            copy.msgstr = to_hant(entry.msgstr)
        out.append(copy)
    return out


def _content(po: polib.POFile) -> list[tuple]:
    """What matters of a catalogue, independent of line wrapping and header dates."""
    entries = sorted(
        (
            entry.msgctxt or "",
            entry.msgid,
            entry.msgid_plural,
            entry.msgstr,
            tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items())),
            "fuzzy" in entry.flags,
        )
        for entry in po
        if not entry.obsolete
    )
    return [("Plural-Forms", po.metadata.get("Plural-Forms", "")), *entries]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report drift, write nothing")
    args = parser.parse_args(argv)

    hans = polib.pofile(str(HANS), wrapwidth=79)
    current = polib.pofile(str(HANT), wrapwidth=79) if HANT.exists() else None
    hant = build(hans, current)
    up_to_date = current is not None and _content(current) == _content(hant)
    if args.check:
        if not up_to_date:
            print(f"{HANT} is out of date: run scripts/hant_from_hans.py", file=sys.stderr)
            return 1
        return 0
    translated = sum(1 for entry in hant if entry.translated())
    status = f"{HANT.relative_to(LOCALE.parents[2])}: {translated}/{len(hant)} translated"
    if up_to_date:
        # Leave the file as makemessages last wrapped it.
        print(f"{status}, unchanged")
        return 0
    HANT.parent.mkdir(parents=True, exist_ok=True)
    hant.save(str(HANT))
    print(status)
    return 0


if __name__ == "__main__":
    sys.exit(main())
