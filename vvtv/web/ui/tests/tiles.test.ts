// Live tiles' client (THB-5, OPS-5): a tab the server gives no tile session says why, rather than
// leaving the avatars unexplained.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Http } from "../src/sdk/api";
import type { EventSocket } from "../src/sdk/socket";
import { TileRoom } from "../src/sdk/tiles";

class QuietSocket {
  send(): boolean {
    return true;
  }
  on(): () => void {
    return () => {};
  }
}

/** `POST /sessions` refused with `status` and `code`, as the server words a problem. */
function refusingHttp(status: number, code: string): Http {
  const post = () =>
    Promise.resolve({
      data: undefined,
      error: { code, message: "refused" },
      response: { ok: false, status },
    });
  return { POST: post, GET: post } as unknown as Http;
}

describe("a tile room the server refuses", () => {
  beforeEach(() => vi.stubGlobal("window", new EventTarget()));
  afterEach(() => vi.unstubAllGlobals());

  it("keeps the refusal's code for the page to explain", async () => {
    const room = new TileRoom(
      refusingHttp(409, "too_many_sessions"),
      new QuietSocket() as unknown as EventSocket,
      "party",
      10,
      12,
      "desktop",
    );
    await expect(room.start()).rejects.toMatchObject({ code: "too_many_sessions" });
    expect(room.refused.value).toBe("too_many_sessions");
  });

  it("says nothing of a network failure, which the socket's reconnect covers", async () => {
    const http = {
      POST: () => Promise.reject(new TypeError("offline")),
    } as unknown as Http;
    const room = new TileRoom(http, new QuietSocket() as unknown as EventSocket, "party", 10, 12, "desktop");
    await expect(room.start()).rejects.toBeTruthy();
    expect(room.refused.value).toBeNull();
  });
});

describe("a tile room on a page being left", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("ends its tile session, so the next page's tiles are not refused", async () => {
    const page = new EventTarget();
    vi.stubGlobal("window", page);
    const posted: string[] = [];
    const http = {
      POST: (path: string) => {
        posted.push(path);
        const data = path === "/sessions" ? { id: "s1" } : {};
        return Promise.resolve({ data, error: undefined, response: { ok: true, status: 200 } });
      },
    } as unknown as Http;
    const room = new TileRoom(http, new QuietSocket() as unknown as EventSocket, "party", 10, 12, "desktop");
    await room.start();
    page.dispatchEvent(new Event("pagehide"));
    expect(posted).toEqual(["/sessions", "/sessions/{session_id}/end"]);
  });
});
