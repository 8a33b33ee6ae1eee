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
) -> User:
    """Create a user; an owner must belong to a department. Refuses with ValidationError."""
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
    return user


@transaction.atomic
def department_update(*, department: Department, actor: User | None = None, **fields) -> Department:
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
