// @vitest-environment happy-dom
// The moderators' console pieces as a moderator sees and uses them (issue 16; MOD-1, MOD-5,
// TEL-6): held chat messages with their author, place, text, rule and time, approved or rejected
// in one click; and the one reasons picker, which the report sheet (a radio per reason) and the
// console's queue filter (a list with "any") both use, with config's reasons in config's order.
// Rendered in happy-dom over the real SDK client and a stand-in for its HTTP client.
import type { ComponentChild } from "preact";
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { HeldQueue } from "../src/kit/HeldQueue";
import { ModConsole } from "../src/kit/ModConsole";
import { ReasonPicker } from "../src/kit/ReasonPicker";
import { type Sdk, SdkContext } from "../src/sdk";
import type { Http } from "../src/sdk/api";
import { type HeldMessage, Moderation, type ReportReason } from "../src/sdk/moderation";
import type { EventSocket } from "../src/sdk/socket";

type Reply = { status: number; data?: unknown; error?: unknown };

/** Answers `METHOD path` from `replies` (a value, or a function of the request); records each. */
class FakeHttp {
  calls: { method: string; path: string; options: unknown }[] = [];
  replies = new Map<string, Reply | ((options: unknown) => Reply)>();

  private reply(method: string, path: string, options: unknown) {
    this.calls.push({ method, path, options });
    const found = this.replies.get(`${method} ${path}`);
    const reply = typeof found === "function" ? found(options) : found;
    const { status, data, error } = reply ?? { status: 404, error: { code: "not_found" } };
    const ok = status < 400;
    return Promise.resolve({ data: ok ? data : undefined, error, response: { ok, status } });
  }

  GET = (path: string, options?: unknown) => this.reply("GET", path, options);
  POST = (path: string, options?: unknown) => this.reply("POST", path, options);
}

const socket = { on: () => () => {}, send: () => true } as unknown as EventSocket;
const account = { renew: () => Promise.resolve(null) }; // warnings renew the sign-in
const REASONS: ReportReason[] = ["harassment", "spam", "other"];

function held(id: number, handle: string, body: string): HeldMessage {
  return {
    id,
    thread_id: "0123456789abcdef0123456789abcdef",
    scope: "room",
    author_id: `${handle}-id`,
    author_handle: handle,
    body,
    rule: "contact_offsite",
    created_at: "2026-12-02T16:00:00+00:00",
    status: "held",
    decided_by: null,
    decided_at: null,
    message_id: null,
  };
}

let root: HTMLElement | null = null;

async function show(http: FakeHttp, ui: ComponentChild): Promise<HTMLElement> {
  const sdk = { moderation: new Moderation(http as unknown as Http, socket, account) } as unknown as Sdk;
  root = document.createElement("div");
  document.body.append(root);
  await act(() => {
    render(<SdkContext.Provider value={sdk}>{ui}</SdkContext.Provider>, root as HTMLElement);
  });
  await settle();
  return root;
}

/** Let the fake answers resolve and Preact render what they changed. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await act(() => new Promise((done) => setTimeout(done, 0)));
}

function button(within: HTMLElement, name: string): HTMLButtonElement {
  const found = [...within.querySelectorAll("button")].find(
    (b) => b.getAttribute("aria-label") === name || b.textContent === name,
  );
  if (!found) throw new Error(`no button "${name}"`);
  return found;
}

function text(within: HTMLElement, selector: string): string[] {
  return [...within.querySelectorAll(selector)].map((e) => e.textContent?.trim() ?? "");
}

afterEach(() => {
  if (root) render(null, root);
  root?.remove();
  root = null;
});

describe("held chat messages in the console", () => {
  it("shows who wrote what, where, under which rule, and approves one in a click", async () => {
    const http = new FakeHttp();
    let waiting = [held(2, "ana", "add me on snapchat"), held(1, "bob", "my telegram is")];
    http.replies.set("GET /mod/held", () => ({ status: 200, data: { messages: waiting } }));
    http.replies.set("POST /mod/held/{held_id}/decision", () => {
      waiting = waiting.filter((m) => m.id !== 2);
      return { status: 200, data: { ...held(2, "ana", "add me on snapchat"), status: "approved" } };
    });
    const page = await show(http, <HeldQueue />);
    expect(page.querySelector("h2")?.textContent).toBe("Held chat messages");
    expect(text(page, ".mod-held-message blockquote")).toEqual([
      "add me on snapchat",
      "my telegram is",
    ]);
    const first = page.querySelector<HTMLElement>("[data-held='2']") as HTMLElement;
    expect(text(first, "[data-fact=author]")).toEqual(["ana"]);
    expect(text(first, "[data-fact=rule]")).toEqual(["contact_offsite"]);
    expect(text(first, "[data-fact=thread]")).toEqual(["Party room · 01234567"]);
    expect(first.querySelector("time")?.getAttribute("dateTime")).toBe("2026-12-02T16:00:00+00:00");

    await act(() => button(first, "Approve ana's message").click());
    await settle();
    const decision = http.calls.find((c) => c.method === "POST");
    expect(decision?.options).toEqual({
      params: { path: { held_id: 2 } },
      body: { action: "approve", reason: null },
    });
    expect(page.querySelector("[role=status]")?.textContent).toBe("ana's message is posted.");
    expect(text(page, ".mod-held-message blockquote")).toEqual(["my telegram is"]);
  });

  it("rejects one, and says so when another moderator decided it first", async () => {
    const http = new FakeHttp();
    http.replies.set("GET /mod/held", { status: 200, data: { messages: [held(5, "eve", "dm me")] } });
    http.replies.set("POST /mod/held/{held_id}/decision", {
      status: 409,
      error: { status: 409, code: "already_decided", message: "This message was approved already." },
    });
    const page = await show(http, <HeldQueue />);
    await act(() => button(page, "Reject eve's message").click());
    await settle();
    const decision = http.calls.find((c) => c.method === "POST");
    expect((decision?.options as { body: unknown }).body).toEqual({ action: "reject", reason: null });
    expect(page.querySelector("[role=alert]")?.textContent).toBe(
      "Another moderator decided this message first.",
    );
  });

  it("says when nothing is waiting", async () => {
    const http = new FakeHttp();
    http.replies.set("GET /mod/held", { status: 200, data: { messages: [] } });
    const page = await show(http, <HeldQueue />);
    expect(text(page, ".mod-held .hint")).toEqual(["No messages are waiting."]);
  });
});

describe("the one reasons picker", () => {
  it("offers config's reasons in order as radios, and says which was picked", async () => {
    const http = new FakeHttp();
    http.replies.set("GET /reports/reasons", { status: 200, data: { reason_codes: REASONS } });
    const picked: (ReportReason | null)[] = [];
    const page = await show(
      http,
      <ReasonPicker kind="radios" label="What happened?" value={null} onChange={(r) => picked.push(r)} />,
    );
    expect(page.querySelector("legend")?.textContent).toBe("What happened?");
    expect(text(page, "label.check span")).toEqual([
      "Harassment or bullying",
      "Spam or scam",
      "Something else",
    ]);
    const spam = page.querySelector<HTMLInputElement>("input[value=spam]") as HTMLInputElement;
    await act(() => spam.click());
    expect(picked).toEqual(["spam"]);
  });

  it("filters the console's queue by a reason, or by any", async () => {
    const http = new FakeHttp();
    http.replies.set("GET /reports/reasons", { status: 200, data: { reason_codes: REASONS } });
    http.replies.set("GET /admin/reports", { status: 200, data: { reports: [] } });
    http.replies.set("GET /mod/held", { status: 200, data: { messages: [] } });
    const page = await show(http, <ModConsole />);
    const filter = [...page.querySelectorAll<HTMLLabelElement>("label.mod-choice")].find(
      (label) => label.querySelector("span")?.textContent === "Reason",
    ) as HTMLLabelElement;
    const select = filter.querySelector("select") as HTMLSelectElement;
    expect([...select.options].map((o) => o.textContent)).toEqual([
      "Any",
      "Harassment or bullying",
      "Spam or scam",
      "Something else",
    ]);
    const queried = () =>
      http.calls
        .filter((c) => c.path === "/admin/reports")
        .map((c) => (c.options as { params: { query: Record<string, unknown> } }).params.query);
    select.value = "harassment";
    await act(() => {
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await settle();
    expect(queried().at(-1)?.reason_code).toBe("harassment");
    select.value = "";
    await act(() => {
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    await settle();
    expect(queried().at(-1)?.reason_code).toBeUndefined();
    // The held messages have their place in the same console.
    expect(text(page, "h2")).toContain("Held chat messages");
  });
});
