/** The engine: per kind, read live state → pure diff of owned fields → apply or delete. */
export { type EngineOptions } from "./apply";
export { applySpec, deleteIdentity } from "../kinds";
export { syncTenant, type SyncInput, type SyncOptions, type SyncOutcome } from "./sync";
export { formatResult, type ObjectResult, type Action } from "./result";
export { type FieldChange } from "./fields";
export { describeChange } from "./wording";
export { EngineError, type EngineErrorCode } from "./errors";
export { readWebApps, readAiAgents, readAgentGrants, resolveUsers, resolveGroups, findApplication } from "./live";
export { planProviderGrants, planProviderRemoval } from "./provider-grants";
export { planWebApp } from "./web-app";
export { planAiAgent } from "./ai-agent";
export { planAgentGrant } from "./agent-grant";
