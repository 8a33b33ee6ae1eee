from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.choices import Role
from accounts.services import department_find, user_create


class Command(BaseCommand):
    help = "创建用户：create_user <username> --role R [--department 编码或名称] [--password P] [--name 姓名]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, help="、".join(Role.values))
        parser.add_argument("--department", help="单位编码、全称或简称")
        parser.add_argument("--password")
        parser.add_argument("--name", default="", help="中文姓名")
        parser.add_argument("--phone", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        department = None
        if options["department"]:
            department = department_find(options["department"])
            if department is None:
                raise CommandError(f"找不到单位“{options['department']}”，未创建任何用户。")
        try:
            user = user_create(
                username=options["username"],
                role=options["role"],
                department=department,
                password=options["password"],
                display_name=options["name"],
                phone=options["phone"],
                email=options["email"],
            )
        except ValidationError as exc:
            lines = [f"{field}: {'；'.join(msgs)}" for field, msgs in exc.message_dict.items()]
            raise CommandError("未创建用户：\n" + "\n".join(lines)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"已创建用户 {user.username}（{user.get_role_display()}）")
        )
