// Entry names in function zips: what path each one stands for, and which names no entry may have.
import { ZipError } from "./zip-error.ts";

/** Linux's NAME_MAX, in bytes. */
const NAME_MAX = 255;

/** The path segments an entry name stands for; ZipError for a name no entry may have. */
export function entrySegments(name: string): string[] {
  if (name.length === 0 || name.includes("\0")) throw new ZipError("invalid entry name");
  // Zips made on Windows may separate with backslashes; Info-ZIP's unzip reads them as "/" too.
  const unified = name.replace(/\\/g, "/");
  if (unified.startsWith("/") || /^[a-zA-Z]:/.test(unified)) throw new ZipError(`absolute entry path: ${name}`);
  const segments = unified.split("/").filter((s) => s !== "" && s !== ".");
  for (const s of segments) {
    if (s === "..") throw new ZipError(`entry path leaves the directory: ${name}`);
    if (Buffer.byteLength(s) > NAME_MAX) throw new ZipError(`entry name longer than ${NAME_MAX} bytes: ${name.slice(0, 80)}…`);
  }
  return segments;
}

