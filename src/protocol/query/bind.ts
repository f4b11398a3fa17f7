// Binds a query-protocol service model to the wire: form parameters in, XML out, errors in the
// protocol's shape. The service never sees a codec.
import type { QueryServiceModel } from "../../core/service-model.ts";
import type { ServiceDefinition } from "../../core/service-definition.ts";
import type { OperationContext } from "../../core/operation-context.ts";
import { renderEc2Error } from "../ec2-query/codec.ts";
import { renderQueryError } from "./codec.ts";
import { queryDispatcher, type QueryOperation } from "./dispatch.ts";

export function bindQueryService(model: QueryServiceModel): ServiceDefinition {
  // An SDK output shape is a tree of members, lists and scalars: exactly what the XML writer renders.
  const operations = model.operations as Record<string, QueryOperation<OperationContext>>;
  const handle = queryDispatcher<OperationContext>({ protocol: model.protocol, version: model.version, xmlns: model.xmlns, operations });
  return {
    signingName: model.signingName,
    protocol: model.protocol,
    maxBodyBytes: model.maxBodyBytes,
    handle,
    renderError: model.protocol === "ec2-query" ? (err, requestId) => renderEc2Error(err, requestId) : (err, requestId) => renderQueryError(err, model.xmlns, requestId),
    accessDenied: model.accessDenied,
    onReset: model.onReset,
    onShutdown: model.onShutdown,
  };
}
