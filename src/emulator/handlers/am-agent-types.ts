/**
 * The agent types AM keeps beside OAuth2 clients and AI agents under `realm-config/agents`
 * (web and Java agents, gateways, remote consent, software publishers, ...). Clients that export
 * a realm (frodo) list each type; the embedded tenant holds none of them, so each list is an
 * empty CREST query answer and each object a 404, in the OAuth2Client list's envelope [inf].
 * `SoapSTSAgent` is among them: AIC offers no SOAP STS, but AM's agents service still answers the
 * type, empty (frodo asks for it of self-managed AM only) [inf].
 */
import { API_VERSION } from "../../contract/endpoints";
import { notFound } from "../errors";
import { filterItems, pageOf, queryAnswer, type Route } from "../router";
import { realmState } from "../store";

const OTHER_AGENT_TYPES = [
  "WebAgent",
  "J2EEAgent",
  "IdentityGatewayAgent",
  "RemoteConsentAgent",
  "SoftwarePublisher",
  "SharedAgent",
  "OAuth2Thing",
  "2.2_Agent",
  "SoapSTSAgent",
] as const;

const AGENTS = "^/am/json/realms/root/realms/(?<realm>[^/]+)/realm-config/agents";
const TYPES = OTHER_AGENT_TYPES.map((t) => t.replace(".", "\\.")).join("|");

export function amAgentTypeRoutes(): Route[] {
  // The same Accept-API-Version as OAuth2Client (protocol 2.1, resource 1.0): one agents service.
  const apiVersion = API_VERSION.oauth2Client;
  return [
    {
      method: "GET",
      pattern: new RegExp(`${AGENTS}/(?<type>${TYPES})$`),
      apiVersion,
      handler: (req, ctx, params) => {
        if (!realmState(ctx.state, params.realm)) throw notFound();
        const page = pageOf(req, filterItems(req, [] as unknown[], (v) => v));
        return queryAnswer(page, { exact: true, remaining: -1 });
      },
    },
    {
      method: "GET",
      pattern: new RegExp(`${AGENTS}/(?<type>${TYPES})/(?<id>[^/]+)$`),
      apiVersion,
      handler: () => {
        throw notFound();
      },
    },
  ];
}
