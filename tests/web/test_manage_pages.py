"""The office's 单位管理, 用户管理 and Webhook pages: only the office (and superusers) may;
every write goes through the services (audited, nothing written on bad input, errors in
Chinese); secrets are shown once and never audited; query counts are pinned."""

import pytest
from django.test import Client

from accounts.choices import Role
from accounts.models import ApiToken, AuditRecord, Department, User
from accounts.services import token_issue
from supervision.webhooks.models import WebhookDelivery, WebhookEndpoint
from supervision.webhooks.services import endpoint_create
from tests import factories

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://93.184.216.34/hooks/wulong"  # an address literal: no DNS lookup


@pytest.fixture
def leader_client(leader):
    client = Client()
    client.force_login(leader)
    return client


@pytest.fixture
def endpoint(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    return endpoint_create(name="政务平台", url=PUBLIC_URL)[0]


def _pages(department, user, endpoint):
    return [
        "/manage/units/",
        "/manage/units/new/",
        f"/manage/units/{department.pk}/edit/",
        "/manage/users/",
        "/manage/users/new/",
        f"/manage/users/{user.pk}/edit/",
        f"/manage/users/{user.pk}/password/",
        "/manage/webhooks/",
        "/manage/webhooks/new/",
        f"/manage/webhooks/{endpoint.pk}/edit/",
    ]


def _writes(department, user, endpoint):
    return [
        ("/manage/units/new/", {"code": "X1", "name": "新单位", "kind": "district"}),
        (f"/manage/units/{department.pk}/edit/", {"name": "改名", "kind": "district"}),
        (f"/manage/units/{department.pk}/active/", {"active": "0"}),
        ("/manage/users/new/", {"username": "x1", "display_name": "某", "role": "viewer"}),
        (f"/manage/users/{user.pk}/edit/", {"display_name": "改名", "role": "supervisor"}),
        (f"/manage/users/{user.pk}/active/", {"active": "0"}),
        (f"/manage/users/{user.pk}/password/", {"password": ""}),
        ("/manage/webhooks/new/", {"name": "x", "url": PUBLIC_URL}),
        (f"/manage/webhooks/{endpoint.pk}/edit/", {"name": "改名", "url": PUBLIC_URL}),
        (f"/manage/webhooks/{endpoint.pk}/active/", {"active": "0"}),
        (f"/manage/webhooks/{endpoint.pk}/delete/", {}),
    ]


def test_only_the_office_opens_the_manage_pages(
    supervisor_client, owner_client, viewer_client, leader_client, department, owner, endpoint
):
    for url in _pages(department, owner, endpoint):
        assert supervisor_client.get(url).status_code == 200, url
        for client in (owner_client, viewer_client, leader_client):
            response = client.get(url)
            assert response.status_code == 403, url
            assert "只有督查办可以" in response.content.decode()


def test_a_unit_user_or_leader_writes_nothing(
    owner_client, leader_client, department, owner, endpoint
):
    units, users = Department.objects.count(), User.objects.count()
    password = owner.password
    for client in (owner_client, leader_client):
        for url, data in _writes(department, owner, endpoint):
            assert client.post(url, data).status_code == 403, url
    department.refresh_from_db()
    owner.refresh_from_db()
    endpoint.refresh_from_db()
    assert (Department.objects.count(), User.objects.count()) == (units, users)
    assert department.is_active
    assert department.name.startswith("测试单位")
    assert owner.is_active
    assert owner.password == password
    assert owner.role == Role.OWNER
    assert endpoint.is_active
    assert endpoint.name == "政务平台"
    assert WebhookEndpoint.objects.count() == 1
    assert not AuditRecord.objects.exists()


def test_a_superuser_manages_too(db, department):
    admin = factories.UserFactory(role=Role.VIEWER, is_superuser=True, is_staff=True)
    client = Client()
    client.force_login(admin)
    assert client.get("/manage/users/").status_code == 200
    response = client.post(
        "/manage/units/new/", {"code": "SJ", "name": "区审计局", "kind": "district"}
    )
    assert response.status_code == 302


def test_the_nav_links_the_manage_pages_for_the_office_only(supervisor_client, owner_client):
    assert 'data-testid="nav-manage"' in supervisor_client.get("/tasks/").content.decode()
    assert 'data-testid="nav-manage"' not in owner_client.get("/tasks/").content.decode()


# --- 单位管理 ------------------------------------------------------------------------------


def test_the_office_creates_a_unit(supervisor_client, supervisor):
    response = supervisor_client.post(
        "/manage/units/new/",
        {"code": "ZJW", "name": "  区住房城乡建委 ", "short_name": " 区住建委", "kind": "district"},
        follow=True,
    )
    unit = Department.objects.get(code="ZJW")
    assert (unit.name, unit.short_name, unit.is_active) == ("区住房城乡建委", "区住建委", True)
    assert (
        "已新建单位 ZJW 区住建委（已记录）" in response.content.decode()
    )  # the 简称, as elsewhere
    record = AuditRecord.objects.get(model="accounts.Department", object_id=str(unit.pk))
    assert (record.action, record.actor, record.after["name"]) == (
        "create",
        supervisor,
        "区住房城乡建委",
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": " 测试单位占用 "}, "已存在"),  # padded, then a duplicate
        ({"code": " OCC "}, "已存在"),
        ({"name": "区\x01住建委"}, "控制字符"),
        ({"short_name": "住建\n委"}, "控制字符"),
        ({"code": ""}, "必填"),
        ({"name": "   "}, "必填"),
        ({"kind": "planet"}, "选择"),
        ({"code": "X" * 21}, "20"),
    ],
)
def test_a_bad_unit_is_refused_in_chinese(supervisor_client, overrides, message):
    factories.DepartmentFactory(code="OCC", name="测试单位占用")
    before = Department.objects.count()
    data = {"code": "NEW", "name": "新单位", "kind": "town", **overrides}
    response = supervisor_client.post("/manage/units/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Department.objects.count() == before
    assert not AuditRecord.objects.exists()


def test_the_office_edits_a_unit_but_not_its_code(supervisor_client, supervisor, department):
    response = supervisor_client.post(
        f"/manage/units/{department.pk}/edit/",
        {"code": "HACK", "name": department.name, "short_name": "新简称", "kind": "town"},
    )
    assert response.status_code == 302
    code = department.code
    department.refresh_from_db()
    assert (department.code, department.short_name, department.kind) == (code, "新简称", "town")
    record = AuditRecord.objects.get(model="accounts.Department", action="update")
    assert record.actor == supervisor
    assert record.before["kind"] == "district"
    assert record.after["kind"] == "town"


def test_the_office_deactivates_and_reactivates_a_unit(supervisor_client, department):
    url = f"/manage/units/{department.pk}/active/"
    response = supervisor_client.post(url, {"active": "0"}, follow=True)
    assert "已停用单位" in response.content.decode()
    department.refresh_from_db()
    assert not department.is_active
    supervisor_client.post(url, {"active": "1"})
    department.refresh_from_db()
    assert department.is_active
    actions = list(
        AuditRecord.objects.filter(model="accounts.Department").values_list("after__is_active")
    )
    assert sorted(actions) == [(False,), (True,)]
    assert supervisor_client.get(url).status_code == 405


def test_the_unit_list_shows_both_names(supervisor_client, department):
    body = supervisor_client.get("/manage/units/").content.decode()
    assert department.name in body
    assert department.short_name in body
    assert 'data-label="简称"' in body  # the list folds into cards on a phone


@pytest.mark.parametrize("count", [3, 30])
def test_the_unit_list_query_count(supervisor_client, count, django_assert_num_queries):
    for _ in range(count):
        unit = factories.DepartmentFactory()
        factories.UserFactory(role=Role.OWNER, department=unit)
    with django_assert_num_queries(9):
        assert supervisor_client.get("/manage/units/?q=测试").status_code == 200


# --- 用户管理 ------------------------------------------------------------------------------


def _new_user(unit, **overrides):
    return {
        "username": "zhangsan",
        "display_name": "张三",
        "role": "owner",
        "department": unit.pk,
        "phone": "023-77000000",
        "email": "",
        "password": "",
        **overrides,
    }


def test_the_office_creates_an_account_with_a_temporary_password(
    supervisor_client, supervisor, department
):
    response = supervisor_client.post("/manage/users/new/", _new_user(department))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    user = User.objects.get(username="zhangsan")
    assert (user.role, user.department, user.display_name) == ("owner", department, "张三")
    body = response.content.decode()
    assert "已新建用户账号" in body
    password = body.split('data-testid="shown-password">')[1].split("<")[0]
    assert len(password) == 12
    assert user.check_password(password)
    assert (
        Client().post("/login/", {"username": "zhangsan", "password": password}).status_code == 302
    )
    record = AuditRecord.objects.get(model="accounts.User", object_id=str(user.pk))
    assert (record.action, record.actor) == ("create", supervisor)
    assert "password" not in record.after
    assert password not in str(record.after)
    # shown once: the list afterwards does not carry it
    assert password not in supervisor_client.get("/manage/users/").content.decode()


def test_the_office_sets_the_first_password(supervisor_client, department):
    response = supervisor_client.post(
        "/manage/users/new/",
        _new_user(department, role="leader", department="", password="Wulong-2024-gov"),
    )
    assert response.status_code == 200
    user = User.objects.get(username="zhangsan")
    assert user.role == Role.LEADER
    assert user.department is None
    assert user.check_password("Wulong-2024-gov")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"password": "12345678"}, "密码"),  # numeric and common: the validators apply
        ({"password": "zhangsan1"}, "密码"),
        ({"department": ""}, "必须指定所属单位"),
        ({"username": "zhang san"}, "用户名"),
        ({"username": "zhang\x00san"}, "控制字符"),
        ({"display_name": "张\x1b三"}, "控制字符"),
        ({"username": "  "}, "必填"),
        ({"role": "root"}, "选择"),
        ({"email": "not-an-email"}, "邮"),
        ({"username": " taken "}, "已存在"),  # padded, then a duplicate
    ],
)
def test_a_bad_account_is_refused_in_chinese(supervisor_client, department, overrides, message):
    factories.UserFactory(username="taken")
    before = User.objects.count()
    response = supervisor_client.post("/manage/users/new/", _new_user(department, **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert User.objects.count() == before
    assert not AuditRecord.objects.exists()


def test_the_office_edits_an_account(supervisor_client, supervisor, owner, other_department):
    response = supervisor_client.post(
        f"/manage/users/{owner.pk}/edit/",
        {"display_name": " 李四 ", "role": "owner", "department": other_department.pk},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.display_name, owner.department) == ("李四", other_department)
    record = AuditRecord.objects.get(model="accounts.User", action="update")
    assert record.actor == supervisor
    assert record.after["department"] == other_department.pk
    assert "password" not in record.before


def test_an_owner_without_a_unit_is_refused(supervisor_client, owner):
    response = supervisor_client.post(
        f"/manage/users/{owner.pk}/edit/",
        {"display_name": owner.display_name, "role": "owner", "department": ""},
    )
    assert response.status_code == 400
    assert "必须指定所属单位" in response.content.decode()
    owner.refresh_from_db()
    assert owner.department is not None
    assert not AuditRecord.objects.exists()


def test_the_office_cannot_change_its_own_role(supervisor_client, supervisor):
    response = supervisor_client.post(
        f"/manage/users/{supervisor.pk}/edit/",
        {"display_name": "督查办", "role": "viewer", "department": supervisor.department_id},
    )
    assert response.status_code == 400
    assert "不能修改自己的角色" in response.content.decode()
    supervisor.refresh_from_db()
    assert supervisor.role == Role.SUPERVISOR


def test_the_office_deactivates_an_account_and_its_tokens(supervisor_client, supervisor, owner):
    token, _ = token_issue(user=owner, scope="write")
    response = supervisor_client.post(
        f"/manage/users/{owner.pk}/active/", {"active": "0"}, follow=True
    )
    assert "已停用" in response.content.decode()
    owner.refresh_from_db()
    token.refresh_from_db()
    assert not owner.is_active
    assert token.revoked_at is not None
    assert AuditRecord.objects.get(model="accounts.User").action == "deactivate"
    supervisor_client.post(f"/manage/users/{owner.pk}/active/", {"active": "1"})
    owner.refresh_from_db()
    assert owner.is_active


def test_the_office_cannot_deactivate_itself(supervisor_client, supervisor):
    response = supervisor_client.post(f"/manage/users/{supervisor.pk}/active/", {"active": "0"})
    assert response.status_code == 400
    assert "不能停用自己的账号" in response.content.decode()
    supervisor.refresh_from_db()
    assert supervisor.is_active


def test_the_office_resets_a_password(supervisor_client, supervisor, owner):
    token, _ = token_issue(user=owner, scope="write")
    old = Client()
    old.force_login(owner)
    response = supervisor_client.post(f"/manage/users/{owner.pk}/password/", {"password": ""})
    assert response.status_code == 200
    password = response.content.decode().split('data-testid="shown-password">')[1].split("<")[0]
    owner.refresh_from_db()
    token.refresh_from_db()
    assert owner.check_password(password)
    assert not owner.check_password("pass-word-123")
    assert token.revoked_at is not None
    assert old.get("/tasks/").status_code == 302  # the old session ended
    record = AuditRecord.objects.get(model="accounts.User")
    assert (record.action, record.actor) == ("password_reset", supervisor)
    assert password not in str(record.after)
    assert owner.password not in str(record.after)


def test_a_weak_password_is_refused(supervisor_client, owner):
    hashed = owner.password
    response = supervisor_client.post(
        f"/manage/users/{owner.pk}/password/", {"password": "password"}
    )
    assert response.status_code == 400
    assert "密码" in response.content.decode()
    owner.refresh_from_db()
    assert owner.password == hashed
    assert not ApiToken.objects.exists()
    assert not AuditRecord.objects.exists()


def test_the_office_cannot_touch_an_administrator(supervisor_client):
    admin = factories.UserFactory(is_superuser=True, is_staff=True)
    hashed = admin.password
    for url, data in [
        (f"/manage/users/{admin.pk}/password/", {"password": ""}),
        (f"/manage/users/{admin.pk}/active/", {"active": "0"}),
        (f"/manage/users/{admin.pk}/edit/", {"display_name": "x", "role": "viewer"}),
    ]:
        response = supervisor_client.post(url, data)
        assert response.status_code == 403, url
        assert "系统管理员" in response.content.decode()
    admin.refresh_from_db()
    assert admin.password == hashed
    assert admin.is_active
    assert not AuditRecord.objects.exists()


def test_the_system_account_stays_without_a_password(supervisor_client):
    from accounts.services import system_user

    system = system_user()
    for url, data in [
        (f"/manage/users/{system.pk}/password/", {"password": "Wulong-2024-gov"}),
        (f"/manage/users/{system.pk}/active/", {"active": "0"}),
    ]:
        response = supervisor_client.post(url, data)
        assert response.status_code == 403, url
        assert "系统账号" in response.content.decode()
    system.refresh_from_db()
    assert not system.has_usable_password()
    assert system.is_active


@pytest.mark.parametrize("count", [3, 30])
def test_the_user_list_query_count(supervisor_client, count, django_assert_num_queries):
    for _ in range(count):
        factories.UserFactory(role=Role.OWNER, department=factories.DepartmentFactory())
    with django_assert_num_queries(10):
        assert supervisor_client.get("/manage/users/?role=owner").status_code == 200


def test_the_user_form_query_count(supervisor_client, owner, django_assert_num_queries):
    with django_assert_num_queries(9):
        assert supervisor_client.get(f"/manage/users/{owner.pk}/edit/").status_code == 200


# --- Webhook 接收端 -------------------------------------------------------------------------


def test_the_office_adds_a_receiver_and_sees_its_secret_once(
    supervisor_client, supervisor, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    response = supervisor_client.post(
        "/manage/webhooks/new/",
        {"name": " 政务平台 ", "url": PUBLIC_URL, "event_types": ["task.closed", "task.urged"]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.name == "政务平台"
    assert endpoint.event_types == ["task.closed", "task.urged"]
    assert f'data-testid="shown-secret">{endpoint.secret}<' in response.content.decode()
    record = AuditRecord.objects.get(model=WebhookEndpoint._meta.label)
    assert (record.action, record.actor) == ("create", supervisor)
    assert endpoint.secret not in str(record.after)
    listing = supervisor_client.get("/manage/webhooks/").content.decode()
    assert "政务平台" in listing
    assert endpoint.secret not in listing


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"url": "http://127.0.0.1/hook"}, "内网"),
        ({"url": "http://10.1.2.3/hook"}, "内网"),
        ({"url": "http://[::ffff:192.168.0.1]/hook"}, "内网"),
        ({"url": "ftp://93.184.216.34/x"}, "http(s)"),
        ({"url": "https://93.184.216.34:99999/x"}, "地址无效"),
        ({"name": "平台\x07"}, "控制字符"),
        ({"name": "  "}, "必填"),
        ({"event_types": ["task.nope"]}, "选择"),
    ],
)
def test_a_bad_receiver_is_refused_in_chinese(supervisor_client, settings, overrides, message):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    data = {"name": "政务平台", "url": PUBLIC_URL, **overrides}
    response = supervisor_client.post("/manage/webhooks/new/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    assert not AuditRecord.objects.exists()


def test_the_office_edits_a_receiver(supervisor_client, supervisor, endpoint):
    url = f"/manage/webhooks/{endpoint.pk}/edit/"
    refused = supervisor_client.post(url, {"name": "政务平台", "url": "http://192.168.1.5/"})
    assert refused.status_code == 400
    assert "内网" in refused.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.url == PUBLIC_URL
    response = supervisor_client.post(
        url, {"name": "政务平台二期", "url": PUBLIC_URL, "event_types": ["task.closed"]}
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.name, endpoint.event_types) == ("政务平台二期", ["task.closed"])
    record = AuditRecord.objects.get(model=WebhookEndpoint._meta.label)
    assert record.action == "update"
    assert record.before["name"] == "政务平台"
    assert "secret" not in record.after


def test_the_office_disables_and_deletes_a_receiver(supervisor_client, endpoint):
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_1",
        event_type="task.closed",
        payload={},
        created_at="2024-06-28T10:00:00+08:00",
    )
    supervisor_client.post(f"/manage/webhooks/{endpoint.pk}/active/", {"active": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.is_active
    response = supervisor_client.post(f"/manage/webhooks/{endpoint.pk}/delete/", follow=True)
    assert "已删除接收端“政务平台”" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()
    assert not WebhookDelivery.objects.exists()
    actions = list(
        AuditRecord.objects.filter(model=WebhookEndpoint._meta.label)
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["update", "delete"]


@pytest.mark.parametrize("count", [2, 15])
def test_the_webhook_list_query_count(
    supervisor_client, settings, count, django_assert_num_queries
):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = False
    for n in range(count):
        endpoint_create(name=f"接收端{n}", url=PUBLIC_URL)
    with django_assert_num_queries(9):
        assert supervisor_client.get("/manage/webhooks/").status_code == 200


def test_every_manage_page_stays_under_30_queries(
    supervisor_client, department, owner, endpoint, django_assert_max_num_queries
):
    for url in _pages(department, owner, endpoint):
        with django_assert_max_num_queries(30):
            assert supervisor_client.get(url).status_code == 200, url
