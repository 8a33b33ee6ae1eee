from django.core.management.base import BaseCommand, CommandError

from accounts.login_limits import unlock


class Command(BaseCommand):
    help = (
        "解除登录锁定：unlock_login <username> [<username> …] [--address IP]。"
        "按用户名解除其在所有地址的锁定；--address 解除该地址的锁定（含按地址的限制）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("usernames", nargs="*")
        parser.add_argument("--address", action="append", default=[], help="客户端地址，可多次")

    def handle(self, *args, **options):
        if not options["usernames"] and not options["address"]:
            raise CommandError("请指定用户名或 --address。")
        for username in options["usernames"]:
            cleared = unlock(username=username)
            self.stdout.write(f"用户“{username.strip()}”：清除 {cleared} 条失败记录。")
        for address in options["address"]:
            cleared = unlock(address=address)
            self.stdout.write(f"地址 {address}：清除 {cleared} 条失败记录。")
