"""Points where other modules plug into the organisation without org importing them.

- ``unit_sections``: functions ``(request, unit) -> dict | None`` that add a section to a
  unit's page ({"template": ..., plus context}); the campaigns module shows incentives there.
- ``move_hooks``: functions ``(old_path, new_path)`` called inside ``move_unit``'s transaction
  after a subtree moved, for modules that keep a copy of unit paths on their rows.
"""

from collections.abc import Callable

unit_sections: list[Callable] = []
move_hooks: list[Callable[[str, str], None]] = []


def add_unit_section(func: Callable) -> None:
    if func not in unit_sections:
        unit_sections.append(func)


def add_move_hook(func: Callable[[str, str], None]) -> None:
    if func not in move_hooks:
        move_hooks.append(func)
