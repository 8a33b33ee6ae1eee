from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import token_issue


class Command(BaseCommand):
    help = "为用户（如服务账号）签发 API 令牌：issue_token <username> --scope read|write [--name N]"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", required=True, choices=["read", "write"])
        parser.add_argument("--name", default="")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"找不到启用的用户“{options['username']}”，未签发令牌。")
        try:
            token, plaintext = token_issue(user=user, scope=options["scope"], name=options["name"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stderr.write(
            f"已签发令牌“{token.name}”（{token.get_scope_display()}），仅显示这一次："
        )
        self.stdout.write(plaintext)
