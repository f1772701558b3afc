/**
 * What a redirect URI or a CORS origin of an application may be, shared by the constructs' synth
 * checks and the engine (a native app's loopback redirection). AM refuses a redirect URI that is not
 * an absolute URI or that has a fragment (RFC 6749 §3.1.2), and matches them exactly (no wildcard).
 * Public clients follow the best current practice: a browser app redirects to https (http only to
 * this machine); a native app to a private-use scheme, a loopback address on any port (RFC 8252
 * §7.1, §7.3) or https (§7.2).
 */
import { LOOPBACK_HOSTS } from "./tenant";

/** The parsed URI, or undefined when it is not an absolute URI. */
function parse(uri: string): URL | undefined {
  try {
    return new URL(uri);
  } catch {
    return undefined;
  }
}

/** `http://127.0.0.1…`, `http://[::1]…` or `http://localhost…`. */
export function isLoopbackHttp(uri: string): boolean {
  const url = parse(uri);
  return url !== undefined && url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
}

/** A private-use URI scheme (`com.example.app:/callback`): any scheme but http(s) and the browser's own. */
function isPrivateUseScheme(url: URL): boolean {
  return !["http:", "https:", "javascript:", "data:", "file:", "blob:", "about:"].includes(url.protocol);
}

/** Who redirects: a browser app (SPA, web) or a native app. */
export type RedirectingApp = "browser" | "native";

/** Why AM or the app's kind refuses a redirect URI, or undefined when it is fine. */
export function redirectUriProblem(uri: string, app: RedirectingApp): string | undefined {
  if (/\s/.test(uri)) return "contains whitespace";
  if (uri.includes("*")) return "has a wildcard, which AM does not match (redirect URIs are compared exactly)";
  const url = parse(uri);
  if (!url) return "is not an absolute URI";
  if (uri.includes("#")) return "has a fragment, which AM refuses (RFC 6749 §3.1.2)";
  if (url.username || url.password) return "carries credentials (user:password@)";
  if (url.protocol === "https:" || isLoopbackHttp(uri)) return undefined;
  if (url.protocol === "http:") return "uses http to a host other than this machine: a code sent there travels in clear";
  if (app === "native" && isPrivateUseScheme(url)) return undefined;
  return app === "native" ? `uses the scheme ${url.protocol} that no app can claim` : `uses the scheme ${url.protocol}, which a browser app cannot receive`;
}

/** Why a CORS origin is refused, or undefined when it is an origin (`https://app.example.com[:port]`). */
export function corsOriginProblem(origin: string): string | undefined {
  const url = parse(origin);
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) return "is not an http(s) origin";
  if (origin.includes("*")) return "has a wildcard, which an origin cannot have";
  if (url.origin !== origin) return `is not an origin: no path, query, credentials or trailing slash (the origin is ${url.origin})`;
  if (url.protocol === "http:" && !isLoopbackHttp(origin)) return "uses http to a host other than this machine";
  return undefined;
}
