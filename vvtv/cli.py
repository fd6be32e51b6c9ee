"""The `vvtv` command: serve, config validate, contracts generate/check."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import trio

from vvtv.config import ConfigBundle, ConfigError, build_runtime_config


def _load(config_dir: Path, tier: str | None) -> ConfigBundle | None:
    try:
        return build_runtime_config(config_dir, tier)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"config invalid: {len(error.problems)} problem(s)", file=sys.stderr)
        return None


def _cmd_serve(args: argparse.Namespace) -> int:
    from vvtv.server import ServeOptions, serve

    config = _load(args.config, args.tier)
    if config is None:
        return 1
    options = ServeOptions(host=args.host, port=args.port, data_dir=args.data)
    trio.run(serve, options, config)
    return 0


def _cmd_config_validate(args: argparse.Namespace) -> int:
    config = _load(args.config, args.tier)
    if config is None:
        return 1
    print(config.summary())
    return 0


async def _with_runtime_contracts(config: ConfigBundle, out: Path, check: bool) -> int:
    from vvtv.actors import open_registry
    from vvtv.runtime import Runtime
    from vvtv.server import actor_settings
    from vvtv.web.publish import stale_contracts, write_contracts

    async with open_registry(actor_settings(config)) as actors:
        runtime = Runtime(config=config, actors=actors, data_dir=Path("."))
        if not check:
            for path in write_contracts(runtime, out):
                print(f"wrote {path}")
            return 0
        stale = stale_contracts(runtime, out)
    for name in stale:
        print(f"{out / name}: stale; run `vvtv contracts generate` and commit it", file=sys.stderr)
    if not stale:
        print(f"contracts up to date in {out}")
    return 1 if stale else 0


def _cmd_contracts(args: argparse.Namespace) -> int:
    config = _load(args.config, None)
    if config is None:
        return 1
    return trio.run(_with_runtime_contracts, config, args.out, args.action == "check")


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="vvtv", description="VVTV: the channel and the live modes.")
    commands = root.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the whole product in one process")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--config", type=Path, default=Path("config"), help="config folder")
    serve.add_argument("--data", type=Path, default=Path("var"), help="data folder")
    serve.add_argument("--tier", default=None, help="cost tier overlay, e.g. COST_LOW")
    serve.set_defaults(run=_cmd_serve)

    config = commands.add_parser("config", help="configuration tools")
    config_commands = config.add_subparsers(dest="action", required=True)
    validate = config_commands.add_parser("validate", help="check the config, line by line")
    validate.add_argument("--config", type=Path, default=Path("config"))
    validate.add_argument("--tier", default=None)
    validate.set_defaults(run=_cmd_config_validate)

    contracts = commands.add_parser("contracts", help="published schemas and client types")
    contracts.add_argument("action", choices=["generate", "check"])
    contracts.add_argument("--out", type=Path, default=Path("contracts"))
    contracts.add_argument("--config", type=Path, default=Path("config"))
    contracts.set_defaults(run=_cmd_contracts)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    args = parser().parse_args(argv)
    code: int = args.run(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
