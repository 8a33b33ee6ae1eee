import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


def test_creates_an_owner_in_a_department_found_by_short_name():
    DepartmentFactory(code="FGW", name="武隆区发展和改革委员会", short_name="发展改革委")
    call_command(
        "create_user",
        "fgw1",
        role="owner",
        department="发展改革委",
        password="Wul0ng-2024!",
        name="张三",
    )
    user = User.objects.get(username="fgw1")
    assert user.department.code == "FGW"
    assert user.display_name == "张三"
    assert user.check_password("Wul0ng-2024!")


def test_unknown_role_is_refused_and_creates_nothing():
    with pytest.raises(CommandError, match="未知角色"):
        call_command("create_user", "x1", role="boss")
    assert not User.objects.filter(username="x1").exists()


def test_unknown_department_is_refused_and_creates_nothing():
    with pytest.raises(CommandError, match="找不到单位"):
        call_command("create_user", "x2", role="owner", department="不存在的局")
    assert not User.objects.filter(username="x2").exists()


def test_owner_without_department_is_refused():
    with pytest.raises(CommandError, match="必须指定所属单位"):
        call_command("create_user", "x3", role="owner")
    assert not User.objects.filter(username="x3").exists()


def test_weak_password_is_refused():
    with pytest.raises(CommandError, match="password"):
        call_command("create_user", "x4", role="viewer", password="123")
    assert not User.objects.filter(username="x4").exists()


def test_duplicate_username_is_refused():
    call_command("create_user", "x5", role="viewer")
    with pytest.raises(CommandError, match="已存在"):
        call_command("create_user", "x5", role="leader")
    assert User.objects.get(username="x5").role == "viewer"
