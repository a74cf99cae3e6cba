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
    ADMIN_SAVED = "admin.object.saved", _("Saved in the back office")
    ADMIN_DELETED = "admin.object.deleted", _("Deleted in the back office")
