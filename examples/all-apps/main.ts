/**
 * One application of each kind the console's templates make: a web app, a single-page app, a
 * native app and two service apps (one with a client secret, one signing its assertions with a
 * private key, `private_key_jwt`). Synthesizes into `examples/all-apps/cdktf.out`:
 *
 *   npx tsx examples/all-apps/main.ts
 *   cd examples/all-apps/cdktf.out/stacks/all-apps && terraform init && terraform apply
 *   npx cdktf-aic verify --out examples/all-apps/cdktf.out   # VERIFY_USERNAME, VERIFY_PASSWORD
 *
 * Targets AIC_BASE_URL (default: the embedded tenant, `npx cdktf-aic tenant`). The client secrets
 * come from PORTAL_CLIENT_SECRET and BILLING_SERVICE_CLIENT_SECRET when Terraform applies. The
 * reports service's public keys come from the JWK set in REPORTS_SERVICE_JWKS when it is set, else
 * from a TEST-ONLY key pair this file makes (see `testOnlyKeys`).
 */
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import {
  ConfidentialWebApp,
  EMBEDDED_TENANT_URL,
  NativeApp,
  OAuth2ProviderGrants,
  PublicKeys,
  Secret,
  ServiceApp,
  SinglePageApp,
  TenantStack,
} from "../../constructs";

const REPORTS = "reports-service";

/**
 * TEST-ONLY: a key pair for the reports service, made on the first synth into `.cdktf-aic/keys/`
 * beside `cdktf.out` (git ignores that folder). `cdktf-aic verify` signs the service's assertion
 * with the private half there (`<client id>.private.jwk.json`); the stack gets only the public JWK
 * set. A real service keeps its private key in its own secret store and hands the stack only its
 * public keys (`PublicKeys.fromFile`, `PublicKeys.fromEnv`). Returns the public JWK set's file.
 */
function testOnlyKeys(clientId: string): string {
  const dir = join(__dirname, ".cdktf-aic", "keys");
  const publicFile = join(dir, `${clientId}.jwks.json`);
  if (existsSync(publicFile)) return publicFile;
  mkdirSync(dir, { recursive: true });
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const kid = `${clientId}-test-only`;
  writeFileSync(join(dir, `${clientId}.private.jwk.json`), JSON.stringify({ ...privateKey.export({ format: "jwk" }), kid, alg: "RS256" }), { mode: 0o600 });
  writeFileSync(publicFile, JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "RS256", use: "sig" }] }));
  return publicFile;
}

const app = new App({ outdir: join(__dirname, "cdktf.out") });
const stack = new TenantStack(app, "all-apps", {
  tenant: { baseUrl: process.env.AIC_BASE_URL ?? EMBEDDED_TENANT_URL, realm: "alpha" },
});
new OAuth2ProviderGrants(stack, "provider", {
  grantTypes: ["authorization-code", "refresh-token", "client-credentials"],
  requirePkce: "public-clients", // the SPA and the native app get codes only with a code challenge
});

new ConfidentialWebApp(stack, "portal", {
  name: "Customer Portal",
  clientId: "customer-portal",
  clientSecret: Secret.fromEnv("PORTAL_CLIENT_SECRET"),
  scopes: ["openid", "profile"],
  redirectUris: ["https://portal.example.com/oauth2/callback"],
});

new SinglePageApp(stack, "shop", {
  name: "Shop",
  clientId: "shop-spa",
  scopes: ["openid", "profile"],
  redirectUris: ["https://shop.example.com/callback", "http://127.0.0.1:5173/callback"],
  corsOrigins: ["https://shop.example.com", "http://127.0.0.1:5173"],
  grantTypes: ["authorization-code", "refresh-token"],
});

new NativeApp(stack, "mobile", {
  name: "Mobile App",
  clientId: "mobile-app",
  scopes: ["openid", "profile"],
  redirectUris: ["com.example.mobile:/oauth2redirect", "http://127.0.0.1/callback"],
});

new ServiceApp(stack, "billing", {
  name: "Billing Service",
  clientId: "billing-service",
  clientSecret: Secret.fromEnv("BILLING_SERVICE_CLIENT_SECRET"),
  scopes: ["read-data"],
});

new ServiceApp(stack, "reports", {
  name: "Reports Service",
  clientId: REPORTS,
  scopes: ["read-data"],
  publicKeys: process.env.REPORTS_SERVICE_JWKS ? PublicKeys.fromEnv("REPORTS_SERVICE_JWKS") : PublicKeys.fromFile(testOnlyKeys(REPORTS)),
});

app.synth();
