"""The `vvtv` command: serve, config validate, contracts generate/check, user create, shield."""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import trio

from vvtv.config import ConfigBundle
from vvtv.config import ConfigError
from vvtv.config import build_runtime_config
from vvtv.domain.accounts import Role
from vvtv.observability.tracing import install_log_trace_ids


def _load(
    config_dir: Path, tier: str | None = None, skin: str | None = None
) -> ConfigBundle | None:
    try:
        return build_runtime_config(config_dir, tier, skin)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"config invalid: {len(error.problems)} problem(s)", file=sys.stderr)
        return None


def _cmd_serve(args: argparse.Namespace) -> int:
    from vvtv.server import ServeOptions
    from vvtv.server import serve

    config = _load(args.config, args.tier, args.skin)
    if config is None:
        return 1
    options = ServeOptions(
        host=args.host,
        port=args.port,
        data_dir=args.data,
        channel=not args.no_channel,
        ice_loopback_only=args.ice_loopback_only,
    )
    trio.run(serve, options, config)
    return 0


def _cmd_config_validate(args: argparse.Namespace) -> int:
    config = _load(args.config, args.tier, args.skin)
    if config is None:
        return 1
    print(config.summary())
    return 0


async def _contracts(config: ConfigBundle, out: Path, check: bool) -> int:
    from vvtv.assembly import open_runtime
    from vvtv.publish import stale_contracts
    from vvtv.publish import write_contracts

    with tempfile.TemporaryDirectory() as scratch:
        async with open_runtime(config, Path(scratch)) as (runtime, services):
            if not check:
                for path in write_contracts(runtime, services, out):
                    print(f"wrote {path}")
                return 0
            stale = stale_contracts(runtime, services, out)
    for name in stale:
        print(f"{out / name}: stale; run `vvtv contracts generate` and commit it", file=sys.stderr)
    if not stale:
        print(f"contracts up to date in {out}")
    return 1 if stale else 0


def _cmd_contracts(args: argparse.Namespace) -> int:
    config = _load(args.config)
    if config is None:
        return 1
    return trio.run(_contracts, config, args.out, args.action == "check")


async def _create_user(
    config: ConfigBundle, data: Path, handle: str, role: Role, password: str
) -> str:
    from vvtv.assembly import open_runtime

    async with open_runtime(config, data) as (_, services):
        user = await services.identity.create_account(
            handle,
            password,
            role,
            None,
            config.limits.auth.terms_version,
        )
        return user.id


def _cmd_user_create(args: argparse.Namespace) -> int:
    from vvtv.errors import VvtvError

    config = _load(args.config)
    if config is None:
        return 1
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.handle}: ")
    try:
        user_id = trio.run(_create_user, config, args.data, args.handle, args.role, password)
    except VvtvError as error:
        print(f"vvtv user create: {error.message} ({error.code})", file=sys.stderr)
        return 1
    print(f"created {args.role} {args.handle} ({user_id})")
    return 0


async def shield_command(
    client: httpx.AsyncClient, handle: str, password: str, action: str, reason: str
) -> dict[str, Any]:
    """Sign in as an admin on a running server and read or switch Shield Mode there: it takes
    effect at once, audited as that admin (issue 16). A refusal raises `RuntimeError` with the
    server's code."""
    login = await client.post("/auth/login", json={"handle": handle, "password": password})
    if login.status_code != 200:
        raise RuntimeError(f"sign-in refused: {login.json().get('code', login.status_code)}")
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    if action == "status":
        answer = await client.get("/admin/shield", headers=headers)
    else:
        body = {"active": action == "on", "reason": reason}
        answer = await client.post("/admin/shield", json=body, headers=headers)
    if answer.status_code != 200:
        raise RuntimeError(f"refused: {answer.json().get('code', answer.status_code)}")
    status: dict[str, Any] = answer.json()
    return status


def _cmd_shield(args: argparse.Namespace) -> int:
    if args.action != "status" and not args.reason:
        print("vvtv shield: say why with --reason (it is audited)", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.handle}: ")

    async def run() -> dict[str, Any]:
        async with httpx.AsyncClient(base_url=args.url) as client:
            return await shield_command(client, args.handle, password, args.action, args.reason)

    try:
        status = trio.run(run)
    except (RuntimeError, httpx.HTTPError) as error:
        print(f"vvtv shield: {error}", file=sys.stderr)
        return 1
    print(f"shield mode: {'on' if status['active'] else 'off'}", end="")
    print(f" (since {status['changed_at']})" if status.get("changed_at") else "", end="")
    swept = status.get("last_swept")
    print(f"; the sweep timed out {swept} user(s)" if args.action == "on" and swept else "")
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vvtv", description="VVTV: the channel and the live modes.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the whole product in one process")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--config", type=Path, default=Path("config"), help="config folder")
    serve.add_argument("--data", type=Path, default=Path("var"), help="data folder")
    serve.add_argument("--tier", default=None, help="cost tier overlay, e.g. COST_LOW")
    serve.add_argument("--skin", default=None, help="skin from config/skins.yaml (OPS-3)")
    serve.add_argument(
        "--no-channel",
        action="store_true",
        help="do not air the 24/7 channel here (a standalone `vvtv lab serve` airs it)",
    )
    serve.add_argument(
        "--ice-loopback-only",
        action="store_true",
        help="dev/test: the SFU offers and binds 127.0.0.1 only for media (with --host 127.0.0.1"
        " nothing listens beyond loopback; browsers need --allow-loopback-in-peer-connection)",
    )
    serve.set_defaults(run=_cmd_serve)

    config = commands.add_parser("config", help="configuration tools")
    config_commands = config.add_subparsers(dest="action", required=True)
    validate = config_commands.add_parser("validate", help="check the config, line by line")
    validate.add_argument("--config", type=Path, default=Path("config"))
    validate.add_argument("--tier", default=None)
    validate.add_argument("--skin", default=None)
    validate.set_defaults(run=_cmd_config_validate)

    contracts = commands.add_parser("contracts", help="published schemas and client types")
    contracts.add_argument("action", choices=["generate", "check"])
    contracts.add_argument("--out", type=Path, default=Path("contracts"))
    contracts.add_argument("--config", type=Path, default=Path("config"))
    contracts.set_defaults(run=_cmd_contracts)

    # Listed for `vvtv -h` only: `main` hands everything after `lab` to the agent's own parser.
    commands.add_parser("lab", help="the 24/7 channel's agent: add, ls, serve (`vvtv lab -h`)")

    user = commands.add_parser("user", help="accounts, from the operator's shell")
    user_commands = user.add_subparsers(dest="action", required=True)
    create = user_commands.add_parser("create", help="create an account (e.g. the first admin)")
    create.add_argument("--handle", required=True)
    create.add_argument("--role", choices=["user", "mod", "admin"], default="user")
    create.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    create.add_argument("--config", type=Path, default=Path("config"))
    create.add_argument("--data", type=Path, default=Path("var"))
    create.set_defaults(run=_cmd_user_create)

    shield = commands.add_parser(
        "shield", help="Shield Mode on a running server: on, off or status (issue 16)"
    )
    shield.add_argument("action", choices=["on", "off", "status"])
    shield.add_argument("--reason", default="", help="why (audited); needed for on and off")
    shield.add_argument("--url", default="http://127.0.0.1:8080", help="the running server")
    shield.add_argument("--handle", required=True, help="an admin's handle")
    shield.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    shield.set_defaults(run=_cmd_shield)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    # Every line names the trace of the request or socket message it was logged for (TEL-7).
    install_log_trace_ids()
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s [%(trace_id)s]: %(message)s",
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["lab"]:
        from vvtv.lab.cli import main as lab_main

        return lab_main(argv[1:])
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
