"""Where clues come from outside the back office: the public portal hands each new report over
here inside its submission transaction."""

from django.utils.translation import gettext as _

from zhengdun.integrity import actions
from zhengdun.integrity.models import Clue, Source


def from_portal(report, *, summary: str = "", subjects_text: str = "") -> Clue:
    """Register the clue of a portal report (source "portal", no actor), linked to it.

    ``summary`` and ``subjects_text`` are the report's decrypted text (what happened, where and
    when; who), when the portal passes them; otherwise the clue points to the report and its
    handlers read it there. A named report's contact details are copied into the clue's
    ``ReporterIdentity`` (encrypted, shown only with the discipline head's approval).
    """
    text = (summary or "").strip() or _("Report from the public portal (see the report).")
    return actions._create(
        None,
        source=Source.PORTAL,
        received_on=report.received_on,
        category=report.category,
        summary=text,
        subjects_text=subjects_text,
        # A reporter who left contact details is named: they are held apart, like any other.
        reporter_contact="" if report.anonymous else report.contact,
        portal_report=report,
    )
