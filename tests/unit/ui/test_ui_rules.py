"""UI-4 / UI-5 / UI-7: the web UI's lint (`npm run lint`: ESLint with vvtv/web/ui/eslint.config.js,
then tools/check-copy.mjs for the copy keys) passes the real UI, and catches each rule's seeded
violations, at their file and line, in fixture mini-UIs; a clean fixture of near misses passes."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from typing import NamedTuple

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[3]
UI = REPO / "vvtv" / "web" / "ui"
ESLINT = UI / "node_modules" / ".bin" / "eslint"
ESLINT_CONFIG = UI / "eslint.config.js"
CHECK_COPY = UI / "tools" / "check-copy.mjs"
REAL_MODES = REPO / "config" / "mode-manifests.yaml"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_MODES = FIXTURES / "mode-manifests.yaml"
CLEAN = FIXTURES / "clean"
VIOLATIONS = FIXTURES / "violations"
COPY = "src/copy/copy.json"

COPY_LINE = re.compile(
    r"^(?P<path>[^:\s]+):(?P<line>\d+):(?P<col>\d+): (?P<rule>[a-z-]+): (?P<message>.+)$"
)
ESLINT_RULES = {"hardcoded-text", "hardcoded-attr", "mode-branch", "direct-io"}
COPY_RULES = {"unknown-copy-key", "dynamic-copy-key", "copy-mismatch", "unused-copy-key"}
# eslint.config.js starts each UI rule's message with the rule's name (no-restricted-globals and
# no-restricted-properties put their own words first).
ESLINT_RULE = re.compile(rf"\b({'|'.join(sorted(ESLINT_RULES))}): ")


class Violation(NamedTuple):
    path: str
    line: int
    col: int
    rule: str
    message: str


class Result(NamedTuple):
    code: int
    output: str
    violations: list[Violation]


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is missing: scripts/bootstrap sets up the UI toolchain"
    return found


def eslint(root: Path, modes: Path | None = FIXTURE_MODES) -> Result:
    """ESLint with the UI's config over root/src (with --config, its globs are relative to cwd);
    modes=None leaves the config to read config/mode-manifests.yaml itself."""
    assert ESLINT.exists(), "the UI's node_modules are missing: scripts/bootstrap installs them"
    env = {key: value for key, value in os.environ.items() if key != "VVTV_MODES_FROM"}
    if modes is not None:
        env["VVTV_MODES_FROM"] = str(modes)
    done = subprocess.run(
        [_tool("node"), str(ESLINT), "--config", str(ESLINT_CONFIG), "--format", "json", "src"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    violations: list[Violation] = []
    if done.returncode in (0, 1):
        for file in json.loads(done.stdout):
            rel = Path(file["filePath"]).relative_to(root).as_posix()
            for message in file["messages"]:
                named = ESLINT_RULE.search(message["message"])
                rule = named[1] if named else str(message.get("ruleId"))
                violations.append(
                    Violation(rel, message["line"], message["column"], rule, message["message"])
                )
    return Result(done.returncode, done.stdout + done.stderr, violations)


def check_copy(root: Path | None = None) -> Result:
    args = ["--root", str(root)] if root else []
    done = subprocess.run(
        [_tool("node"), str(CHECK_COPY), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    violations: list[Violation] = []
    if done.returncode == 1:
        for text in done.stdout.splitlines():
            match = COPY_LINE.match(text)
            assert match, f"not a violation line: {text!r}"
            violations.append(
                Violation(
                    match["path"],
                    int(match["line"]),
                    int(match["col"]),
                    match["rule"],
                    match["message"],
                )
            )
    return Result(done.returncode, done.stdout + done.stderr, violations)


def lint(root: Path, modes: Path = FIXTURE_MODES) -> Result:
    """What `npm run lint` runs, pointed at a fixture UI: ESLint, then the copy-key check."""
    first, second = eslint(root, modes), check_copy(root)
    return Result(
        max(first.code, second.code),
        first.output + second.output,
        first.violations + second.violations,
    )


def where(result: Result, rule: str) -> set[str]:
    return {f"{v.path}:{v.line}" for v in result.violations if v.rule == rule}


@pytest.fixture(scope="module")
def seeded() -> Result:
    return lint(VIOLATIONS)


# ---- The real UI -------------------------------------------------------------------------------


@pytest.mark.req("UI-4", "UI-5", "UI-7")
def test_the_real_ui_obeys_the_rules() -> None:
    done = subprocess.run(
        [_tool("npm"), "run", "--silent", "lint"],
        cwd=UI,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(
        r"check-copy: OK: \d+ files checked, \d+ copy keys in 2 locales\n", done.stdout
    )


@pytest.mark.req("UI-4", "INV-8")
@pytest.mark.parametrize("modes", [FIXTURE_MODES, REAL_MODES], ids=["fixture-modes", "real-modes"])
def test_the_mode_names_are_the_keys_of_the_manifests_modes(tmp_path: Path, modes: Path) -> None:
    """eslint.config.js builds mode-branch from the keys under `modes:` (the real file by default),
    not from the other names in the file (components, regions, app settings)."""
    manifests: dict[str, Any] = YAML(typ="safe").load(modes)
    names = list(manifests["modes"])
    assert names, "the manifests have modes"
    others = ["MainPlayer", "stage", "default_mode", "party-rail"]
    root = tmp_path / "ui"
    shutil.copytree(CLEAN, root)
    probe = "export const names = [\n" + "".join(f'  "{n}",\n' for n in names + others) + "];\n"
    (root / "src" / "kit" / "probe.ts").write_text(probe)
    result = eslint(root, modes if modes == FIXTURE_MODES else None)
    assert where(result, "mode-branch") == {f"src/kit/probe.ts:{2 + i}" for i in range(len(names))}


# ---- The clean fixture: near misses are not violations -----------------------------------------


@pytest.mark.req("UI-4", "UI-5", "UI-7")
@pytest.mark.parametrize("modes", [FIXTURE_MODES, REAL_MODES], ids=["fixture-modes", "real-modes"])
def test_a_clean_ui_passes(modes: Path) -> None:
    """t("key") with and without values, ternaries of keys, const key maps (local and imported),
    whitespace, symbols and entities, {count}, className/data-x/type/role strings, mode-like
    strings that are not exactly a mode, mode names and the network in the SDK, a WebSocket type,
    methods named fetch, and generated code and .d.ts (not linted)."""
    result = lint(CLEAN, modes)
    assert result.code == 0, result.output
    assert result.violations == []
    assert result.output.endswith("check-copy: OK: 8 files checked, 16 copy keys in 2 locales\n")


# ---- The seeded fixture: each rule, at its file and line ---------------------------------------

EXPECTED: dict[str, set[str]] = {
    "hardcoded-text": {
        "src/kit/Text.tsx:6",  # <p>Hello</p>
        "src/kit/Text.tsx:7",  # {"World"}
        "src/kit/Text.tsx:8",  # {on ? "Yes" : t(...)}
        "src/kit/Text.tsx:9",  # <b>⏎ Olá {name}: JSX text starts right after <b>
        "src/kit/Text.tsx:12",  # {`Hi ${name}`}
        "src/kit/Text.tsx:13",  # &eacute;
        "src/kit/Text.tsx:15",  # t("ok.greeting", {name: on ? name : "Anonymous"})
        "src/kit/Text.tsx:21",  # const CTA = () => <p>Sign up</p>
        "src/shell/Router.tsx:13",  # <span>party</span>
    },
    "hardcoded-attr": {
        "src/kit/Attrs.tsx:5",  # aria-label="Close" title={"Tip"}
        "src/kit/Attrs.tsx:6",  # placeholder={`Type here`} aria-placeholder aria-valuetext
        "src/kit/Attrs.tsx:7",  # alt="A cat"
        "src/kit/Attrs.tsx:8",  # label={on ? "On" : ...} aria-description="More"
        "src/kit/Attrs.tsx:9",  # aria-roledescription="slide"
    },
    "unknown-copy-key": {
        "src/kit/Keys.tsx:4",  # a local key map's "map.missing"
        "src/kit/keymap.ts:3",  # an imported key map's "remote.missing", where it is written
        "src/kit/Keys.tsx:9",  # t("nope.missing")
        "src/kit/Keys.tsx:10",  # t("only.en"): missing from pt-BR
        "src/kit/Keys.tsx:11",  # t(k === "a" ? "ok.used" : "also.missing")
    },
    "dynamic-copy-key": {
        "src/kit/Keys.tsx:16",  # t(props.key)
        "src/kit/Keys.tsx:17",  # t(`ok.${x}`)
        "src/kit/Keys.tsx:18",  # t()
        "src/kit/Keys.tsx:19",  # t(label): a const, but a parameter elsewhere shadows the name
        "src/kit/Keys.tsx:24",  # t(label) with the parameter
    },
    "copy-mismatch": {
        f"{COPY}:5",  # "only.en" is not in pt-BR
        f"{COPY}:12",  # "ph.mismatch": {nome} in pt-BR, {name} in en
        f"{COPY}:14",  # "only.pt" is not in en
    },
    "unused-copy-key": {f"{COPY}:7"},  # "unused.key"
    "mode-branch": {
        "src/shell/Router.tsx:4",  # name === "party"
        "src/shell/Router.tsx:6",  # case "broadcast":
        "src/shell/Router.tsx:7",  # `party${x}`
        "src/shell/Router.tsx:9",  # "private_call"
        "src/shell/Router.tsx:13",  # <span>party</span>
    },
    "direct-io": {
        "src/kit/Io.tsx:3",  # fetch("/modes")
        "src/kit/Io.tsx:4",  # new WebSocket(...)
        "src/kit/Io.tsx:5",  # navigator.sendBeacon(...)
        "src/kit/Io.tsx:6",  # new window.XMLHttpRequest()
        "src/kit/Io.tsx:7",  # new EventSource(...)
    },
}


def _rule_case(rule: str) -> Any:
    reqs = {"mode-branch": ("UI-4", "INV-8"), "direct-io": ("UI-5",)}.get(rule, ("UI-7",))
    return pytest.param(rule, marks=pytest.mark.req(*reqs))


@pytest.mark.parametrize("rule", [_rule_case(rule) for rule in sorted(EXPECTED)])
def test_each_seeded_violation_is_reported_at_its_line(seeded: Result, rule: str) -> None:
    assert seeded.code == 1, seeded.output
    assert where(seeded, rule) == EXPECTED[rule], seeded.output


@pytest.mark.req("UI-4", "UI-5", "UI-7")
def test_nothing_else_is_reported_and_the_lines_are_exact(seeded: Result) -> None:
    assert set(EXPECTED) == ESLINT_RULES | COPY_RULES
    assert {v.rule for v in seeded.violations} == ESLINT_RULES | COPY_RULES
    assert not any(v.path.startswith("src/sdk/") for v in seeded.violations), seeded.output
    by_rule = {f"{v.path}:{v.line}:{v.col}: {v.rule}" for v in seeded.violations}
    assert {
        "src/kit/Text.tsx:6:10: hardcoded-text",
        "src/kit/Attrs.tsx:5:21: hardcoded-attr",
        "src/kit/Attrs.tsx:5:36: hardcoded-attr",
        "src/kit/Keys.tsx:11:31: unknown-copy-key",
        "src/kit/Keys.tsx:18:5: dynamic-copy-key",
        "src/copy/copy.json:12:5: copy-mismatch",
        "src/shell/Router.tsx:4:16: mode-branch",
    } <= by_rule
    copy_count = sum(v.rule in COPY_RULES for v in seeded.violations)
    assert seeded.output.endswith(f"check-copy: {copy_count} violation(s)\n")


@pytest.mark.req("UI-7")
def test_the_messages_name_the_key_and_the_locale(seeded: Result) -> None:
    messages = {(v.path, v.line): v.message for v in seeded.violations}
    assert "only.en" in messages[(COPY, 5)]
    assert "pt-BR" in messages[(COPY, 5)]
    assert "{nome}" in messages[(COPY, 12)]
    assert "{name}" in messages[(COPY, 12)]
    assert "missing from pt-BR" in messages[("src/kit/Keys.tsx", 10)]


# ---- copy.json itself --------------------------------------------------------------------------

COPY_BREAKAGES = {
    "no-copy-file": (None, 1, "copy.json is missing"),
    "not-json": ('{"en": {"a": "b",}}', 1, "not valid JSON"),
    "no-pt-BR": ('{"en": {"player.offline": "x"}}', 1, 'locale "pt-BR" is missing'),
    "nested": (
        '{"en": {"player": {"offline": "x"}},\n "pt-BR": {"player": {"offline": "y"}}}',
        1,
        "must map to a string",
    ),
    "duplicate": (
        '{"en": {"chat.send": "a",\n"chat.send": "b"}, "pt-BR": {"chat.send": "c"}}',
        2,
        "appears twice in en",
    ),
}


@pytest.mark.req("UI-7")
@pytest.mark.parametrize("case", sorted(COPY_BREAKAGES))
def test_a_malformed_copy_file_is_a_copy_mismatch(tmp_path: Path, case: str) -> None:
    text, line, message = COPY_BREAKAGES[case]
    root = tmp_path / "ui"
    shutil.copytree(CLEAN, root)
    copy = root / COPY
    if text is None:
        copy.unlink()
    else:
        copy.write_text(text)
    result = check_copy(root)
    assert result.code == 1
    assert any(
        (v.path, v.line, v.rule) == (COPY, line, "copy-mismatch") and message in v.message
        for v in result.violations
    ), result.output


@pytest.mark.req("UI-4", "UI-5")
def test_the_sdk_is_the_only_exemption_from_mode_branch_and_direct_io(tmp_path: Path) -> None:
    root = tmp_path / "ui"
    shutil.copytree(CLEAN, root)
    probe = (
        'export const lobby = (name: string): boolean => name === "party";\n'
        'export const ping = () => fetch("/healthz");\n'
    )
    (root / "src" / "sdk" / "probe.ts").write_text(probe)
    assert eslint(root).code == 0
    (root / "src" / "kit" / "probe.ts").write_text(probe)
    result = eslint(root)
    assert where(result, "mode-branch") == {"src/kit/probe.ts:1"}
    assert where(result, "direct-io") == {"src/kit/probe.ts:2"}


@pytest.mark.req("UI-4", "UI-7")
def test_a_missing_src_or_modes_is_a_usage_error(tmp_path: Path) -> None:
    assert check_copy(tmp_path).code == 2
    (tmp_path / "modes.yaml").write_text("version: 1\napp: {}\n")
    result = eslint(CLEAN, tmp_path / "modes.yaml")
    assert result.code == 2
    assert "no modes under 'modes:'" in result.output
