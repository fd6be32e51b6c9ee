#!/usr/bin/env node
// The copy keys (UI-7), which ESLint cannot check: every t() key is statically known and in every
// locale of copy.json, every copy.json key is used, and the locales agree on keys and {placeholders}.
// The rest of the UI's rules are ESLint's (eslint.config.js); `npm run lint` runs both.
//
//   node vvtv/web/ui/tools/check-copy.mjs [--root <ui dir>]
//
// One line per violation, `<path relative to root>:<line>:<col>: <rule-id>: <message>`, exit 1;
// otherwise a one-line summary and exit 0. Exit 2 when the checker itself cannot run (no src/).
// Rule ids:
//   unknown-copy-key  t("key") with a key missing from some locale of copy.json
//   dynamic-copy-key  t(...) whose key is not statically known
//   copy-mismatch     copy.json malformed, or locales disagree on keys or {placeholders}
//   unused-copy-key   a copy.json key no t() call and no string literal in src/ mentions
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

// ---- Configuration: paths are relative to the root ---------------------------------------------
const SRC_DIR = 'src';
const COPY_FILE = 'src/copy/copy.json';
/** Never checked (generated code, declarations). */
const SKIPPED = [(rel) => rel.endsWith('.d.ts'), (rel) => rel.startsWith('src/sdk/generated/')];
/** The copy function: `t("key")` / `t("key", {name: value})`. */
const COPY_FUNCTIONS = new Set(['t']);
/** The i18n module implements t(): its own calls are not checked for keys (by file name). */
const I18N_FILES = new Set(['i18n.ts', 'i18n.tsx']);
/** Locales copy.json must have; the first one is the reference for the comparisons. */
const REQUIRED_LOCALES = ['en', 'pt-BR'];
/** In the i18n module, `prefix.${...}` (e.g. `mode.${name}`) marks the keys `prefix.*` as used. */
const KEY_PREFIX = /^[\w-]+(\.[\w-]+)*\.$/;
const PLACEHOLDER = /\{([^{}\s]+)\}/g;
const DEFAULT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = { root: DEFAULT_ROOT };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--root' && i + 1 < argv.length) options.root = path.resolve(argv[++i]);
    else fail(`unknown argument: ${argv[i]} (usage: check-copy.mjs [--root <ui dir>])`);
  }
  return options;
}

function fail(message) {
  process.stderr.write(`check-copy: ${message}\n`);
  process.exit(2);
}

function listSources(root) {
  return fs
    .readdirSync(path.join(root, SRC_DIR), { recursive: true })
    .map((name) => path.posix.join(SRC_DIR, name.split(path.sep).join('/')))
    .filter((rel) => /\.tsx?$/.test(rel) && !SKIPPED.some((skip) => skip(rel)))
    .sort();
}

// ---- Violations --------------------------------------------------------------------------------
const violations = [];

function report(rel, sourceFile, pos, rule, message) {
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(pos);
  violations.push({ rel, line: line + 1, col: character + 1, rule, message });
}

const quote = (text) => JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);

// ---- copy.json ---------------------------------------------------------------------------------
/** Reads copy.json: locale -> Map(key -> {value, pos}), reporting its shape problems. */
function readCopy(root) {
  const full = path.join(root, COPY_FILE);
  const locales = new Map();
  if (!fs.existsSync(full)) {
    violations.push({
      rel: COPY_FILE, line: 1, col: 1, rule: 'copy-mismatch',
      message: 'copy.json is missing: every user-visible string lives there',
    });
    return { locales, sourceFile: null };
  }
  const text = fs.readFileSync(full, 'utf8');
  // The TypeScript JSON parser keeps positions and duplicate keys, which JSON.parse drops.
  const sourceFile = ts.parseJsonText(full, text);
  const mismatch = (pos, message) => report(COPY_FILE, sourceFile, pos, 'copy-mismatch', message);
  try {
    JSON.parse(text);
  } catch (error) {
    const at = /at position (\d+)/.exec(error.message);
    mismatch(at ? Math.min(+at[1], text.length) : 0, `copy.json is not valid JSON: ${error.message}`);
    return { locales, sourceFile };
  }
  const top = sourceFile.statements[0]?.expression;
  if (!top || !ts.isObjectLiteralExpression(top)) {
    mismatch(0, 'copy.json must be an object of locales');
    return { locales, sourceFile };
  }
  for (const localeProp of top.properties) {
    const locale = localeProp.name.text;
    const where = localeProp.name.getStart(sourceFile);
    if (locales.has(locale)) {
      mismatch(where, `locale ${quote(locale)} appears twice`);
      continue;
    }
    const entries = new Map();
    locales.set(locale, entries);
    if (!ts.isObjectLiteralExpression(localeProp.initializer)) {
      mismatch(where, `locale ${quote(locale)} must be an object of key: string`);
      continue;
    }
    for (const prop of localeProp.initializer.properties) {
      const key = prop.name.text;
      const pos = prop.name.getStart(sourceFile);
      if (entries.has(key)) mismatch(pos, `key ${quote(key)} appears twice in ${locale}`);
      else if (!ts.isStringLiteral(prop.initializer)) {
        mismatch(pos, `key ${quote(key)} in ${locale} must map to a string (keys are flat and dotted)`);
      } else entries.set(key, { value: prop.initializer.text, pos });
    }
  }
  for (const locale of REQUIRED_LOCALES.filter((name) => !locales.has(name))) {
    mismatch(top.getStart(sourceFile), `locale ${quote(locale)} is missing`);
  }
  return { locales, sourceFile };
}

const placeholders = (value) => [...new Set([...value.matchAll(PLACEHOLDER)].map((m) => m[1]))].sort();

/** Every key is in every locale, with the reference locale's {placeholders}. */
function compareLocales({ locales, sourceFile }) {
  if (!sourceFile || locales.size === 0) return;
  const mismatch = (pos, message) => report(COPY_FILE, sourceFile, pos, 'copy-mismatch', message);
  const names = [...locales.keys()];
  const reference = locales.has(REQUIRED_LOCALES[0]) ? REQUIRED_LOCALES[0] : names[0];
  const allKeys = new Set(names.flatMap((locale) => [...locales.get(locale).keys()]));
  for (const key of allKeys) {
    const having = names.filter((locale) => locales.get(locale).has(key));
    for (const locale of names.filter((name) => !having.includes(name))) {
      const { pos } = locales.get(having[0]).get(key);
      mismatch(pos, `key ${quote(key)} is in ${having.join(', ')} but missing from ${locale}`);
    }
    const base = locales.get(reference).get(key);
    if (!base) continue;
    const expected = placeholders(base.value).join(', ');
    for (const locale of having.filter((name) => name !== reference)) {
      const entry = locales.get(locale).get(key);
      const got = placeholders(entry.value).join(', ');
      if (got !== expected) {
        const show = (list) => (list ? `{${list.replaceAll(', ', '}, {')}}` : 'none');
        mismatch(
          entry.pos,
          `key ${quote(key)} has placeholders ${show(got)} in ${locale} but ${show(expected)} in ${reference}`,
        );
      }
    }
  }
}

// ---- Sources: parse, and index the const bindings t() keys may be resolved through -------------
function parseSource(root, rel) {
  const text = fs.readFileSync(path.join(root, rel), 'utf8');
  const kind = rel.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS;
  const sourceFile = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true, kind);
  const consts = new Map(); // name -> [initializer]
  const shadowed = new Set(); // names also bound another way (parameter, let, function, ...)
  const imports = new Map(); // local name -> {spec, name}
  const exported = new Set(); // names of `export const`
  const bind = (nameNode) => {
    if (!nameNode) return;
    if (ts.isIdentifier(nameNode)) shadowed.add(nameNode.text);
    else for (const element of nameNode.elements ?? []) if (!ts.isOmittedExpression(element)) bind(element.name);
  };
  const visit = (node) => {
    if (ts.isVariableDeclaration(node)) {
      const isConst = (node.parent.flags & ts.NodeFlags.Const) !== 0;
      if (isConst && ts.isIdentifier(node.name) && node.initializer) {
        const list = consts.get(node.name.text) ?? [];
        list.push(node.initializer);
        consts.set(node.name.text, list);
        const statement = node.parent.parent;
        const isExport = (m) => m.kind === ts.SyntaxKind.ExportKeyword;
        if (ts.isVariableStatement(statement) && statement.modifiers?.some(isExport)) {
          exported.add(node.name.text);
        }
      } else bind(node.name);
    } else if (ts.isParameter(node) || ts.isBindingElement(node)) {
      bind(node.name);
    } else if (
      (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isFunctionExpression(node) ||
        ts.isEnumDeclaration(node)) && node.name
    ) {
      shadowed.add(node.name.text);
    } else if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      if (clause?.name) shadowed.add(clause.name.text);
      const bindings = clause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings)) {
        for (const element of bindings.elements) {
          imports.set(element.name.text, {
            spec: node.moduleSpecifier.text,
            name: (element.propertyName ?? element.name).text,
          });
        }
      } else if (bindings) shadowed.add(bindings.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return { rel, sourceFile, consts, shadowed, imports, exported };
}

function resolveModule(parsed, fromRel, spec) {
  if (!spec.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(fromRel), spec));
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`, `${stem}/index.tsx`]) {
    if (parsed.has(candidate)) return parsed.get(candidate);
  }
  return null;
}

/** The initializer a const identifier stands for, in its file; null when not provably one. */
function resolveIdentifier(parsed, file, name) {
  if (file.shadowed.has(name)) return null;
  const local = file.consts.get(name);
  if (local) return local.length === 1 ? { file, expr: local[0] } : null;
  const imported = file.imports.get(name);
  if (!imported) return null;
  const target = resolveModule(parsed, file.rel, imported.spec);
  if (!target || !target.exported.has(imported.name)) return null;
  return resolveIdentifier(parsed, target, imported.name);
}

function unwrap(expr) {
  while (
    ts.isParenthesizedExpression(expr) || ts.isAsExpression(expr) || ts.isSatisfiesExpression(expr) ||
    ts.isNonNullExpression(expr) || ts.isTypeAssertionExpression(expr)
  ) expr = expr.expression;
  return expr;
}

const isStaticString = (expr) => ts.isStringLiteral(expr) || ts.isNoSubstitutionTemplateLiteral(expr);
const isContainer = (expr) => ts.isObjectLiteralExpression(expr) || ts.isArrayLiteralExpression(expr);
const MAX_DEPTH = 16;

/**
 * The literal keys a t() argument can evaluate to, each with its file, or null when that is not
 * statically known. Accepted: a literal, `cond ? a : b` of accepted parts, a const bound to an
 * accepted expression, and an entry of a const key map (object/array literal of string leaves,
 * possibly nested, `as const` allowed) reached by `MAP[x]`, `MAP.x` or `MAP[x].y`.
 */
function resolveKeys(parsed, file, expr, depth = 0) {
  if (depth > MAX_DEPTH) return null;
  expr = unwrap(expr);
  if (isStaticString(expr)) return [{ file, node: expr }];
  if (ts.isConditionalExpression(expr)) {
    const a = resolveKeys(parsed, file, expr.whenTrue, depth + 1);
    const b = a && resolveKeys(parsed, file, expr.whenFalse, depth + 1);
    return b && [...a, ...b];
  }
  if (ts.isIdentifier(expr)) {
    const bound = resolveIdentifier(parsed, file, expr.text);
    if (!bound || isContainer(unwrap(bound.expr))) return null; // t(MAP) itself is no key
    return resolveKeys(parsed, bound.file, bound.expr, depth + 1);
  }
  if (ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr)) {
    const values = memberValues(parsed, file, expr, depth + 1);
    if (!values) return null;
    const keys = [];
    for (const value of values) {
      const leaves = leafStrings(value.file, value.expr, depth + 1);
      if (!leaves) return null;
      keys.push(...leaves);
    }
    return keys.length ? keys : null;
  }
  return null;
}

/** The object/array literal(s) an expression denotes, through consts and member accesses. */
function containers(parsed, file, expr, depth) {
  if (depth > MAX_DEPTH) return null;
  expr = unwrap(expr);
  if (isContainer(expr)) return [{ file, expr }];
  if (ts.isIdentifier(expr)) {
    const bound = resolveIdentifier(parsed, file, expr.text);
    return bound && containers(parsed, bound.file, bound.expr, depth + 1);
  }
  if (ts.isPropertyAccessExpression(expr) || ts.isElementAccessExpression(expr)) {
    const values = memberValues(parsed, file, expr, depth + 1);
    if (!values) return null;
    const found = [];
    for (const value of values) {
      const inner = containers(parsed, value.file, value.expr, depth + 1);
      if (!inner) return null;
      found.push(...inner);
    }
    return found;
  }
  return null;
}

/** The expressions `obj.x` / `obj[x]` may evaluate to (every entry when the member is unknown). */
function memberValues(parsed, file, expr, depth) {
  const owners = containers(parsed, file, expr.expression, depth);
  if (!owners) return null;
  let member = null;
  if (ts.isPropertyAccessExpression(expr)) member = expr.name.text;
  else if (isStaticString(unwrap(expr.argumentExpression)) || ts.isNumericLiteral(unwrap(expr.argumentExpression))) {
    member = unwrap(expr.argumentExpression).text;
  }
  const values = [];
  for (const owner of owners) {
    const entries = entriesOf(owner.expr);
    if (!entries) return null;
    const chosen = member === null ? entries : entries.filter((entry) => entry.name === member);
    if (chosen.length === 0) return null;
    values.push(...chosen.map((entry) => ({ file: owner.file, expr: entry.value })));
  }
  return values;
}

function entriesOf(literal) {
  if (ts.isArrayLiteralExpression(literal)) {
    if (literal.elements.some((element) => ts.isSpreadElement(element) || ts.isOmittedExpression(element))) return null;
    return literal.elements.map((value, index) => ({ name: String(index), value }));
  }
  const entries = [];
  for (const prop of literal.properties) {
    if (!ts.isPropertyAssignment(prop)) return null;
    const name = prop.name;
    if (!(ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name))) return null;
    entries.push({ name: name.text, value: prop.initializer });
  }
  return entries;
}

function leafStrings(file, expr, depth) {
  if (depth > MAX_DEPTH) return null;
  expr = unwrap(expr);
  if (isStaticString(expr)) return [{ file, node: expr }];
  if (ts.isObjectLiteralExpression(expr) || ts.isArrayLiteralExpression(expr)) {
    const entries = entriesOf(expr);
    if (!entries) return null;
    const leaves = [];
    for (const entry of entries) {
      const inner = leafStrings(file, entry.value, depth + 1);
      if (!inner) return null;
      leaves.push(...inner);
    }
    return leaves;
  }
  return null;
}

// ---- Per-file checks ---------------------------------------------------------------------------
/** Collects the keys t() calls can receive (reporting those not statically known) and every
 * string literal, which marks a copy key as used wherever it is spelled. */
function checkFile(parsed, file, used, copyKeys) {
  const { rel, sourceFile } = file;
  const checkKeys = !I18N_FILES.has(path.posix.basename(rel));
  const visit = (node) => {
    if (isStaticString(node)) {
      used.literals.add(node.text);
    } else if (ts.isTemplateExpression(node)) {
      if (!checkKeys && KEY_PREFIX.test(node.head.text)) used.prefixes.add(node.head.text);
    } else if (
      checkKeys && ts.isCallExpression(node) && ts.isIdentifier(node.expression) &&
      COPY_FUNCTIONS.has(node.expression.text)
    ) {
      const arg = node.arguments[0];
      const keys = arg ? resolveKeys(parsed, file, arg) : null;
      if (keys) copyKeys.push(...keys);
      else {
        report(rel, sourceFile, (arg ?? node).getStart(sourceFile), 'dynamic-copy-key',
          `${node.expression.text}() key must be statically known (a literal, a ternary of literals, or an entry of a const key map)`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
}

/** Each literal key t() may receive is in every locale; reported once, where it is written. */
function checkKeysExist(copy, copyKeys) {
  const localeNames = [...copy.locales.keys()];
  if (localeNames.length === 0) return; // copy.json itself is reported
  const seen = new Set();
  for (const { file, node } of copyKeys) {
    const id = `${file.rel}:${node.pos}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const missing = localeNames.filter((locale) => !copy.locales.get(locale).has(node.text));
    if (missing.length === 0) continue;
    const message = missing.length === localeNames.length
      ? `copy key ${quote(node.text)} is not in copy.json`
      : `copy key ${quote(node.text)} is missing from ${missing.join(', ')}`;
    report(file.rel, file.sourceFile, node.getStart(file.sourceFile), 'unknown-copy-key', message);
  }
}

// ---- Main --------------------------------------------------------------------------------------
function main() {
  const options = parseArgs(process.argv.slice(2));
  const root = options.root;
  if (!fs.existsSync(path.join(root, SRC_DIR))) fail(`no ${SRC_DIR}/ under ${root}`);

  const copy = readCopy(root);
  compareLocales(copy);

  const parsed = new Map(listSources(root).map((rel) => [rel, parseSource(root, rel)]));
  const used = { literals: new Set(), prefixes: new Set() };
  const copyKeys = []; // {file, node}: every literal key t() calls can receive
  for (const file of parsed.values()) checkFile(parsed, file, used, copyKeys);
  checkKeysExist(copy, copyKeys);

  // Unused keys: a key is used when any string literal in src/ spells it (t("k"), or data: a map),
  // or when the i18n module builds keys from its prefix (`mode.${name}`).
  const reference = copy.locales.get(REQUIRED_LOCALES[0]) ?? copy.locales.values().next().value;
  if (reference && copy.sourceFile) {
    for (const [key, { pos }] of reference) {
      if (!used.literals.has(key) && ![...used.prefixes].some((prefix) => key.startsWith(prefix))) {
        report(COPY_FILE, copy.sourceFile, pos, 'unused-copy-key',
          `copy key ${quote(key)} is used by no t() call and no string literal in ${SRC_DIR}/`);
      }
    }
  }

  const seen = new Set();
  const lines = violations
    .sort((a, b) => a.rel.localeCompare(b.rel) || a.line - b.line || a.col - b.col || a.rule.localeCompare(b.rule))
    .map((v) => `${v.rel}:${v.line}:${v.col}: ${v.rule}: ${v.message}`)
    .filter((line) => !seen.has(line) && seen.add(line));
  if (lines.length) {
    process.stdout.write(`${lines.join('\n')}\n`);
    process.stderr.write(`check-copy: ${lines.length} violation(s)\n`);
    return 1;
  }
  const keyCount = reference ? reference.size : 0;
  process.stdout.write(
    `check-copy: OK: ${parsed.size} files checked, ${keyCount} copy keys in ${copy.locales.size} locales\n`,
  );
  return 0;
}

process.exitCode = main();
