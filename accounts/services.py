import datetime as dt
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import audit
from accounts.choices import Role
from accounts.models import ApiToken, Department, IdempotencyRecord, User
from core import clock
from core.errors import NotPermitted

# How long an ``Idempotency-Key`` is remembered (a retry within it replays the first answer).
IDEMPOTENCY_RETENTION = dt.timedelta(hours=24)


def department_create(
    *,
    code: str,
    name: str,
    kind: str,
    short_name: str = "",
    source_ref: str = "",
    assumed: bool = False,
    actor: User | None = None,
) -> Department:
    if actor is not None:
        require_account_admin(actor, "新建单位")
    department = Department(
        code=code,
        name=name,
        kind=kind,
        short_name=short_name,
        source_ref=source_ref,
        assumed=assumed,
    )
    department.full_clean()
    department.save()
    audit.saved(actor=actor, instance=department)
    return department


SYSTEM_USERNAME = "system"
SUPERVISION_OFFICE_CODE = "DCB"


def system_user() -> User:
    """The account the system acts as (seed loads, documents issued by the ladder): a
    supervision-office user with no usable password, created on first use (and put in the
    office once the office exists: a first seed load creates the user before the units)."""
    user = User.objects.filter(username=SYSTEM_USERNAME).first()
    if user is not None:
        if user.department_id is None:
            office = Department.objects.filter(code=SUPERVISION_OFFICE_CODE).first()
            if office is not None:
                User.objects.filter(pk=user.pk).update(department=office)
                user.department = office
        return user
    try:
        with transaction.atomic():
            return user_create(
                username=SYSTEM_USERNAME,
                role=Role.SUPERVISOR,
                display_name="督办系统",
                department=Department.objects.filter(code=SUPERVISION_OFFICE_CODE).first(),
            )
    except (IntegrityError, ValidationError):  # created meanwhile by a concurrent caller
        user = User.objects.filter(username=SYSTEM_USERNAME).first()
        if user is None:
            raise
        return user


def department_find(code_or_name: str) -> Department | None:
    """An active department by code, full name or short name."""
    return (
        Department.objects.filter(is_active=True).filter(code=code_or_name).first()
        or Department.objects.filter(is_active=True, name=code_or_name).first()
        or Department.objects.filter(is_active=True, short_name=code_or_name).first()
    )


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    department: Department | None = None,
    password: str | None = None,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    actor: User | None = None,
) -> User:
    """Create a user; an owner must belong to a department. Refuses with ValidationError.

    With an ``actor`` (the cockpit's 用户管理) the actor's right is checked and an
    ``AuditRecord`` written; seeds and ``manage.py create_user`` pass none."""
    if actor is not None:
        require_account_admin(actor, "新建用户账号")
    errors = {}
    if role not in Role.values:
        errors["role"] = f"未知角色“{role}”，可选：{'、'.join(Role.values)}。"
    if role == Role.OWNER and department is None:
        errors["department"] = "责任单位用户必须指定所属单位。"
    if User.objects.filter(username=username).exists():
        errors["username"] = f"用户名“{username}”已存在。"
    user = User(
        username=username,
        role=role,
        department=department,
        display_name=display_name,
        phone=phone,
        email=email,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if errors:
        raise ValidationError(errors)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    if actor is not None:
        audit.record(actor=actor, action="create", instance=user, after=_user_snapshot(user))
    return user


# --- account administration (the office's 单位管理 / 用户管理) ------------------------------

# What an audit record keeps of a user: never the password hash.
USER_AUDIT_FIELDS = [
    "username",
    "display_name",
    "role",
    "department",
    "phone",
    "email",
    "is_active",
]
USER_EDITABLE = {"display_name", "role", "department", "phone", "email"}


def can_admin_accounts(user: User) -> bool:
    """The supervision office (and superusers) keep the units and the accounts."""
    return bool(user and user.is_authenticated and user.is_supervisor)


def require_account_admin(actor: User, what: str) -> None:
    if not can_admin_accounts(actor):
        raise NotPermitted(f"只有督查办可以{what}。")


def _require_may_change(actor: User, user: User, what: str) -> None:
    """The office may not touch an administrator's account (only a superuser may): it would
    otherwise reach the admin by resetting that password."""
    require_account_admin(actor, what)
    if user.username == SYSTEM_USERNAME:  # it acts without a usable password, by design
        raise NotPermitted("系统账号（督办系统）不能修改、停用或重置密码。")
    if (user.is_superuser or user.is_staff) and not actor.is_superuser:
        raise NotPermitted("系统管理员的账号只能由系统管理员修改、停用或重置密码。")


def _user_snapshot(user: User) -> dict:
    return audit.snapshot(user, USER_AUDIT_FIELDS)


@transaction.atomic
def user_update(*, actor: User, user: User, **fields) -> User:
    """Change a user's name, role, unit or contacts; an owner must keep a unit, and nobody
    changes their own role (the office would lock itself out)."""
    unknown = set(fields) - USER_EDITABLE
    if unknown:
        raise ValueError(f"unknown user fields: {sorted(unknown)}")
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_may_change(actor, user, "修改用户账号")
    if "role" in fields and fields["role"] != user.role and user.pk == actor.pk:
        raise ValidationError({"role": "不能修改自己的角色。"})
    before = _user_snapshot(user)
    for name, value in fields.items():
        setattr(user, name, value)
    if user.role not in Role.values:
        raise ValidationError({"role": f"未知角色“{user.role}”，可选：{'、'.join(Role.values)}。"})
    if user.role == Role.OWNER and user.department_id is None:
        raise ValidationError({"department": "责任单位用户必须指定所属单位。"})
    user.full_clean()
    user.save()
    audit.record(
        actor=actor, action="update", instance=user, before=before, after=_user_snapshot(user)
    )
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (停用: no login, every API token revoked) or reactivate an account."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_may_change(actor, user, "停用或启用用户账号")
    if not active and user.pk == actor.pk:
        raise ValidationError("不能停用自己的账号。")
    if user.is_active == active:
        return user
    before = _user_snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        tokens_revoke_all(user=user)
    audit.record(
        actor=actor,
        action="activate" if active else "deactivate",
        instance=user,
        before=before,
        after=_user_snapshot(user),
    )
    return user


def temporary_password() -> str:
    """A random password the office hands over once (12 characters, no look-alikes)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


@transaction.atomic
def user_password_reset(*, actor: User, user: User, password: str | None = None) -> str:
    """Set ``password`` (the validators apply) or a temporary one; returns it to be shown
    once. The user's sessions end and API tokens are revoked (``accounts.signals``). The
    audit record says that it happened, never the password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_may_change(actor, user, "重置密码")
    password = password or temporary_password()
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(
        actor=actor,
        action="password_reset",
        instance=user,
        before=None,
        after={"password": "reset"},
    )
    return password


@transaction.atomic
def department_update(*, department: Department, actor: User | None = None, **fields) -> Department:
    if actor is not None:
        require_account_admin(actor, "修改单位")
    before = audit.snapshot(department)
    for name, value in fields.items():
        setattr(department, name, value)
    department.full_clean()
    department.save()
    audit.saved(actor=actor, instance=department, before=before)
    return department


def token_issue(
    *, user: User, scope: str, name: str = "", expires_at=None
) -> tuple["ApiToken", str]:
    """Issue a token; returns (record, plaintext). The plaintext is never stored."""
    from accounts.choices import TokenScope

    if scope not in TokenScope.values:
        raise ValidationError({"scope": f"未知权限范围“{scope}”，可选：read、write。"})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name or f"{user.username}-{scope}",
        prefix=prefix,
        digest=token_digest(secret),
        scope=scope,
        expires_at=expires_at,
    )
    return token, f"wl_{prefix}_{secret}"


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_revoke(*, token: "ApiToken") -> None:
    """Revoke one token (at once: the next request with it is a 401). Revoking a revoked
    token changes nothing."""
    from core import clock

    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every live token of ``user`` (their password changed, or an administrator
    asks); returns how many."""
    from core import clock

    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=clock.now()
    )


def idempotency_records_purge() -> int:
    """Forget the idempotency keys older than ``IDEMPOTENCY_RETENTION`` (beat, hourly);
    returns how many were deleted."""
    cutoff = clock.now() - IDEMPOTENCY_RETENTION
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
