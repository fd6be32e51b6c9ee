// Client telemetry (TEL-1): events declared in config/telemetry-events.yaml, batched and sent
// every flush interval, and on leaving the page.
import type { Api } from "./api";
import type { TelemetryEvent } from "./types";

/** The events a client may report (config/telemetry-events.yaml, `source: client`), each with
 * its own typed properties. */
export type ClientEventName = TelemetryEvent["name"];
type PropertiesOf<N extends ClientEventName> = NonNullable<
  Extract<TelemetryEvent, { name: N }>["properties"]
>;

export class Telemetry {
  private queue: TelemetryEvent[] = [];

  constructor(
    private readonly api: Api,
    flushIntervalS: number,
    private readonly maxBatch: number,
  ) {
    setInterval(() => void this.flush(), flushIntervalS * 1000); // for the page's life
    window.addEventListener("pagehide", () => void this.flush());
  }

  track<N extends ClientEventName>(name: N, properties: PropertiesOf<N>): void {
    this.queue.push({ name, properties, at: new Date().toISOString() } as TelemetryEvent);
    if (this.queue.length >= this.maxBatch) void this.flush();
  }

  async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.api.telemetry(batch);
      } catch {
        return; // telemetry never gets in a viewer's way; this batch is dropped
      }
    }
  }
}
