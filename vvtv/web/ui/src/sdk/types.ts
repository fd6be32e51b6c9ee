// The server's contracts, generated from contracts/ (openapi-typescript): no hand-typed shapes.
import type { components, paths } from "../../../../../contracts/api";

export type Paths = paths;
export type Schemas = components["schemas"];

export type ModeCatalog = Schemas["ModeCatalog"];
export type ModeView = Schemas["ModeView"];
export type MountView = Schemas["MountView"];
export type ClientSettings = Schemas["ClientSettings"];
export type HandoverHint = ModeView["transitions"][string];
export type ChannelNow = Schemas["ChannelNow"];
export type Tokens = Schemas["Tokens"];
export type Me = Schemas["Me"];
export type Problem = Schemas["Problem"];
export type TelemetryEvent = Schemas["TelemetryEvent"];

export type ServerEvent = Schemas["ServerEvent"];
export type ClientMessage = Schemas["ClientMessage"];
export type ServerEventType = ServerEvent["type"];
export type EventOf<T extends ServerEventType> = Extract<ServerEvent, { type: T }>;
