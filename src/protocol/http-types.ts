// The request and response types live in core (services use them without a codec); kept here for the codecs' imports.
export type { ServiceRequest, ServiceResponse } from "../core/http-types.ts";
