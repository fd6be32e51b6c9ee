// The calm notice (INV-7): when the product steps down to keep its cost (the kill-switch ladder),
// every signed-in tab hears `service.notice` on the socket; a tab whose socket opens later asks
// `GET /service/notice`, so it is told too. Dismissed, it stays away until the level changes.
// The same notice says whether the operator's Shield Mode is on (issue 16): a line of its own,
// dismissed on its own, and whether new accounts' tiles are blurred meanwhile.
import { signal } from "@preact/signals";
import { type Http, unwrap } from "./api";
import type { EventSocket } from "./socket";
import type { Schemas } from "./types";

export type ServiceStatus = Schemas["ServiceStatus"];
export type ShieldBanner = Schemas["ShieldBanner"];

export class ServiceNotices {
  /** Where the product stands, when a step is taken and not dismissed; null otherwise. */
  readonly current = signal<ServiceStatus | null>(null);
  /** Shield Mode while it is on (what tiles blur), dismissed or not. */
  readonly shield = signal<ShieldBanner | null>(null);
  /** Whether its line shows: on, and not put away since it came on. */
  readonly shieldShown = signal(false);
  private level = 0;
  private dismissedAt: number | null = null;
  /** Events heard: a reply asked before the latest one is older than what it said. */
  private heardCount = 0;

  constructor(
    private readonly http: Http,
    socket: EventSocket,
  ) {
    socket.on("auth.ok", () => void this.resync());
    socket.on("service.notice", (event) => {
      this.heardCount += 1;
      this.heard({ level: event.level, step: event.step ?? null, shield: event.shield ?? null });
    });
  }

  /** Ask where the product stands (a new socket may have missed a step). */
  async resync(): Promise<void> {
    const asked = this.heardCount;
    try {
      const status = await unwrap<ServiceStatus>(this.http.GET("/service/notice"));
      if (asked === this.heardCount) this.heard(status);
    } catch {
      // the notice is a courtesy: without it the product works as it did
    }
  }

  dismiss(): void {
    this.dismissedAt = this.level;
    this.current.value = null;
  }

  dismissShield(): void {
    this.shieldShown.value = false;
  }

  private heard(status: ServiceStatus): void {
    const shield = status.shield ?? null;
    if ((shield === null) !== (this.shield.peek() === null)) this.shieldShown.value = shield !== null;
    this.shield.value = shield;
    if (status.level !== this.level) this.dismissedAt = null;
    this.level = status.level;
    const shown = status.level > 0 && this.dismissedAt !== status.level;
    this.current.value = shown ? { level: status.level, step: status.step ?? null, shield } : null;
  }
}
