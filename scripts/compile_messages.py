"""Compile every translation catalogue (src/zhengdun/locale/*/LC_MESSAGES/*.po) to its .mo.

Pure Python (polib, from the ``test`` extra), so a fresh machine needs no GNU gettext; the
.mo files are committed, so the running site needs neither. ``make messages`` runs this after
``makemessages``. As with ``msgfmt``, fuzzy and untranslated entries are left out of the .mo.

``--check`` writes nothing and exits 1 if a .mo file is missing or differs from its .po.
"""

import argparse
import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parents[1] / "src" / "zhengdun" / "locale"


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def compiled(po_path: Path) -> bytes:
    po = polib.pofile(str(po_path))
    # makemessages stamps this on every run; msgfmt leaves it out, so the .mo stays unchanged
    # when no translation did.
    po.metadata.pop("POT-Creation-Date", None)
    return po.to_binary()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="report stale .mo files, write nothing"
    )
    args = parser.parse_args(argv)

    paths = catalogues()
    if not paths:
        print(f"no catalogues under {LOCALE}", file=sys.stderr)
        return 1
    stale = []
    for po_path in paths:
        mo_path = po_path.with_suffix(".mo")
        data = compiled(po_path)
        if mo_path.exists() and mo_path.read_bytes() == data:
            continue
        stale.append(mo_path)
        if not args.check:
            mo_path.write_bytes(data)
    for mo_path in stale:
        verb = "stale" if args.check else "compiled"
        print(f"{verb}: {mo_path.relative_to(LOCALE.parents[2])}")
    if args.check and stale:
        print("run scripts/compile_messages.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
