// HTTP calls, typed from contracts/openapi.json through openapi-fetch. The bearer token rides on
// every call; an expired one is renewed and the call retried once.
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, asProblem, networkError } from "./problems";
import type { Session } from "./session";
import type { ChannelNow, ModeCatalog, Paths, TelemetryEvent, Tokens } from "./types";

type Result<T> = { data?: T; error?: unknown; response: Response };

/** A call's data, or its refusal as an ApiError (`network` when it never reached the server). */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (cause) {
    throw networkError(cause);
  }
  if (result.data !== undefined && result.response.ok) return result.data;
  throw new ApiError(asProblem(result.error, result.response.status));
}

export function createApi(session: Session) {
  const client = createClient<Paths>({ baseUrl: window.location.origin });
  const retries = new Map<string, Request>();

  const bearer: Middleware = {
    onRequest({ request, id }) {
      request.headers.set("x-device-id", session.deviceId); // tokens are bound to this device
      const token = session.accessToken;
      if (token && !request.headers.has("authorization")) {
        request.headers.set("authorization", `Bearer ${token}`);
        retries.set(id, request.clone());
      }
      return request;
    },
    async onResponse({ response, id }) {
      const original = retries.get(id);
      retries.delete(id);
      if (response.status !== 401 || !original) return response;
      const problem = asProblem(await response.clone().json().catch(() => null), 401);
      if (problem.code !== "token_expired") return response;
      const tokens = await session.renew();
      if (!tokens) return response;
      original.headers.set("authorization", `Bearer ${tokens.access_token}`);
      return fetch(original);
    },
  };
  client.use(bearer);

  return {
    /** The typed client itself, for the SDK's other modules (consent, calls) to make their calls. */
    http: client,
    /** The channel's HLS master playlist (served under `/live/{path}`). */
    channelStreamUrl: new URL("/live/master.m3u8", window.location.origin).toString(),
    catalog: () => unwrap<ModeCatalog>(client.GET("/modes")),
    channelNow: () => unwrap<ChannelNow>(client.GET("/channel/now")),
    /** The terms of use a signup accepts, as plain text (the version the catalog names). */
    terms: () => unwrap<string>(client.GET("/terms", { parseAs: "text" })),
    signup: (handle: string, password: string, termsVersion: string) =>
      unwrap<Tokens>(
        client.POST("/auth/signup", {
          body: {
            handle,
            password,
            age_confirmed: true,
            terms_version: termsVersion,
            device_id: session.deviceId,
          },
        }),
      ),
    login: (handle: string, password: string) =>
      unwrap<Tokens>(
        client.POST("/auth/login", {
          body: { handle, password, device_id: session.deviceId },
        }),
      ),
    refresh: (refreshToken: string) =>
      unwrap<Tokens>(
        client.POST("/auth/refresh", {
          body: { refresh_token: refreshToken, device_id: session.deviceId },
        }),
      ),
    logout: (everywhere = false) =>
      unwrap(client.POST("/auth/logout", { body: { everywhere } })),
    /** Block someone: neither of you reaches or sees the other anywhere, at once (MOD-2). */
    block: (userId: string) =>
      unwrap(client.POST("/blocks/{user_id}", { params: { path: { user_id: userId } }, body: {} })),
    telemetry: (events: TelemetryEvent[]) =>
      unwrap(client.POST("/telemetry/events", { body: { events } })),
  };
}

export type Api = ReturnType<typeof createApi>;
export type Http = Api["http"];
