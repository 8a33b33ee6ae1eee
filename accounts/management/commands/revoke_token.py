from django.core.management.base import BaseCommand, CommandError

from accounts.models import ApiToken, User
from accounts.services import token_revoke, tokens_revoke_all


class Command(BaseCommand):
    help = (
        "吊销 API 令牌：revoke_token <前缀> [<前缀> …]，或 --user <用户名> 吊销该用户的全部令牌。"
        "前缀是令牌 wl_<前缀>_… 中的一段（后台“API 令牌”列表可查）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("prefixes", nargs="*")
        parser.add_argument("--user", help="吊销该用户的全部令牌")

    def handle(self, *args, **options):
        if not options["prefixes"] and not options["user"]:
            raise CommandError("请指定令牌前缀或 --user。")
        for prefix in options["prefixes"]:
            token = ApiToken.objects.filter(prefix=prefix.removeprefix("wl_")[:12]).first()
            if token is None:
                raise CommandError(f"找不到前缀为“{prefix}”的令牌。")
            token_revoke(token=token)
            self.stdout.write(f"已吊销令牌“{token.name}”（{token.prefix}…，{token.user}）。")
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"找不到用户“{options['user']}”。")
            count = tokens_revoke_all(user=user)
            self.stdout.write(f"已吊销用户“{user.username}”的 {count} 个令牌。")
