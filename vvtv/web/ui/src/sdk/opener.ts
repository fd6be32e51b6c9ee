// What opens the server's media rooms (calls, tile rooms): the HTTP client and the socket the rooms
// talk through, how often a room says it is still there, and, once the SDK has made it, what
// measures every room opened from then on (TEL-1, TEL-2).
import type { Http } from "./api";
import type { EventSocket } from "./socket";

export abstract class RoomOpener<Measure> {
  protected measuring: Measure | null = null;

  constructor(
    protected readonly http: Http,
    protected readonly socket: EventSocket,
    protected readonly heartbeatS: number,
  ) {}

  /** Every room opened from now on is measured by `by`. */
  measure(by: Measure): void {
    this.measuring = by;
  }
}
