/**
 * One spelling per tenant and realm. The base URL and the realm become part of every object's
 * identity (`tenantKey`, the specs Terraform stores), so two spellings of one tenant must not make
 * two identities: a respelling would delete and re-create every object. Pure, used by the
 * constructs (the tenant ref a spec carries) and by every key built from a tenant ref.
 */

/** Host names of this machine that reach one loopback address (the embedded tenant's). */
const LOOPBACK_ALIASES = new Set(["localhost", "127.0.0.1"]);
/** The loopback hosts for which http:// is acceptable (nothing leaves the machine). */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * `https://Tenant.Example.com:443/` → `https://tenant.example.com`: lower-case scheme and host,
 * no default port (443 for https, 80 for http), no trailing slash, `localhost` as `127.0.0.1`.
 * A value that is not a URL is returned unchanged (the constructs report it).
 */
export function canonicalBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return baseUrl;
  }
  // URL has lower-cased the scheme and host and dropped the scheme's default port already.
  if (LOOPBACK_ALIASES.has(url.hostname)) url.hostname = "127.0.0.1";
  const path = url.pathname.replace(/\/+$/, "");
  return `${url.protocol}//${url.host}${path}`;
}

/**
 * A realm as the path below the root realm: `alpha`, `/alpha`, `root/alpha` → `alpha`;
 * `root/alpha/sub` → `alpha/sub`; the root realm itself is `root`.
 */
export function canonicalRealm(realm: string): string {
  const parts = realm.split("/").filter(Boolean);
  if (parts[0] === "root") parts.shift();
  return parts.length === 0 ? "root" : parts.join("/");
}

/** The tenant with its base URL and realm in their one spelling. */
export function normalizeTenant<T extends { baseUrl: string; realm: string }>(tenant: T): T {
  return { ...tenant, baseUrl: canonicalBaseUrl(tenant.baseUrl), realm: canonicalRealm(tenant.realm) };
}
