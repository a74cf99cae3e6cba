"""Course certificates as PDF: an HTML template rendered by WeasyPrint with the installed Noto
CJK fonts (no font or asset from outside; without a CJK font the Chinese would show as boxes)."""

from django.template.loader import render_to_string
from django.utils import timezone

from zhengdun.learning.models import Enrolment


def certificate_pdf(enrolment: Enrolment) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "learning/certificate.html",
        {
            "enrolment": enrolment,
            "course": enrolment.course,
            "person": enrolment.person,
            "issued_on": timezone.localtime(enrolment.certified_at).date(),
        },
    )
    return HTML(string=html).write_pdf()


def _weasy_pdf(body: str) -> bytes:
    """A plain A4 PDF of an HTML fragment in the CJK font (the demo's reading material)."""
    from weasyprint import HTML

    return HTML(
        string='<html lang="zh-hans"><body style="font-family: \'Noto Serif CJK SC\', serif">'
        f"{body}</body></html>"
    ).write_pdf()
