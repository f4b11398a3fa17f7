/**
 * An operation's output as a tree of members, lists and scalars, whatever the wire will carry:
 * the query codecs write it as XML (lists as <item> or <member>), undefined and null are left out.
 * A view a service keeps unchanged (EC2's network interfaces) is frozen, and the codec may
 * render it once.
 */
export type OutputValue = string | number | boolean | null | undefined | OutputObject | OutputValue[];
export interface OutputObject {
  [member: string]: OutputValue;
}

/**
 * A document answer (S3's REST-XML): the root element and its members; a list repeats its
 * member's name (S3's flattened lists). Members given as [name, value] pairs keep their order
 * where different names interleave (ListObjectVersions' Version and DeleteMarker); a string is
 * the root's own text (GetBucketLocation).
 */
export interface OutputDocument {
  root: string;
  members: OutputObject | [string, OutputValue][] | string;
}
