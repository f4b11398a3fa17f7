export { Hyperplane } from "./hyperplane.ts";
export { comboKey } from "./combo-key.ts";
export { DEFAULT_SETTINGS, REALISTIC_SETTINGS } from "./types.ts";
export type { AttachRequest, AttachStatus, ComboRec, FailureCode, HyperplaneSettings } from "./types.ts";
