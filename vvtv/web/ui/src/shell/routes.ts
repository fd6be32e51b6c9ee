// Mode routes come from the catalog (`/party`, `/call/:token`); this matches a path to one.
import type { ModeView } from "../sdk";

export interface RouteMatch {
  mode: ModeView;
  params: Record<string, string>;
}

interface Compiled {
  pattern: RegExp;
  names: string[];
}

const cache = new Map<string, Compiled>();

function compile(route: string): Compiled {
  let compiled = cache.get(route);
  if (!compiled) {
    const names: string[] = [];
    const source = route
      .split("/")
      .map((part) => {
        if (!part.startsWith(":")) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        names.push(part.slice(1));
        return "([^/]+)";
      })
      .join("/");
    compiled = { pattern: new RegExp(`^${source}/?$`), names };
    cache.set(route, compiled);
  }
  return compiled;
}

export function hasParams(route: string): boolean {
  return compile(route).names.length > 0;
}

export function matchRoute(modes: readonly ModeView[], path: string): RouteMatch | null {
  for (const mode of modes) {
    const { pattern, names } = compile(mode.route);
    const found = pattern.exec(path === "" ? "/" : path);
    if (!found) continue;
    const params: Record<string, string> = {};
    names.forEach((name, index) => {
      params[name] = decodeURIComponent(found[index + 1] ?? "");
    });
    return { mode, params };
  }
  return null;
}

export function buildRoute(route: string, params: Record<string, string> = {}): string {
  return route
    .split("/")
    .map((part) =>
      part.startsWith(":") ? encodeURIComponent(params[part.slice(1)] ?? "") : part,
    )
    .join("/");
}
