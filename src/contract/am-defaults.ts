/**
 * Defaults of AM objects as a fresh AIC tenant returns them, taken from the recorded 201 bodies
 * (fixtures aiagent-create.json: the newest attribute set) and the recorded provider service.
 * Client attributes are listed raw: `null` means unset, which AM shows as `{"inherited":false}` on
 * read and as `null` in query results.
 */

/** Attribute groups of an OAuth2Client / AIAgent whose values AM wraps as `{inherited, value}`. */
export const WRAPPED_CLIENT_GROUPS: Record<string, Record<string, unknown>> = {
  advancedOAuth2ClientConfig: {
    logoUri: [],
    subjectType: "public",
    clientUri: [],
    tokenExchangeAuthLevel: 0,
    responseTypes: ["code", "token", "id_token", "code token", "token id_token", "code id_token", "code token id_token", "device_code", "device_code id_token"],
    mixUpMitigation: false,
    customProperties: [],
    javascriptOrigins: [],
    policyUri: [],
    softwareVersion: null,
    tosURI: [],
    sectorIdentifierUri: null,
    tokenEndpointAuthMethod: "client_secret_basic",
    refreshTokenGracePeriod: 0,
    isConsentImplied: false,
    softwareIdentity: null,
    grantTypes: ["authorization_code"],
    allowedResourceServerAudienceValues: [],
    require_pushed_authorization_requests: false,
    descriptions: [],
    requestUris: [],
    name: [],
    contacts: [],
    updateAccessToken: null,
    acceptedJwtIssuers: [],
    introspectionPolicySets: [],
    treeName: "[Empty]",
  },
  signEncOAuth2ClientConfig: {
    tokenEndpointAuthSigningAlgorithm: "RS256",
    idTokenEncryptionEnabled: false,
    tokenIntrospectionEncryptedResponseEncryptionAlgorithm: "A128CBC-HS256",
    requestParameterSignedAlg: null,
    authorizationResponseSigningAlgorithm: "RS256",
    clientJwtPublicKey: null,
    idTokenPublicEncryptionKey: null,
    mTLSSubjectDN: null,
    jwkStoreCacheMissCacheTime: 60000,
    jwkSet: null,
    idTokenEncryptionMethod: "A128CBC-HS256",
    jwksUri: null,
    tokenIntrospectionEncryptedResponseAlg: "RSA-OAEP-256",
    authorizationResponseEncryptionMethod: null,
    userinfoResponseFormat: "JSON",
    mTLSCertificateBoundAccessTokens: false,
    publicKeyLocation: "jwks_uri",
    tokenIntrospectionResponseFormat: "JSON",
    requestParameterEncryptedEncryptionAlgorithm: "A128CBC-HS256",
    userinfoSignedResponseAlg: null,
    idTokenEncryptionAlgorithm: "RSA-OAEP-256",
    requestParameterEncryptedAlg: null,
    authorizationResponseEncryptionAlgorithm: null,
    mTLSTrustedCert: null,
    jwksCacheTimeout: 3600000,
    userinfoEncryptedResponseAlg: null,
    idTokenSignedResponseAlg: "RS256",
    tokenIntrospectionSignedResponseAlg: "RS256",
    userinfoEncryptedResponseEncryptionAlgorithm: "A128CBC-HS256",
  },
  coreOAuth2ClientConfig: {
    secretLabelIdentifier: null,
    status: "Active",
    clientName: [],
    clientType: "Confidential",
    loopbackInterfaceRedirection: false,
    defaultScopes: [],
    refreshTokenLifetime: 0,
    scopes: [],
    accessTokenLifetime: 0,
    redirectionUris: [],
    authorizationCodeLifetime: 0,
  },
  coreOpenIDClientConfig: {
    claims: [],
    backchannel_logout_uri: null,
    defaultAcrValues: [],
    jwtTokenLifetime: 0,
    defaultMaxAgeEnabled: false,
    clientSessionUri: null,
    defaultMaxAge: 600,
    postLogoutRedirectUri: [],
    backchannel_logout_session_required: false,
  },
  coreUmaClientConfig: {
    claimsRedirectionUris: [],
  },
};

/** The one group AM keeps raw on read and write. */
export const OVERRIDE_GROUP = "overrideOAuth2ClientConfig";

export const OVERRIDE_DEFAULTS: Record<string, unknown> = {
  issueRefreshToken: true,
  validateScopePluginType: "PROVIDER",
  tokenEncryptionEnabled: false,
  enableApplicationContext: false,
  acceptAudienceParametersInTokenExchangeRequests: false,
  evaluateScopePluginType: "PROVIDER",
  oidcMayActScript: "[Empty]",
  oidcClaimsScript: "[Empty]",
  scopesPolicySet: "oauth2Scopes",
  accessTokenModificationPluginType: "PROVIDER",
  authorizeEndpointDataProviderClass: "org.forgerock.oauth2.core.plugins.registry.DefaultEndpointDataProvider",
  useForceAuthnForMaxAge: false,
  oidcClaimsPluginType: "PROVIDER",
  providerOverridesEnabled: false,
  authorizeEndpointDataProviderScript: "[Empty]",
  statelessTokensEnabled: false,
  authorizeEndpointDataProviderPluginType: "PROVIDER",
  remoteConsentServiceId: null,
  enableRemoteConsent: false,
  validateScopeClass: "org.forgerock.oauth2.core.plugins.registry.DefaultScopeValidator",
  usePolicyEngineForScope: false,
  evaluateScopeClass: "org.forgerock.oauth2.core.plugins.registry.DefaultScopeEvaluator",
  overrideableOIDCClaims: [],
  accessTokenMayActScript: "[Empty]",
  evaluateScopeScript: "[Empty]",
  clientsCanSkipConsent: false,
  accessTokenModificationScript: "[Empty]",
  issueRefreshTokenOnRefreshedToken: true,
  validateScopeScript: "[Empty]",
};

/** The AM versions the embedded tenant can play; see AM_VERSION_ATTRIBUTES. */
export type AmVersion = "aic-recorded" | "aic-2026-08";

/** The version a tenant plays unless told otherwise: current AIC. */
export const CURRENT_AM_VERSION: AmVersion = "aic-2026-08";

/**
 * The client attributes (per group, with AM's defaults, raw) each AM version knows beyond the
 * recorded ones above; a PUT naming an attribute its version does not know is refused.
 * - `aic-recorded`: exactly the attributes of the recordings (frodo-lib's AIC traffic).
 * - `aic-2026-08`: what a current AIC tenant's OAuth2Client/AIAgent template adds [inf: from a
 *   third-party field catalog taken from a live tenant's template in August 2026, not from a
 *   recording; groups and defaults as listed there]. Exports of current tenants carry these, so an
 *   import must take them.
 */
export const AM_VERSION_ATTRIBUTES: Record<AmVersion, Record<string, Record<string, unknown>>> = {
  "aic-recorded": {},
  "aic-2026-08": {
    coreOAuth2ClientConfig: { authorizationDetailTypes: [] },
    advancedOAuth2ClientConfig: { tlsCaSecretLabelIdentifier: null },
    overrideOAuth2ClientConfig: { tlsClientCertificateChainValidationEnabled: false, useTokenIntrospectionClaimForJWT: false },
  },
};

/** Every client group with its attributes' defaults (raw) as `version` knows them, the override group included. */
export function clientDefaults(version: AmVersion = CURRENT_AM_VERSION): Record<string, Record<string, unknown>> {
  const added = AM_VERSION_ATTRIBUTES[version];
  const groups: Record<string, Record<string, unknown>> = { ...WRAPPED_CLIENT_GROUPS, [OVERRIDE_GROUP]: OVERRIDE_DEFAULTS };
  return Object.fromEntries(Object.entries(groups).map(([group, attrs]) => [group, { ...attrs, ...added[group] }]));
}

/**
 * Attributes AM lists (as null) only in query results, yet accepts on write [rec:
 * aiagent-delete.json's query answer has them, no GET does].
 */
export const QUERY_ONLY_ATTRIBUTES: Record<string, readonly string[]> = {
  overrideOAuth2ClientConfig: ["oidcClaimsClass", "customLoginUrlTemplate", "accessTokenModifierClass"],
  coreOAuth2ClientConfig: ["agentgroup"],
};

/** The write-only client secret attribute (in coreOAuth2ClientConfig). */
export const SECRET_ATTRIBUTE = "userpassword";

/** AIAgent-only groups, wrapped: the IDM identity AM keeps in step with the agent. */
export const AI_AGENT_GROUPS = ["aiAgentIdentityAttributes", "aiAgentIdentityUid"] as const;

export const AM_TYPES = {
  OAuth2Client: { _id: "OAuth2Client", name: "OAuth2 Clients", collection: true },
  AIAgent: { _id: "AIAgent", name: "AI Agents", collection: true },
  provider: { _id: "oauth-oidc", name: "OAuth2 Provider", collection: false },
} as const;

/**
 * The oauth-oidc provider service of a fresh tenant (plain values): the recorded one without the
 * password and token-exchange grants, which the seed's Task 1 must switch on, and with the AI
 * agents feature off until `POST /environment/aiagent?_action=enable`. A PUT resets every
 * attribute it leaves out to these values.
 */
export const PROVIDER_DEFAULTS: Record<string, Record<string, unknown>> = {
  advancedOIDCConfig: {
    supportedRequestParameterEncryptionEnc: ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
    authorisedOpenIdConnectSSOClients: [],
    supportedUserInfoEncryptionAlgorithms: ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "RSA-OAEP", "ECDH-ES+A128KW", "RSA-OAEP-256", "A128KW", "A256KW", "ECDH-ES", "dir", "A192KW"],
    supportedAuthorizationResponseEncryptionEnc: ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
    supportedTokenIntrospectionResponseEncryptionAlgorithms: ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "RSA-OAEP", "ECDH-ES+A128KW", "RSA-OAEP-256", "A128KW", "A256KW", "ECDH-ES", "dir", "A192KW"],
    useForceAuthnForPromptLogin: false,
    useForceAuthnForMaxAge: false,
    alwaysAddClaimsToToken: true,
    supportedTokenIntrospectionResponseSigningAlgorithms: ["PS384", "RS384", "EdDSA", "ES384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
    supportedTokenEndpointAuthenticationSigningAlgorithms: ["PS384", "ES384", "RS384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
    supportedRequestParameterSigningAlgorithms: ["PS384", "ES384", "RS384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
    includeAllKtyAlgCombinationsInJwksUri: false,
    amrMappings: {},
    loaMapping: {},
    authorisedIdmDelegationClients: [],
    idTokenInfoClientAuthenticationEnabled: true,
    storeOpsTokens: true,
    supportedUserInfoSigningAlgorithms: ["ES384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512"],
    supportedAuthorizationResponseSigningAlgorithms: ["PS384", "RS384", "EdDSA", "ES384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
    supportedUserInfoEncryptionEnc: ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
    claimsParameterSupported: false,
    supportedTokenIntrospectionResponseEncryptionEnc: ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
    supportedAuthorizationResponseEncryptionAlgorithms: ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "RSA-OAEP", "ECDH-ES+A128KW", "RSA-OAEP-256", "A128KW", "A256KW", "ECDH-ES", "dir", "A192KW"],
    supportedRequestParameterEncryptionAlgorithms: ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "ECDH-ES+A128KW", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A256KW", "ECDH-ES", "dir", "A192KW"],
    defaultACR: [],
  },
  advancedOAuth2Config: {
    passwordGrantAuthService: "Login",
    tokenCompressionEnabled: false,
    tokenEncryptionEnabled: false,
    requirePushedAuthorizationRequests: false,
    tlsCertificateBoundAccessTokensEnabled: true,
    includeSubnameInTokenClaims: true,
    defaultScopes: ["address", "phone", "openid", "profile", "email"],
    moduleMessageEnabledInPasswordGrant: false,
    allowClientCredentialsInTokenRequestQueryParameters: true,
    supportedSubjectTypes: ["public", "pairwise"],
    refreshTokenGracePeriod: 0,
    tlsClientCertificateHeaderFormat: "URLENCODED_PEM",
    hashSalt: "&{am.oidc.client.subject.identifier.hash.salt}",
    macaroonTokenFormat: "V2",
    maxAgeOfRequestObjectNbfClaim: 0,
    tlsCertificateRevocationCheckingEnabled: false,
    nbfClaimRequiredInRequestObject: false,
    requestObjectProcessing: "OIDC",
    maxDifferenceBetweenRequestObjectNbfAndExp: 0,
    responseTypeClasses: ["code|org.forgerock.oauth2.core.AuthorizationCodeResponseTypeHandler", "device_code|org.forgerock.oauth2.core.TokenResponseTypeHandler", "token|org.forgerock.oauth2.core.TokenResponseTypeHandler", "id_token|org.forgerock.openidconnect.IdTokenResponseTypeHandler"],
    expClaimRequiredInRequestObject: false,
    tokenValidatorClasses: ["urn:ietf:params:oauth:token-type:id_token|org.forgerock.oauth2.core.tokenexchange.idtoken.OidcIdTokenValidator", "urn:ietf:params:oauth:token-type:access_token|org.forgerock.oauth2.core.tokenexchange.accesstoken.OAuth2AccessTokenValidator"],
    tokenSigningAlgorithm: "HS256",
    codeVerifierEnforced: "false",
    displayNameAttribute: "cn",
    tokenExchangeClasses: ["urn:ietf:params:oauth:token-type:access_token=>urn:ietf:params:oauth:token-type:access_token|org.forgerock.oauth2.core.tokenexchange.accesstoken.AccessTokenToAccessTokenExchanger", "urn:ietf:params:oauth:token-type:id_token=>urn:ietf:params:oauth:token-type:id_token|org.forgerock.oauth2.core.tokenexchange.idtoken.IdTokenToIdTokenExchanger", "urn:ietf:params:oauth:token-type:access_token=>urn:ietf:params:oauth:token-type:id_token|org.forgerock.oauth2.core.tokenexchange.accesstoken.AccessTokenToIdTokenExchanger", "urn:ietf:params:oauth:token-type:id_token=>urn:ietf:params:oauth:token-type:access_token|org.forgerock.oauth2.core.tokenexchange.idtoken.IdTokenToAccessTokenExchanger"],
    parRequestUriLifetime: 90,
    allowedAudienceValues: [],
    persistentClaims: [],
    supportedScopes: ["email|Your email address", "openid|", "address|Your postal address", "phone|Your telephone number(s)", "profile|Your personal information", "fr:idm:*", "am-introspect-all-tokens"],
    authenticationAttributes: ["uid"],
    grantTypes: ["implicit", "urn:ietf:params:oauth:grant-type:saml2-bearer", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code", "authorization_code", "urn:openid:params:grant-type:ciba", "urn:ietf:params:oauth:grant-type:uma-ticket", "urn:ietf:params:oauth:grant-type:jwt-bearer"],
  },
  clientDynamicRegistrationConfig: {
    dynamicClientRegistrationScope: "dynamic_client_registration",
    allowDynamicRegistration: false,
    requiredSoftwareStatementAttestedAttributes: ["redirect_uris"],
    dynamicClientRegistrationSoftwareStatementRequired: false,
    generateRegistrationAccessTokens: true,
  },
  coreOIDCConfig: {
    overrideableOIDCClaims: [],
    oidcDiscoveryEndpointEnabled: true,
    supportedIDTokenEncryptionMethods: ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
    supportedClaims: [],
    supportedIDTokenSigningAlgorithms: ["PS384", "ES384", "RS384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
    supportedIDTokenEncryptionAlgorithms: ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "RSA-OAEP", "ECDH-ES+A128KW", "RSA-OAEP-256", "A128KW", "A256KW", "ECDH-ES", "dir", "A192KW"],
    jwtTokenLifetime: 3600,
  },
  coreOAuth2Config: {
    refreshTokenLifetime: 604800,
    scopesPolicySet: "oauth2Scopes",
    accessTokenMayActScript: "[Empty]",
    accessTokenLifetime: 3600,
    macaroonTokensEnabled: false,
    codeLifetime: 120,
    statelessTokensEnabled: true,
    usePolicyEngineForScope: false,
    issueRefreshToken: true,
    oidcMayActScript: "[Empty]",
    issueRefreshTokenOnRefreshedToken: true,
  },
  consent: {
    supportedRcsRequestSigningAlgorithms: ["PS384", "ES384", "RS384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
    supportedRcsResponseEncryptionAlgorithms: ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "ECDH-ES+A128KW", "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A256KW", "ECDH-ES", "dir", "A192KW"],
    supportedRcsRequestEncryptionMethods: ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
    enableRemoteConsent: false,
    supportedRcsRequestEncryptionAlgorithms: ["ECDH-ES+A256KW", "ECDH-ES+A192KW", "RSA-OAEP", "ECDH-ES+A128KW", "RSA-OAEP-256", "A128KW", "A256KW", "ECDH-ES", "dir", "A192KW"],
    clientsCanSkipConsent: true,
    supportedRcsResponseSigningAlgorithms: ["PS384", "ES384", "RS384", "HS256", "HS512", "ES256", "RS256", "HS384", "ES512", "PS256", "PS512", "RS512"],
    supportedRcsResponseEncryptionMethods: ["A256GCM", "A192GCM", "A128GCM", "A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512"],
  },
  deviceCodeConfig: {
    deviceUserCodeLength: 8,
    deviceCodeLifetime: 300,
    deviceUserCodeCharacterSet: "234567ACDEFGHJKLMNPQRSTWXYZabcdefhijkmnopqrstwxyz",
    devicePollInterval: 5,
  },
  pluginsConfig: {
    evaluateScopeClass: "org.forgerock.openam.oauth2.OpenAMScopeValidator",
    validateScopeScript: "[Empty]",
    accessTokenEnricherClass: "org.forgerock.openam.oauth2.OpenAMScopeValidator",
    oidcClaimsPluginType: "SCRIPTED",
    authorizeEndpointDataProviderClass: "org.forgerock.openam.oauth2.OpenAMScopeValidator",
    authorizeEndpointDataProviderPluginType: "JAVA",
    userCodeGeneratorClass: "org.forgerock.oauth2.core.plugins.registry.DefaultUserCodeGenerator",
    evaluateScopeScript: "[Empty]",
    oidcClaimsClass: "org.forgerock.openam.oauth2.OpenAMScopeValidator",
    evaluateScopePluginType: "JAVA",
    authorizeEndpointDataProviderScript: "[Empty]",
    accessTokenModifierClass: "org.forgerock.openam.oauth2.OpenAMScopeValidator",
    accessTokenModificationScript: "39c08084-1238-43e8-857f-2e11005eac49",
    validateScopePluginType: "JAVA",
    accessTokenModificationPluginType: "SCRIPTED",
    oidcClaimsScript: "cf3515f0-8278-4ee3-a530-1bad7424c416",
    validateScopeClass: "org.forgerock.openam.oauth2.OpenAMScopeValidator",
  },
  cibaConfig: {
    cibaMinimumPollingInterval: 2,
    supportedCibaSigningAlgorithms: ["ES256", "PS256"],
    cibaAuthReqIdLifetime: 600,
  },
  aiAgentsConfig: {
    aiAgentsEnabled: false,
  },
};
