"""Every audited action, defined once: a dotted code and its label."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Code(models.TextChoices):
    UNIT_CREATED = "org.unit.created", _("Unit created")
    UNIT_UPDATED = "org.unit.updated", _("Unit updated")
    UNIT_RENAMED = "org.unit.renamed", _("Unit renamed")
    UNIT_MOVED = "org.unit.moved", _("Unit moved")
    PERSON_CREATED = "org.person.created", _("Person created")
    PERSON_UPDATED = "org.person.updated", _("Person updated")
    PERSON_MOVED = "org.person.moved", _("Person transferred")
    GRANT_ADDED = "org.grant.added", _("Role granted")
    GRANT_REVOKED = "org.grant.revoked", _("Role revoked")
    ORG_IMPORTED = "org.import.committed", _("Organisation imported")
    ACCOUNT_CREATED = "accounts.user.created", _("Login account created")
    LOGGED_IN = "accounts.user.logged_in", _("Logged in")
    LOGGED_OUT = "accounts.user.logged_out", _("Logged out")
    PASSWORD_CHANGED = "accounts.user.password_changed", _("Password changed")
    TOKEN_CREATED = "accounts.token.created", _("API token created")
    TOKEN_REVOKED = "accounts.token.revoked", _("API token revoked")
    NOTIFICATION_READ = "notify.notification.read", _("Notification read")
    CAMPAIGN_CREATED = "campaigns.campaign.created", _("Campaign created")
    CAMPAIGN_UPDATED = "campaigns.campaign.updated", _("Campaign updated")
    PHASES_SET = "campaigns.campaign.phases_set", _("Campaign phases set")
    WORKSTREAM_SAVED = "campaigns.workstream.saved", _("Workstream saved")
    LEVELS_SET = "campaigns.campaign.levels_set", _("Incentive levels set")
    TASK_CREATED = "campaigns.task.created", _("Task created")
    TASK_UPDATED = "campaigns.task.updated", _("Task updated")
    TASK_DECOMPOSED = "campaigns.task.decomposed", _("Task handed down in shares")
    TASK_PROGRESS = "campaigns.task.progress", _("Progress reported")
    TASK_STARTED = "campaigns.task.started", _("Task started")
    TASK_COMPLETED = "campaigns.task.completed", _("Task completed")
    TASK_CANCELLED = "campaigns.task.cancelled", _("Task cancelled")
    TASKS_IMPORTED = "campaigns.task.imported", _("Task plan imported")
    INCENTIVE_AWARDED = "campaigns.incentive.awarded", _("Incentive or accountability recorded")
    TEMPLATE_SAVED = "campaigns.template.saved", _("Campaign saved as a template")
    TEMPLATE_IMPORTED = "campaigns.template.imported", _("Campaign template imported")
    CAMPAIGN_FROM_TEMPLATE = (
        "campaigns.campaign.from_template",
        _("Campaign started from a template"),
    )
    CATALOGUE_VERSIONED = "selfcheck.catalogue.versioned", _("Problem catalogue version created")
    ROUND_OPENED = "selfcheck.round.opened", _("Self-inspection round opened")
    REPORT_SAVED = "selfcheck.report.saved", _("Self-inspection report saved")
    REPORT_SUBMITTED = "selfcheck.report.submitted", _("Self-inspection report submitted")
    REPORT_RETURNED = "selfcheck.report.returned", _("Self-inspection report returned")
    REPORT_IMPORTED = "selfcheck.report.imported", _("Self-inspection report imported")
    MEASURE_PROGRESS = "selfcheck.measure.progress", _("Measure progress reported")
    MEASURE_COMPLETED = "selfcheck.measure.completed", _("Measure completed")
    MEASURE_VERIFIED = "selfcheck.measure.verified", _("Measure verified")
    MEASURE_REJECTED = "selfcheck.measure.rejected", _("Measure rejected")
    MEETING_RECORDED = "selfcheck.meeting.recorded", _("Meeting recorded")
    MEETING_FINDING = "selfcheck.meeting.finding", _("Finding raised at a meeting")
    OPINION_ADDED = "selfcheck.opinion.added", _("Opinion on a report added")
    SUPERVISION_GROUP_CREATED = "supervision.group.created", _("Supervision group created")
    SUPERVISION_MEMBERS_SET = "supervision.group.members", _("Supervision group members changed")
    SUPERVISION_ASSIGNED = "supervision.group.assigned", _("Unit assigned to a supervision group")
    SUPERVISION_VISIT_LOGGED = "supervision.visit.logged", _("Supervision visit logged")
    SUPERVISION_VISIT_PLANNED = "supervision.visit.planned", _("Supervision visit planned")
    SUPERVISION_DRAW_SEALED = "supervision.draw.sealed", _("Random draw sealed")
    SUPERVISION_DRAW_MADE = "supervision.draw.made", _("Random draw made")
    SUPERVISION_TEMPLATE_VERSIONED = (
        "supervision.template.versioned",
        _("Scorecard template version created"),
    )
    SUPERVISION_SCORED = "supervision.visit.scored", _("Visit scored")
    SUPERVISION_DUTY_RECORDED = "supervision.duty.recorded", _("六抓 duty recorded")
    SUPERVISION_ORDER_ISSUED = "supervision.order.issued", _("Follow-up order issued")
    SUPERVISION_ORDER_ACKNOWLEDGED = (
        "supervision.order.acknowledged",
        _("Follow-up order acknowledged"),
    )
    SUPERVISION_ORDER_RESPONDED = "supervision.order.responded", _("Follow-up order answered")
    SUPERVISION_ORDER_CLOSED = "supervision.order.closed", _("Follow-up order verified and closed")
    SUPERVISION_ORDER_RETURNED = "supervision.order.returned", _("Follow-up order returned")
    SUPERVISION_ORDER_LINKED = "supervision.order.linked", _("Follow-up order linked onward")
    ADMIN_SAVED = "admin.object.saved", _("Saved in the back office")
    ADMIN_DELETED = "admin.object.deleted", _("Deleted in the back office")
