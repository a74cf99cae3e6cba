from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from zhengdun.accounts.models import AccountFlags, ApiToken, digest, new_token
from zhengdun.audit.codes import Code
from zhengdun.audit.log import record
from zhengdun.org import scope
from zhengdun.org.roles import Perm


def create_account(actor, *, person, username: str, password: str, is_demo: bool = False):
    """Give a person a login. Needs the right to grant roles on the person's unit."""
    if actor is not None and not scope.can(actor, Perm.MANAGE_GRANTS, person.unit):
        raise PermissionDenied
    user_model = get_user_model()
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    if user_model.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This user name is taken.")})
    if person.user_id:
        raise ValidationError({"username": _("This person already has a login.")})
    user = user_model(username=username, first_name=person.name[:150])
    if not is_demo:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password1": error.messages}) from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        AccountFlags.objects.create(user=user, is_demo=is_demo)
        type(person).objects.filter(pk=person.pk).update(user=user)
        person.user = user
        record(
            actor=actor,
            code=Code.ACCOUNT_CREATED,
            obj=person,
            unit=person.unit,
            changes={"username": username, "demo": is_demo},
        )
    return user


def create_administrator(actor, *, username: str, password: str, is_demo: bool = False):
    """A superuser (system administrator); from the command line or the demo loader."""
    if actor is not None and not actor.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        user = get_user_model().objects.create_superuser(username, password=password)
        AccountFlags.objects.create(user=user, is_demo=is_demo)
        record(
            actor=actor,
            code=Code.ACCOUNT_CREATED,
            obj=user,
            changes={"username": username, "superuser": True},
        )
    return user


def note_login(*, user) -> None:
    record(
        actor=user,
        code=Code.LOGGED_IN,
        obj=user,
        object_repr=user.get_username(),
        unit=_home_unit(user),
    )


def note_logout(*, user) -> None:
    record(
        actor=user,
        code=Code.LOGGED_OUT,
        obj=user,
        object_repr=user.get_username(),
        unit=_home_unit(user),
    )


def note_password_changed(*, user) -> None:
    record(
        actor=user,
        code=Code.PASSWORD_CHANGED,
        obj=user,
        object_repr=user.get_username(),
        unit=_home_unit(user),
    )


def _home_unit(user):
    person = getattr(user, "person", None)
    return person.unit_id if person is not None else None


def create_token(actor, *, user, name: str = "") -> str:
    """Create an API token for ``user``; return the token text, which is never shown again."""
    if actor is not None and actor.pk != user.pk and not actor.is_superuser:
        raise PermissionDenied
    token = new_token()
    with transaction.atomic():
        row = ApiToken.objects.create(user=user, name=name, prefix=token[:10], digest=digest(token))
        record(
            actor=actor,
            code=Code.TOKEN_CREATED,
            obj=row,
            changes={"user": user.get_username(), "name": name},
        )
    return token


def revoke_token(actor, *, token: ApiToken) -> None:
    if actor is not None and actor.pk != token.user_id and not actor.is_superuser:
        raise PermissionDenied
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        record(
            actor=actor,
            code=Code.TOKEN_REVOKED,
            obj=token,
            changes={"user": token.user.get_username()},
        )


def user_for_token(token: str):
    """The active user a Bearer token belongs to, or None."""
    row = (
        ApiToken.objects.filter(digest=digest(token), revoked_at__isnull=True, user__is_active=True)
        .select_related("user")
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        # Coarse last-use stamp: enough to spot dead tokens without a write per request.
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user
