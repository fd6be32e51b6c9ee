import type { Problem } from "./types";

/** A request the server refused (problem JSON), or one that never reached it (`network`). */
export class ApiError extends Error {
  readonly problem: Problem;

  constructor(problem: Problem) {
    super(problem.message);
    this.name = "ApiError";
    this.problem = problem;
  }

  get code(): string {
    return this.problem.code;
  }

  get status(): number {
    return this.problem.status;
  }
}

export function networkError(cause: unknown): ApiError {
  const message = cause instanceof Error ? cause.message : String(cause);
  return new ApiError({
    status: 0,
    code: "network",
    message,
    path: null,
    retry_after_s: null,
    trace_id: null,
  });
}

export function asProblem(body: unknown, status: number): Problem {
  if (body && typeof body === "object" && "code" in body && "message" in body) {
    return body as Problem;
  }
  return {
    status,
    code: "unexpected_response",
    message: `HTTP ${status}`,
    path: null,
    retry_after_s: null,
    trace_id: null,
  };
}
