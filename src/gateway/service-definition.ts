// Moved to core (services must not import the gateway); re-exported for the gateway's own files.
export type { Protocol, ServiceDefinition } from "../core/service-definition.ts";
export { operationContext, type AuthorizeExtra, type OperationContext, type OperationContextInput } from "../core/operation-context.ts";
