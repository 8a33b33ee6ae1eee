import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import token_issue
from core import clock


class Command(BaseCommand):
    help = (
        "为用户（如服务账号）签发 API 令牌："
        "issue_token <username> --scope read|write [--name N] [--expires-days D]"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--scope", required=True, choices=["read", "write"])
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--expires-days", type=int, default=None, help="有效天数；不填则长期有效（可随时吊销）"
        )

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"找不到启用的用户“{options['username']}”，未签发令牌。")
        days = options["expires_days"]
        if days is not None and days <= 0:
            raise CommandError("--expires-days 须为正整数。")
        expires_at = clock.now() + dt.timedelta(days=days) if days else None
        try:
            token, plaintext = token_issue(
                user=user, scope=options["scope"], name=options["name"], expires_at=expires_at
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        until = f"，有效至 {token.expires_at:%Y-%m-%d %H:%M}" if token.expires_at else ""
        self.stderr.write(
            f"已签发令牌“{token.name}”（{token.get_scope_display()}{until}），仅显示这一次："
        )
        self.stdout.write(plaintext)
