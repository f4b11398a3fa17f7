/** One property in the generated specification (see scripts/generate-cfn-resource-spec.mjs). */
export interface SpecProperty {
  /** Type expression: string, integer, number, boolean, json, tag, date-time, [T] list, {T} map, #Def, a|b. */
  t: string;
  /** Required. */
  r?: 1;
  /** Update behaviour: I Immutable (replacement), C Conditional; absent means Mutable. */
  u?: "I" | "C";
}

export interface SpecType {
  properties: Record<string, SpecProperty>;
  attributes: string[];
  /** The type takes tags. */
  tagged?: 1;
}

export interface SpecData {
  types: Record<string, SpecType>;
  /** Property types (nested structures), named "<resource type>.<name>". */
  definitions: Record<string, Record<string, SpecProperty>>;
}
