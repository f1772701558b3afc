/** The public construct library: tenant configuration as code for PingOne AIC and PingAM. */
export { AicTenant, TenantCredentials } from "./aic-tenant";
export type { CustomResourceType } from "./private/custom-resource";
export type {
  AicTenantProps,
  AmAdminCredentialsOptions,
  BearerTokenCredentialsOptions,
  ServiceAccountCredentialsOptions,
} from "./aic-tenant";
export { TenantStack } from "./tenant-stack";
export type { TenantStackProps } from "./tenant-stack";
export { OAuth2ProviderGrants } from "./oauth2-provider-grants";
export type { OAuth2ProviderGrantsProps, RemovalPolicy } from "./oauth2-provider-grants";
export type { ObjectRemovalPolicy } from "./private/client";
export { ConfidentialWebApp } from "./confidential-web-app";
export type { ConfidentialWebAppProps, IConfidentialWebApp } from "./confidential-web-app";
export { SinglePageApp } from "./single-page-app";
export type { SinglePageAppProps } from "./single-page-app";
export { NativeApp } from "./native-app";
export type { NativeAppProps } from "./native-app";
export { ServiceApp } from "./service-app";
export type { ServiceAppAuthMethod, ServiceAppProps } from "./service-app";
export { PublicKeys } from "./public-keys";
export type { PublicJwk, PublicJwkSet } from "./public-keys";
export type { ApplicationProps, PublicClientProps } from "./private/application";
export { AiAgent } from "./ai-agent";
export type { AgentActsBy, AiAgentProps, AiAgentProviderOverrides, GrantAccessOptions, IAiAgent } from "./ai-agent";
export { MayActRule } from "./may-act-rule";
export type { MayActRuleProps } from "./may-act-rule";
export { AgentApplicationGrant } from "./agent-application-grant";
export type { AgentApplicationGrantProps } from "./agent-application-grant";
export { EnvironmentSecret, EnvironmentVariable } from "./environment";
export type { EnvironmentSecretProps, EnvironmentVariableProps } from "./environment";
export { Secret } from "./secret";
export type { EsvSecretReference, SecretFromEnvOptions, SecretFromEsvOptions, SecretSource } from "./secret";
export { SecretMapping } from "./secret-mapping";
export type { SecretMappingProps } from "./secret-mapping";
export { StackValidationError, ValidationError, VALIDATION_CODES } from "./errors";
export type { ValidationCode } from "./errors";
export { EMBEDDED_TENANT_URL, GRANT_TYPES } from "../src/contract/constants";
