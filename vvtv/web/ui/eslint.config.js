// ESLint for the web UI: the recommended JS/TS rules, and the UI's own rules in ESLint's core
// restriction rules: UI-4 (no mode names in components), UI-5 (only the SDK reaches the network),
// UI-7 (no hard-coded user-visible text). What ESLint cannot see, copy.json's keys and locales, is
// tools/check-copy.mjs; `npm run lint` runs both.
//
// Each UI-rule message names its rule (`hardcoded-text:`, `hardcoded-attr:`, `mode-branch:`,
// `direct-io:`): tests/unit/ui/test_ui_rules.py reads those names. The mode names are the keys of
// `modes:` in config/mode-manifests.yaml (VVTV_MODES_FROM names another file, for test fixtures).
//
// No i18n plugin: eslint-plugin-i18next's no-literal-string skips JSX under an ALL_CAPS const
// (`const CTA = () => <p>Hi</p>`), lets aria-* and `label` through on DOM elements, and skips
// everything inside t(), so the selectors below say what UI-7 means instead.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";
import { parse } from "yaml";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MODES_FROM =
  process.env.VVTV_MODES_FROM ?? path.resolve(HERE, "../../../config/mode-manifests.yaml");

const SOURCES = ["src/**/*.{ts,tsx}"];
/** The SDK talks to the server: the network and the mode names are its business. */
const SDK = ["src/sdk/**/*.{ts,tsx}"];
/** Generated code and declarations. */
const NOT_LINTED = ["src/sdk/generated/**", "**/*.d.ts"];

/** JSX attributes whose value the user sees or hears (any case). */
const VISIBLE_ATTRIBUTES = [
  "aria-label",
  "aria-description",
  "aria-placeholder",
  "aria-roledescription",
  "aria-valuetext",
  "title",
  "placeholder",
  "alt",
  "label",
];

function modeNames() {
  const names = Object.keys(parse(fs.readFileSync(MODES_FROM, "utf8"))?.modes ?? {});
  if (names.length === 0) throw new Error(`no modes under 'modes:' in ${MODES_FROM}`);
  return names;
}

/** An esquery regex alternation of these words. */
const anyOf = (words) => words.map((word) => word.replace(/[^\w-]/g, "\\$&")).join("|");
const LETTER = "/\\p{L}/u";

// ---- UI-7. The literals with a letter that an expression shows: itself, a template's text, and
// through a ternary, `||`, `??`, `&&`, `+`, an array or `as` (three deep: as deep as code nests).
const SHOWN_THROUGH =
  ":matches(ConditionalExpression, LogicalExpression, BinaryExpression[operator='+'], ArrayExpression, TSAsExpression)";
function shownLiterals(position) {
  const chains = [];
  for (let depth = 0, at = position; depth <= 3; depth++, at = `${at} > ${SHOWN_THROUGH}`) {
    chains.push(`${at} > Literal[value=${LETTER}]`, `${at} > TemplateLiteral > TemplateElement[value.cooked=${LETTER}]`);
  }
  return chains.join(", ");
}

const USE_T = 'use t("key") with the text in src/copy/copy.json (UI-7)';
const VISIBLE = `JSXAttribute[name.name=/^(${anyOf(VISIBLE_ATTRIBUTES)})$/i]`;
const TEXT_RULES = [
  // The parser decodes entities: `&eacute;` is a letter, `&times;` is not.
  { selector: `JSXText[value=${LETTER}]`, message: `hardcoded-text: JSX text: ${USE_T}` },
  {
    selector: shownLiterals(":matches(JSXElement, JSXFragment) > JSXExpressionContainer"),
    message: `hardcoded-text: text rendered in JSX: ${USE_T}`,
  },
  {
    selector: `${VISIBLE} > Literal[value=${LETTER}], ${shownLiterals(`${VISIBLE} > JSXExpressionContainer`)}`,
    message: `hardcoded-attr: the user sees or hears this attribute: ${USE_T}`,
  },
  {
    selector: shownLiterals("CallExpression[callee.name='t'] > ObjectExpression > Property"),
    message: `hardcoded-text: a t() {placeholder} value is shown too: ${USE_T}`,
  },
];

// ---- UI-4. A mode's name as a string, a template's text or JSX text, compared or not.
const MODES = anyOf(modeNames());
const MODE_RULES = [
  {
    selector: [
      `Literal[value=/^(${MODES})$/]`,
      `TemplateElement[value.cooked=/^(${MODES})$/]`,
      `JSXText[value=/^\\s*(${MODES})\\s*$/]`,
    ].join(", "),
    message:
      "mode-branch: a mode's name outside the SDK: components never know or branch on a mode, they are composed from the manifest (UI-4)",
  },
];

// ---- UI-5. The network, reached directly (also as window.fetch, self.WebSocket, ...).
const IO = "direct-io: only src/sdk reaches the server; go through the SDK (UI-5)";
const IO_GLOBALS = ["fetch", "WebSocket", "XMLHttpRequest", "EventSource"];

export default defineConfig(
  { ignores: NOT_LINTED },
  js.configs.recommended,
  tseslint.configs.recommended,
  { languageOptions: { globals: globals.browser } },
  { files: ["*.{js,mjs}", "tools/**"], languageOptions: { globals: globals.node } },
  {
    files: SOURCES,
    ignores: SDK,
    rules: {
      "no-restricted-syntax": ["error", ...TEXT_RULES, ...MODE_RULES],
      "no-restricted-globals": [
        "error",
        { globals: IO_GLOBALS.map((name) => ({ name, message: IO })), checkGlobalObject: true },
      ],
      "no-restricted-properties": [
        "error",
        { object: "navigator", property: "sendBeacon", message: IO },
      ],
    },
  },
  { files: SDK, rules: { "no-restricted-syntax": ["error", ...TEXT_RULES] } },
);
