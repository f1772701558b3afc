/**
 * The error bodies of the embedded tenant, in one place. AM's JSON API and IDM share CREST's shape
 * `{code, reason, message, detail?}`; status and body are part of the contract and tested exactly.
 * Handlers throw `CrestHttpError`; the server turns it into the response.
 */
import type { CrestError } from "../contract/schemas";
import type { EmulatorResponse } from "./types";

const REASONS: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Request Entity Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export function reasonOf(status: number): string {
  return REASONS[status] ?? "Error";
}

export function crestBody(status: number, message: string, detail?: unknown): CrestError {
  const body: CrestError = { code: status, reason: reasonOf(status), message };
  if (detail !== undefined) body.detail = detail;
  return body;
}

export class CrestHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly detail?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  toResponse(): EmulatorResponse {
    return { status: this.status, headers: this.headers, body: crestBody(this.status, this.message, this.detail) };
  }
}

/** The ESV API's errors: `{code, message}`, without CREST's `reason` [rec]. */
export class EsvHttpError extends CrestHttpError {
  override toResponse(): EmulatorResponse {
    return { status: this.status, headers: this.headers, body: { code: this.status, message: this.message } };
  }
}

export const esvError = (status: number, message: string) => new EsvHttpError(status, message);

/** AM's 404 for a missing object [rec]: the message is just "Not Found". */
export const notFound = () => new CrestHttpError(404, "Not Found");

/** IDM's 404 for a missing managed object [inf: the message is not recorded]. */
export const idmNotFound = (id: string, collection: string) =>
  new CrestHttpError(404, `Object ${id} not found in ${collection}`);

export const badRequest = (message: string, detail?: unknown) => new CrestHttpError(400, message, detail);

/** CREST's message for a malformed body [inf]. */
export const invalidJson = () =>
  badRequest("The request could not be processed because the provided content is not valid JSON");

/** `If-None-Match: *` on an existing object (CREST's create-only precondition). */
export const alreadyExists = (id: string) =>
  new CrestHttpError(
    412,
    `The resource with ID '${id}' could not be created because there is already another resource with the same ID`,
  );

/** AM's answer to an attribute or attribute group its schema does not have [rec wording]. */
export const invalidAttribute = (validAttributes: string[]) =>
  badRequest("Invalid attribute specified.", { validAttributes });

/** One failed IDM policy: `REQUIRED`, or `VALID_TYPE` with its params [rec]. */
export interface FailedPolicy {
  property: string;
  requirement: string;
  params?: Record<string, unknown>;
}

/** IDM's 403 "Failed policy validation" [rec]. */
export function policyFailure(failures: FailedPolicy[]): CrestHttpError {
  return new CrestHttpError(403, "Failed policy validation", {
    result: false,
    failedPolicyRequirements: failures.map((f) => ({
      policyRequirements: [f.params ? { params: f.params, policyRequirement: f.requirement } : { policyRequirement: f.requirement }],
      property: f.property,
    })),
  });
}

/** A wrong or missing `Accept-API-Version` on an AM endpoint [inf: AM's wording for this case]. */
export function unsupportedVersion(received: string | undefined): CrestHttpError {
  return received
    ? badRequest(`Unsupported major version: ${received}`)
    : badRequest("Accept-API-Version header is required: this endpoint is versioned");
}
