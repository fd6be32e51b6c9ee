// A moderator's warning over the socket (MOD-5): the tab shows it once, and renews the sign-in so a
// quarantine decided with it shows at once in the account's flags (MOD-6).
import { describe, expect, it } from "vitest";
import type { Http } from "../src/sdk/api";
import { Moderation } from "../src/sdk/moderation";
import type { EventSocket } from "../src/sdk/socket";
import type { ServerEvent } from "../src/sdk/types";

class FakeSocket {
  private handlers = new Map<string, ((event: ServerEvent) => void)[]>();

  on(type: string, handler: (event: ServerEvent) => void): () => void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    return () => {};
  }

  push(event: ServerEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) handler(event);
  }
}

const WARNING = {
  type: "moderation.warning",
  v: 1,
  id: 7,
  reason: "spamming rooms",
  at: "2026-12-02T17:00:00Z",
} as ServerEvent;

describe("a moderator's warning", () => {
  it("is shown once and brings the account as it is now", () => {
    const socket = new FakeSocket();
    let renewals = 0;
    const account = {
      renew: () => {
        renewals += 1;
        return Promise.resolve(null);
      },
    };
    const moderation = new Moderation({} as Http, socket as unknown as EventSocket, account);
    socket.push(WARNING);
    expect(moderation.warnings.value.map((w) => w.reason)).toEqual(["spamming rooms"]);
    expect(renewals).toBe(1);
    socket.push(WARNING); // heard again (another socket of this tab): nothing new
    expect(moderation.warnings.value).toHaveLength(1);
    expect(renewals).toBe(1);
  });

  it("is kept when the renewal fails (offline): the next one brings the account", async () => {
    const socket = new FakeSocket();
    const account = { renew: () => Promise.reject(new Error("offline")) };
    const moderation = new Moderation({} as Http, socket as unknown as EventSocket, account);
    socket.push(WARNING);
    await Promise.resolve();
    expect(moderation.warnings.value).toHaveLength(1);
  });
});
