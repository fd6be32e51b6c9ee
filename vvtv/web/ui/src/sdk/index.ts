// The SDK: the only way the UI reaches the server (UI-5). Components get it from context.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { type Api, createApi } from "./api";
import { Calls } from "./call";
import { ChatClient, chatCalls } from "./chat";
import { ConsentClient } from "./consent";
import { MatchClient } from "./match";
import { Moderation } from "./moderation";
import { ServiceNotices } from "./notice";
import { OperatorConsole } from "./operator";
import { PresenceClient } from "./presence";
import { CallQuality } from "./qos";
import { Session } from "./session";
import { EventSocket } from "./socket";
import { Telemetry } from "./telemetry";
import { Tiles } from "./tiles";
import type { ClientSettings, ModeCatalog } from "./types";

export type * from "./call";
export { chatScope, PRIVATE_SCOPE } from "./chat";
export type { Bounce, ChatMessage, ChatScope, ChatThread, Outgoing, SendOutcome } from "./chat";
export type * from "./consent";
export type * from "./match";
export { callReportContext, chatReportContext } from "./moderation";
export type * from "./moderation";
export type * from "./notice";
export { EMPTY_VIEW as NO_OPERATOR_VIEW, mergeHistory } from "./operator";
export type * from "./operator";
export { NO_FILTERS, presencePolicy } from "./presence";
export type * from "./presence";
export { ApiError } from "./problems";
export type * from "./tiles";
export type * from "./types";

export interface Sdk {
  api: Api;
  session: Session;
  socket: EventSocket;
  presence: PresenceClient;
  chat: ChatClient;
  consent: ConsentClient;
  match: MatchClient;
  /** The calm notice when the product steps down (INV-7). */
  notices: ServiceNotices;
  /** Reports, warnings and the moderators' console (MOD-1, MOD-5). */
  moderation: Moderation;
  /** The operator's console (admins). */
  operator: OperatorConsole;
  calls: Calls;
  tiles: Tiles;
  telemetry: Telemetry;
  catalog: ModeCatalog;
  settings: ClientSettings;
}

/** Loads the mode catalog (which carries the client settings) and wires the SDK from it. */
export async function connect(): Promise<Sdk> {
  const session = new Session();
  const api = createApi(session);
  const catalog = await api.catalog();
  const settings = catalog.client;
  const backoff = settings.socket_reconnect_backoff_s;
  session.configure(api.refresh, settings.token_refresh_lead_s, backoff[backoff.length - 1] ?? 0);
  const socket = new EventSocket(session, backoff);
  const presence = new PresenceClient(socket, catalog, settings.presence_heartbeat_s);
  const chatHttp = chatCalls(api);
  const chat = new ChatClient(socket, chatHttp, session.user);
  const consent = new ConsentClient(api.http, session, socket);
  const match = new MatchClient(api.http, socket);
  const calls = new Calls(api.http, socket, settings.session_heartbeat_s, session);
  const tiles = new Tiles(api.http, socket, settings.session_heartbeat_s, settings.tiles);
  const telemetry = new Telemetry(
    api,
    settings.telemetry_flush_interval_s,
    settings.telemetry_max_batch_events,
  );
  const notices = new ServiceNotices(api.http, socket);
  const moderation = new Moderation(api.http, socket, session);
  const operator = new OperatorConsole(api.http, socket, settings.audit_page_max);
  calls.measure(new CallQuality(api.http, socket, telemetry));
  tiles.measure(telemetry);
  return {
    api,
    session,
    socket,
    presence,
    chat,
    consent,
    match,
    notices,
    moderation,
    operator,
    calls,
    tiles,
    telemetry,
    catalog,
    settings,
  };
}

export const SdkContext = createContext<Sdk | null>(null);

export function useSdk(): Sdk {
  const sdk = useContext(SdkContext);
  if (!sdk) throw new Error("useSdk outside <SdkContext.Provider>");
  return sdk;
}
