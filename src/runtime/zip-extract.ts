// Unpacking a function's zip into its code directory, safely against hostile archives. The rules:
// - every entry is placed by walking the directory as it is on disk, one component at a time: a
//   component that is a symbolic link or a file stops the archive, so nothing is ever written
//   through a link (whatever the file system's case folding or the order of the entries);
// - files are created with O_EXCL|O_NOFOLLOW, so a duplicate name (or one the file system folds
//   onto another) stops the archive instead of overwriting or following anything;
// - symbolic links are created as they come, and kept only if, once every entry is on disk, each
//   one's full resolution (following the links it meets, on disk) stays inside the directory;
// - names with "..", absolute names, NUL bytes, over-long names or paths, and special files
//   (devices, FIFOs, sockets) stop the archive; setuid/setgid/sticky bits are dropped.
// Everything this writes is under `dir`; a ZipError leaves a partial tree (without its links) for the caller
// to remove (the code store unpacks into a fresh staging directory).
import { closeSync, constants, fchmodSync, lstatSync, mkdirSync, openSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeSync } from "node:fs";
import { entrySegments } from "./zip-names.ts";
import { ZipError } from "./zip-error.ts";
import { entryData, listZip, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG, type ZipRecord } from "./zip.ts";

/** Linux's PATH_MAX, in bytes. */
const PATH_MAX = 4096;
/** Like the kernel's limit on links met while resolving one path (ELOOP). */
const MAX_LINK_HOPS = 40;
/** Files, links and directories one archive may create (hyperlocal's own bound; AWS states none). */
const MAX_CREATED = 300_000;
/** Path components looked up on disk while checking one archive's links: many long link targets would otherwise cost minutes. */
const MAX_RESOLVE_STEPS = 2_000_000;
const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Errors the kernel gives for names and trees a hostile archive asks for: the archive's fault. */
const ARCHIVE_ERRNOS = new Set(["EEXIST", "ENOTDIR", "EISDIR", "ELOOP", "ENAMETOOLONG", "EINVAL", "EILSEQ", "EMLINK"]);

export interface ExtractLimits {
  maxCreated: number;
  maxResolveSteps: number;
}

const DEFAULT_LIMITS: ExtractLimits = { maxCreated: MAX_CREATED, maxResolveSteps: MAX_RESOLVE_STEPS };

/** Unpack into dir (created if missing). Throws ZipError for anything malformed or hostile. `limits`: for tests. */
export function extractZip(buf: Buffer, dir: string, limits: ExtractLimits = DEFAULT_LIMITS): void {
  const records = listZip(buf);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tree = new CodeTree(realpathSync(dir), limits);
  try {
    for (const r of records) tree.add(r, () => entryData(buf, r));
    tree.checkLinks();
  } catch (e) {
    tree.removeLinks(); // a refused archive leaves no link behind, even in the tree the caller discards
    const code = (e as NodeJS.ErrnoException).code;
    if (code && ARCHIVE_ERRNOS.has(code)) throw new ZipError(`cannot unpack: ${(e as Error).message}`);
    throw e;
  }
}

type Kind = "file" | "directory" | "link";

function kindOf(r: ZipRecord): Kind {
  const type = r.mode === undefined ? 0 : r.mode & S_IFMT;
  if (r.name.endsWith("/") || r.name.endsWith("\\")) {
    if (type !== 0 && type !== S_IFDIR) throw new ZipError(`entry ${r.name} is named as a directory but is not one`);
    return "directory";
  }
  if (type === S_IFLNK) return "link";
  if (r.isDirectory) return "directory";
  if (type === 0 || type === S_IFREG) return "file";
  throw new ZipError(`special file (mode ${r.mode!.toString(8)}) in the archive: ${r.name}`);
}

class CodeTree {
  /** Directories (relative, "/"-joined) this tree created or checked: real directories, never links. */
  private readonly dirs = new Set<string>([""]);
  private readonly links: string[][] = [];
  private created = 0;
  private resolveSteps = 0;

  constructor(
    private readonly root: string,
    private readonly limits: ExtractLimits,
  ) {}

  add(r: ZipRecord, data: () => Buffer): void {
    const kind = kindOf(r);
    const segs = entrySegments(r.name);
    if (Buffer.byteLength(this.abs(segs)) >= PATH_MAX) throw new ZipError(`entry path too long: ${r.name.slice(0, 80)}…`);
    if (kind === "directory") {
      if (r.size !== 0) throw new ZipError(`directory entry ${r.name} has contents`);
      this.ensureDir(segs);
      return;
    }
    if (segs.length === 0) throw new ZipError(`entry ${r.name} names the code directory itself`);
    this.ensureDir(segs.slice(0, -1));
    const path = this.abs(segs);
    this.count();
    if (kind === "link") {
      const target = data().toString("utf8");
      checkLinkTarget(r.name, target);
      this.resolve(segs.slice(0, -1), target, { hops: 0 }, segs.join("/")); // early refusal; checkLinks decides
      symlinkSync(target, path); // EEXIST for a duplicate: the archive is refused
      this.links.push(segs);
      return;
    }
    const bytes = data();
    const perm = r.mode === undefined ? 0o644 : r.mode & 0o777;
    const fd = openSync(path, CREATE_FILE, perm);
    try {
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      fchmodSync(fd, perm); // the mode given to open is filtered by the umask
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Every link's full resolution, on the finished tree, stays inside the directory. Checked at
   * the end because a later entry can change where an earlier link leads (`a -> b/..` means
   * something else once `b` is a link).
   */
  checkLinks(): void {
    for (const segs of this.links) {
      const target = readlinkSync(this.abs(segs));
      this.resolve(segs.slice(0, -1), target, { hops: 0 }, segs.join("/"));
    }
  }

  removeLinks(): void {
    for (const segs of this.links) rmSync(this.abs(segs), { force: true });
  }

  /** Resolve `target` from the directory `from` (segments inside root) the way the kernel would. */
  private resolve(from: string[], target: string, count: { hops: number }, link: string): string[] {
    if (++count.hops > MAX_LINK_HOPS) throw new ZipError(`too many levels of symbolic links from ${link}`);
    if (target.startsWith("/")) throw new ZipError(`symbolic link ${link} leads outside the code directory`);
    let at = [...from];
    for (const part of target.split("/")) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (at.length === 0) throw new ZipError(`symbolic link ${link} leads outside the code directory`);
        at.pop();
        continue;
      }
      at.push(part);
      if (++this.resolveSteps > this.limits.maxResolveSteps) throw new ZipError("the archive's symbolic links take too long to resolve");
      // A missing component is followed by name only: stricter than the kernel, which would stop.
      const st = lstatOrUndefined(this.abs(at));
      if (st?.isSymbolicLink()) at = this.resolve(at.slice(0, -1), readlinkSync(this.abs(at)), count, link);
    }
    return at;
  }

  /** Walk segs from the root, creating missing directories; a link or a file on the way refuses the archive. */
  private ensureDir(segs: string[]): void {
    if (segs.length === 0 || this.dirs.has(segs.join("/"))) return;
    // Start below the deepest directory already known, so a deep tree costs its new components only.
    let known = segs.length - 1;
    while (known > 0 && !this.dirs.has(segs.slice(0, known).join("/"))) known--;
    let rel = segs.slice(0, known).join("/");
    for (let i = known; i < segs.length; i++) {
      rel = rel === "" ? segs[i] : `${rel}/${segs[i]}`;
      const path = `${this.root}/${rel}`;
      const st = lstatOrUndefined(path);
      if (!st) {
        this.count();
        mkdirSync(path, { mode: 0o755 });
      } else if (st.isSymbolicLink()) throw new ZipError(`entry ${segs.join("/")} would be written through the symbolic link ${rel}`);
      else if (!st.isDirectory()) throw new ZipError(`entry ${segs.join("/")} is under ${rel}, which is not a directory`);
      this.dirs.add(rel);
    }
  }

  /** A few thousand bytes of names can ask for thousands of nested directories: bound what one archive creates. */
  private count(): void {
    if (++this.created > this.limits.maxCreated) throw new ZipError(`the archive creates more than ${this.limits.maxCreated} files and directories`);
  }

  private abs(segs: string[]): string {
    return segs.length === 0 ? this.root : `${this.root}/${segs.join("/")}`;
  }
}

function checkLinkTarget(name: string, target: string): void {
  if (target.length === 0 || target.includes("\0")) throw new ZipError(`invalid symbolic link target in ${name}`);
  if (Buffer.byteLength(target) >= PATH_MAX) throw new ZipError(`symbolic link target too long in ${name}`);
  if (target.startsWith("/")) throw new ZipError(`symbolic link ${name} leads outside the code directory`);
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw e;
  }
}
