"""``python -m console.create_admin USERNAME [--name 姓名] [--role admin|agent] [--password-stdin]``

Creates a console account in the shop database ($SHOP_DATABASE_URL). The password is asked
twice on the terminal (never an argument: it would land in the shell history and the
process list), or read from the first line of standard input with ``--password-stdin``
(for scripts). There is no default account and no default password.
"""
from __future__ import annotations

import argparse
import getpass
import sys

from console import passwords
from shop.db.console_accounts import create_account
from shop.db.engine import make_engine, session_scope
from shop.db.errors import InvalidRequest
from shop.db.migrate import upgrade_to_head
from shop.domain.clock import utc_now
from shop.domain.usernames import username_problem


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m console.create_admin", description=__doc__.split("\n\n")[1])
    parser.add_argument("username")
    parser.add_argument("--name", help="姓名 shown to colleagues (default: the username)")
    parser.add_argument("--role", choices=("admin", "agent"), default="admin")
    parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    args = parser.parse_args(argv)
    # Before the password prompt: a name that cannot be created is said at once.
    problem = username_problem(args.username)
    if problem:
        print(f"未创建：{problem}", file=sys.stderr)
        return 1

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码: ")
        if getpass.getpass("再输入一次: ") != password:
            print("两次输入的密码不一致", file=sys.stderr)
            return 1
    problem = passwords.weakness(password)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    engine = make_engine()
    try:
        upgrade_to_head(engine)
        with session_scope(engine) as session:
            account = create_account(session, args.username, args.name or args.username, args.role,
                                     passwords.hash_password(password), utc_now())
    except InvalidRequest as error:
        print(f"not created: {error}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"created {account.role} account {account.username!r} (id {account.id})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
