// Evidence that can be verified. `manifest.json` records the sha256 of every evidence file `drkit check
// --report` wrote and of every input that decided the verdict, with the git state and the tools, so that an
// edited report, or a checkout that no longer matches the one that was checked, is told apart from the real
// thing; `manifest.sig` (optional) binds the manifest to an Ed25519 key. The commit alone could not do this:
// an uncommitted edit that turns FAILED into PASSED has the same commit.
import { execFileSync } from "child_process";
import { createHash, createPrivateKey, createPublicKey, KeyObject, sign, verify } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./project";

export const MANIFEST_FILE = "manifest.json";
export const SIGNATURE_FILE = "manifest.sig";
/** The manifest's format. A reader refuses any other: a field it does not know could be one that matters. */
export const MANIFEST_VERSION = 1;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** A file and its digest (`sha256:<hex>`); `path` uses `/` and is relative to the root its list states. */
export interface FileDigest {
  readonly path: string;
  readonly digest: string;
}

/** The commit the report was written at, and what the work tree held that the commit does not. */
export interface GitState {
  readonly commit: string;
  readonly dirty: boolean;
  /** paths (relative to the repository root) that are modified, added, deleted, renamed or untracked */
  readonly changedPaths: string[];
}

/** The groups of inputs, in the order they are reported. */
export const INPUT_GROUPS = ["program", "lockfile", "policyPack", "stackConfig", "policyConfig"] as const;
export type InputGroup = (typeof INPUT_GROUPS)[number];

/** How each group is named in `drkit verify`'s output. */
export const INPUT_GROUP_LABELS: Record<InputGroup, string> = {
  program: "program source",
  lockfile: "lockfile",
  policyPack: "policy pack",
  stackConfig: "stack config",
  policyConfig: "policy config",
};

/**
 * Where the inputs are, relative to `root`, so that `drkit verify` can choose them again in the same way
 * and see a file that was added as well as one that changed.
 */
export interface InputLocations {
  /** absolute: the git checkout's top folder when the program is in one, else the program's folder */
  readonly root: string;
  readonly programDir: string;
  readonly policyPackDir: string;
  readonly stackConfigFile: string | null;
  readonly policyConfigFile: string | null;
  /** folders left out of the program's files and of the git state: the report's, when in the checkout */
  readonly excluded: string[];
}

export interface ManifestInputs extends InputLocations {
  /** how the program's files were chosen: `git` (tracked and untracked, not ignored) or `walk` */
  readonly programSelection: ProgramSelection;
  readonly files: Record<InputGroup, FileDigest[]>;
}

export interface ManifestSignature {
  readonly algorithm: "ed25519";
  readonly file: typeof SIGNATURE_FILE;
  /** the sha256 of the signing key's public half (SPKI DER), to tell a wrong key from a changed report */
  readonly publicKey: string;
}

export interface Manifest {
  readonly manifestVersion: typeof MANIFEST_VERSION;
  readonly createdAt: string;
  readonly drkit: string;
  readonly node: string;
  /** null when the program is not in a git checkout */
  readonly git: GitState | null;
  /** the evidence files, relative to the report folder */
  readonly evidence: FileDigest[];
  readonly inputs: ManifestInputs;
  /** null when the report is not signed */
  readonly signature: ManifestSignature | null;
}

// ---------------------------------------------------------------------------------------------------------
// Hashing and paths

export function sha256Digest(content: string | Buffer): string {
  return `sha256:${createHash("sha256").update(content).digest("hex")}`;
}

/** Code-unit order, not `localeCompare`: the same paths sort the same on every machine and locale. */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `file` relative to `root`, with `/` on every platform (`.` for the root itself). */
export function relativePath(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/") || ".";
}

function resolveFrom(root: string, relative: string): string {
  return path.resolve(root, ...relative.split("/"));
}

/** The real path, so that a symlinked /tmp or node_modules link gives the same relative paths as git. */
function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** Digests of `paths` (relative to `root`), sorted; a path that is no longer a file is left out. */
export function digestFiles(root: string, paths: readonly string[]): FileDigest[] {
  return [...new Set(paths)]
    .sort(comparePaths)
    .filter((p) => isFile(resolveFrom(root, p)))
    .map((p) => {
      const file = resolveFrom(root, p);
      let content: Buffer;
      try {
        content = fs.readFileSync(file);
      } catch {
        // A file that cannot be hashed is not left out: the manifest would then vouch for less than it says.
        throw new UsageError(`cannot read ${file} to hash it: make it readable by drkit`);
      }
      return { path: p, digest: sha256Digest(content) };
    });
}

function isUnder(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

// ---------------------------------------------------------------------------------------------------------
// Git

function git(dir: string, args: string[]): string | null {
  try {
    return execFileSync("git", args, {
      cwd: dir,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch {
    return null;
  }
}

/** The top folder of the git checkout `dir` is in, or null (not a checkout, or no git). */
export function gitToplevel(dir: string): string | null {
  const top = git(dir, ["rev-parse", "--show-toplevel"])?.trim();
  return top ? realPath(top) : null;
}

/**
 * Paths from `git status --porcelain -z` (relative to the repository root): both sides of a rename or copy,
 * untracked files one by one.
 */
export function parsePorcelainPaths(output: string): string[] {
  const fields = output.split("\0");
  const paths: string[] = [];
  let from = false;
  for (const entry of fields) {
    // A rename or copy is followed by the path it came from, in a field of its own.
    if (from) {
      if (entry !== "") paths.push(entry);
      from = false;
    } else if (entry.length >= 4) {
      paths.push(entry.slice(3));
      from = /[RC]/.test(entry.slice(0, 2));
    }
  }
  return [...new Set(paths)].sort(comparePaths);
}

/**
 * The commit of the checkout `dir` is in, and every path of the whole work tree that differs from it —
 * untracked files included, ignored ones not — except under `excluded` (absolute folders: the report's).
 * The whole tree, not just the program's folder: a program imports code from elsewhere in its repository,
 * which the commit then no longer describes.
 */
export function gitState(dir: string, excluded: readonly string[] = []): GitState | null {
  const top = gitToplevel(dir);
  if (top === null) return null;
  const commit = git(top, ["rev-parse", "--verify", "HEAD"])?.trim() ?? "";
  const status = git(top, ["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
  if (status === null) return null;
  const changedPaths = parsePorcelainPaths(status).filter(
    (p) => !excluded.some((ex) => isUnder(ex, resolveFrom(top, p))),
  );
  // A repository without a commit yet has nothing the evidence can point at; "(none)" says so.
  return { commit: commit || "(none)", dirty: changedPaths.length > 0, changedPaths };
}

// ---------------------------------------------------------------------------------------------------------
// Choosing the inputs

export type ProgramSelection = "git" | "walk";

/** Folders never walked into: installed dependencies (pinned by the lockfile instead) and git's own. */
const SKIPPED_FOLDERS = new Set(["node_modules", ".git"]);

function walk(dir: string, keep: (file: string) => boolean, excluded: readonly string[]): string[] {
  const files: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return files;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (SKIPPED_FOLDERS.has(entry.name) || excluded.some((ex) => isUnder(ex, full))) continue;
    // Real folders only: a symlinked folder can loop, or lead out of the project.
    if (entry.isDirectory()) files.push(...walk(full, keep, excluded));
    else if (isFile(full) && keep(full)) files.push(full);
  }
  return files;
}

/**
 * The program's files (absolute). In a git checkout: `git ls-files --cached --others --exclude-standard`
 * of its folder, i.e. what is tracked plus what is new and not ignored — a new file the program imports
 * decides the verdict as much as a tracked one, and ignored files are build output or secrets. Elsewhere,
 * or when git lists nothing there (the folder is ignored): every file under it. node_modules (the lockfile
 * pins it) and the excluded folders (the report) are left out either way.
 */
export function programFiles(
  programDir: string,
  excluded: readonly string[],
): { selection: ProgramSelection; files: string[] } {
  const dir = realPath(programDir);
  // Below the program's folder only: a program may itself live under a folder named node_modules.
  const keep = (file: string) =>
    !path
      .relative(dir, file)
      .split(path.sep)
      .some((part) => SKIPPED_FOLDERS.has(part)) && !excluded.some((ex) => isUnder(ex, file));
  if (gitToplevel(dir) !== null) {
    const listed = git(dir, ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."]);
    const files = (listed ?? "")
      .split("\0")
      .filter((f) => f !== "")
      .map((f) => path.join(dir, f))
      .filter((f) => keep(f) && isFile(f));
    if (files.length > 0) return { selection: "git", files: [...new Set(files)] };
  }
  return { selection: "walk", files: walk(dir, keep, excluded) };
}

export const LOCKFILES = ["pnpm-lock.yaml", "package-lock.json", "yarn.lock"];

/**
 * The lockfile(s) of the nearest folder, from the program's up, that has one: where the package manager
 * pinned what the program and the pack load. Up to the file system's root, as Node resolves modules.
 */
export function nearestLockfiles(programDir: string): string[] {
  let dir = realPath(programDir);
  for (;;) {
    const found = LOCKFILES.map((name) => path.join(dir, name)).filter(isFile);
    if (found.length > 0) return found;
    const parent = path.dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}

/** Extensions of what a pack loads or is configured by: its code, package.json, PulumiPolicy.yaml. */
const PACK_FILE = /\.(ts|mts|cts|js|mjs|cjs|json|ya?ml)$/;
const TEST_FOLDERS = new Set(["test", "tests", "__tests__"]);

/**
 * The policy pack's files (absolute): its code and config (`PulumiPolicy.yaml`, `package.json`,
 * `tsconfig.json`, `*.ts`, `*.js`, …), without node_modules and without its tests (`test/`, `*.test.*`,
 * `*.spec.*`): tests never run in a check, so a changed test does not change a verdict.
 */
export function policyPackFiles(packDir: string): string[] {
  const dir = realPath(packDir);
  return walk(
    dir,
    (file) => {
      const name = path.basename(file);
      const folders = path.relative(dir, path.dirname(file)).split(path.sep);
      return (
        PACK_FILE.test(name) &&
        !/\.(test|spec)\.[cm]?[jt]s$/.test(name) &&
        !folders.some((part) => TEST_FOLDERS.has(part))
      );
    },
    [],
  );
}

/**
 * Refuses a report folder that is the program's folder or holds it: `drkit verify` reports every file in a
 * report folder that the manifest does not list, and leaving the report's folder out of the program's files
 * would leave the program out with it.
 */
export function checkReportDir(programDir: string, reportDir: string): void {
  if (isUnder(realPath(reportDir), realPath(programDir))) {
    throw new UsageError(
      `--report ${reportDir} is the program's folder or holds it: give the report a folder of its own (e.g. --report dr-evidence), so that its files are told apart from the program's`,
    );
  }
}

/** Where the inputs of a check are, from the paths it was given (relative to the working folder). */
export function inputLocations(options: {
  readonly programDir: string;
  readonly policyPackDir: string;
  readonly stackConfigFile: string | undefined;
  readonly policyConfigFile: string | undefined;
  readonly reportDir: string;
}): InputLocations {
  const programDir = realPath(options.programDir);
  const root = gitToplevel(programDir) ?? programDir;
  const rel = (file: string) => relativePath(root, realPath(file));
  return {
    root,
    programDir: rel(programDir),
    policyPackDir: rel(options.policyPackDir),
    stackConfigFile: options.stackConfigFile === undefined ? null : rel(options.stackConfigFile),
    policyConfigFile: options.policyConfigFile === undefined ? null : rel(options.policyConfigFile),
    // Only a report folder in the checkout can be taken for an input there.
    excluded: isUnder(root, realPath(options.reportDir)) ? [rel(options.reportDir)] : [],
  };
}

/**
 * Chooses the inputs at `locations`, under `root` (the recorded root, or the checkout given to verify), and
 * hashes them. `alsoExcluded` (absolute) adds folders to leave out of the program's files.
 */
export function hashInputs(
  locations: InputLocations,
  root: string = locations.root,
  alsoExcluded: readonly string[] = [],
): ManifestInputs {
  const base = realPath(root);
  const at = (relative: string) => resolveFrom(base, relative);
  const excluded = [...locations.excluded.map(at), ...alsoExcluded.map(realPath)];
  const program = programFiles(at(locations.programDir), excluded);
  const rel = (files: string[]) => files.map((f) => relativePath(base, realPath(f)));
  const single = (file: string | null) => (file === null ? [] : [file]);
  return {
    root: locations.root,
    programDir: locations.programDir,
    policyPackDir: locations.policyPackDir,
    stackConfigFile: locations.stackConfigFile,
    policyConfigFile: locations.policyConfigFile,
    excluded: locations.excluded,
    programSelection: program.selection,
    files: {
      program: digestFiles(base, rel(program.files)),
      lockfile: digestFiles(base, rel(nearestLockfiles(at(locations.programDir)))),
      policyPack: digestFiles(base, rel(policyPackFiles(at(locations.policyPackDir)))),
      stackConfig: digestFiles(base, single(locations.stackConfigFile)),
      policyConfig: digestFiles(base, single(locations.policyConfigFile)),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// Keys and signatures

/** Key types as a message names them, with their article ("holds an RSA key"). */
const KEY_TYPE_NAMES: Record<string, string> = {
  rsa: "an RSA",
  "rsa-pss": "an RSA-PSS",
  dsa: "a DSA",
  ec: "an EC (ECDSA)",
  ed448: "an Ed448",
  x25519: "an X25519",
  x448: "an X448",
  dh: "a DH",
};

function keyTypeName(key: KeyObject): string {
  const type = key.asymmetricKeyType ?? "unknown";
  return KEY_TYPE_NAMES[type] ?? `a ${type}`;
}

const GENERATE_KEY = "openssl genpkey -algorithm ed25519 -out KEY.pem";

function readKeyFile(file: string, flag: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    throw new UsageError(`cannot read the key ${file} given to ${flag}`);
  }
}

/**
 * The Ed25519 private key in `file` (PKCS#8 PEM). Every message names the file, never its content: the
 * key must not end up in a CI log.
 */
export function readSigningKey(file: string): KeyObject {
  const pem = readKeyFile(file, "--sign-key");
  const takes = `--sign-key takes an Ed25519 private key in PKCS#8 PEM (create one with \`${GENERATE_KEY}\`)`;
  if (pem.includes("ENCRYPTED PRIVATE KEY")) {
    throw new UsageError(
      `${file} is encrypted with a passphrase; ${takes}, unencrypted: keep it in your CI's secret store`,
    );
  }
  if (!pem.includes("PRIVATE KEY") && pem.includes("PUBLIC KEY")) {
    throw new UsageError(`${file} is a public key; ${takes}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw new UsageError(`${file} is not a PEM private key; ${takes}`);
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new UsageError(`${file} holds ${keyTypeName(key)} key; ${takes}`);
  }
  return key;
}

/** The Ed25519 public key in `file` (SPKI PEM). A private key is refused: a verifier must not need one. */
export function readVerifyingKey(file: string): KeyObject {
  const pem = readKeyFile(file, "--public-key");
  const takes = `--public-key takes an Ed25519 public key in PEM (from the private key: \`openssl pkey -in KEY.pem -pubout -out PUB.pem\`)`;
  if (pem.includes("PRIVATE KEY")) {
    throw new UsageError(
      `${file} is a private key; ${takes}. Keep the private key where the reports are signed`,
    );
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: "pem" });
  } catch {
    throw new UsageError(`${file} is not a PEM public key; ${takes}`);
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new UsageError(`${file} holds ${keyTypeName(key)} key; ${takes}`);
  }
  return key;
}

/** `sha256:<hex>` of a key's public half (SPKI DER): short enough to print, the same from either half. */
export function keyFingerprint(key: KeyObject): string {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return sha256Digest(publicKey.export({ type: "spki", format: "der" }));
}

/** The Ed25519 signature of `content` (manifest.json's exact bytes), in base64 with a final newline. */
export function signManifest(content: string | Buffer, privateKey: KeyObject): string {
  return `${sign(null, Buffer.from(content), privateKey).toString("base64")}\n`;
}

/** Whether `signature` (manifest.sig's text) is `publicKey`'s signature of `content`. */
export function manifestSignatureIsValid(
  content: string | Buffer,
  signature: string,
  publicKey: KeyObject,
): boolean {
  const text = signature.trim();
  // Buffer.from(…, "base64") skips what is not base64; such a file is not a signature, whatever it decodes to.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  const bytes = Buffer.from(text, "base64");
  if (bytes.length !== 64) return false;
  return verify(null, Buffer.from(content), publicKey, bytes);
}

// ---------------------------------------------------------------------------------------------------------
// Writing

/** drkit's version, from the CLI's package.json (`src/` and `dist/` both sit beside it). */
export function drkitVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "package.json"), "utf8")) as {
      version?: unknown;
    };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

export function buildManifest(parts: {
  readonly createdAt: Date;
  readonly git: GitState | null;
  /** the evidence files' names and exact content, as written */
  readonly evidence: Readonly<Record<string, string>>;
  readonly inputs: ManifestInputs;
  readonly signingKey?: KeyObject;
}): Manifest {
  return {
    manifestVersion: MANIFEST_VERSION,
    createdAt: parts.createdAt.toISOString(),
    drkit: drkitVersion(),
    node: process.version,
    git: parts.git,
    evidence: Object.entries(parts.evidence)
      .sort(([a], [b]) => comparePaths(a, b))
      .map(([name, content]) => ({ path: name, digest: sha256Digest(content) })),
    inputs: parts.inputs,
    signature: parts.signingKey
      ? { algorithm: "ed25519", file: SIGNATURE_FILE, publicKey: keyFingerprint(parts.signingKey) }
      : null,
  };
}

export function renderManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------------
// Reading

class ManifestShapeError extends Error {}

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ManifestShapeError(`${where} must be an object`);
  }
  return value as Json;
}

function string(value: unknown, where: string): string {
  if (typeof value !== "string" || value === "") throw new ManifestShapeError(`${where} must be a string`);
  return value;
}

function strings(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new ManifestShapeError(`${where} must be an array of strings`);
  return value.map((item, i) => string(item, `${where}[${i}]`));
}

function digests(value: unknown, where: string, isSafe: (p: string) => boolean): FileDigest[] {
  if (!Array.isArray(value)) throw new ManifestShapeError(`${where} must be an array`);
  const seen = new Set<string>();
  return value.map((item, i) => {
    const entry = object(item, `${where}[${i}]`);
    const file = string(entry.path, `${where}[${i}].path`);
    if (!isSafe(file))
      throw new ManifestShapeError(`${where}[${i}].path (${JSON.stringify(file)}) is not allowed there`);
    if (seen.has(file)) throw new ManifestShapeError(`${where} lists ${file} twice`);
    seen.add(file);
    const digest = string(entry.digest, `${where}[${i}].digest`);
    if (!DIGEST.test(digest)) {
      throw new ManifestShapeError(`${where}[${i}].digest must be "sha256:" and 64 hex digits`);
    }
    return { path: file, digest };
  });
}

/** An evidence file is a plain name in the report folder: the manifest cannot send verify elsewhere. */
function isEvidenceName(name: string): boolean {
  return (
    !/[/\\]/.test(name) && name !== "." && name !== ".." && name !== MANIFEST_FILE && name !== SIGNATURE_FILE
  );
}

/** Input paths are relative (`../` allowed: a pack may live beside the checkout). */
function isRelativePath(p: string): boolean {
  return !path.isAbsolute(p) && !/^[A-Za-z]:/.test(p) && !p.includes("\\");
}

function readGit(value: unknown): GitState | null {
  if (value === null) return null;
  const g = object(value, "git");
  if (typeof g.dirty !== "boolean") throw new ManifestShapeError("git.dirty must be true or false");
  return {
    commit: string(g.commit, "git.commit"),
    dirty: g.dirty,
    changedPaths: strings(g.changedPaths, "git.changedPaths"),
  };
}

function readInputs(value: unknown): ManifestInputs {
  const i = object(value, "inputs");
  const root = string(i.root, "inputs.root");
  if (!path.isAbsolute(root)) throw new ManifestShapeError("inputs.root must be an absolute path");
  const selection = i.programSelection;
  if (selection !== "git" && selection !== "walk") {
    throw new ManifestShapeError('inputs.programSelection must be "git" or "walk"');
  }
  const relative = (v: unknown, where: string) => {
    const p = string(v, where);
    if (!isRelativePath(p)) throw new ManifestShapeError(`${where} must be a path relative to inputs.root`);
    return p;
  };
  const nullableRelative = (v: unknown, where: string) =>
    v === null ? null : relative(v, `${where} (or null)`);
  const files = object(i.files, "inputs.files");
  return {
    root,
    programDir: relative(i.programDir, "inputs.programDir"),
    policyPackDir: relative(i.policyPackDir, "inputs.policyPackDir"),
    stackConfigFile: nullableRelative(i.stackConfigFile, "inputs.stackConfigFile"),
    policyConfigFile: nullableRelative(i.policyConfigFile, "inputs.policyConfigFile"),
    excluded: strings(i.excluded, "inputs.excluded").map((p, n) => relative(p, `inputs.excluded[${n}]`)),
    programSelection: selection,
    files: Object.fromEntries(
      INPUT_GROUPS.map((group) => [group, digests(files[group], `inputs.files.${group}`, isRelativePath)]),
    ) as Record<InputGroup, FileDigest[]>,
  };
}

function readSignature(value: unknown): ManifestSignature | null {
  if (value === null) return null;
  const s = object(value, "signature");
  if (s.algorithm !== "ed25519") throw new ManifestShapeError('signature.algorithm must be "ed25519"');
  if (s.file !== SIGNATURE_FILE) throw new ManifestShapeError(`signature.file must be "${SIGNATURE_FILE}"`);
  const publicKey = string(s.publicKey, "signature.publicKey");
  if (!DIGEST.test(publicKey))
    throw new ManifestShapeError('signature.publicKey must be "sha256:" and 64 hex digits');
  return { algorithm: "ed25519", file: SIGNATURE_FILE, publicKey };
}

/**
 * Reads manifest.json's text, checking every field drkit verify relies on. Throws a `UsageError` naming
 * `file`, the field and the fix: a manifest that cannot be read proves nothing either way.
 */
export function parseManifest(text: string, file: string): Manifest {
  const again = "write the report again with `drkit check --report`";
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON (${(err as Error).message}); ${again}`);
  }
  try {
    const m = object(json, "the manifest");
    if (m.manifestVersion !== MANIFEST_VERSION) {
      throw new UsageError(
        `${file} has manifestVersion ${JSON.stringify(m.manifestVersion ?? null)}, and this drkit (${drkitVersion()}) reads version ${MANIFEST_VERSION}: verify it with the drkit that wrote it, or ${again}`,
      );
    }
    const createdAt = string(m.createdAt, "createdAt");
    if (Number.isNaN(Date.parse(createdAt)))
      throw new ManifestShapeError("createdAt must be an ISO 8601 time");
    return {
      manifestVersion: MANIFEST_VERSION,
      createdAt,
      drkit: string(m.drkit, "drkit"),
      node: string(m.node, "node"),
      git: readGit(m.git),
      evidence: digests(m.evidence, "evidence", isEvidenceName),
      inputs: readInputs(m.inputs),
      signature: readSignature(m.signature),
    };
  } catch (err) {
    if (err instanceof ManifestShapeError)
      throw new UsageError(`${file} is malformed: ${err.message}; ${again}`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Comparing

export interface Difference {
  readonly kind: "changed" | "missing" | "added";
  readonly path: string;
  /** the input group, for an input; absent for an evidence file */
  readonly group?: InputGroup;
}

/** What differs between the files recorded and the files found now, in path order. */
export function compareDigests(
  recorded: readonly FileDigest[],
  found: readonly FileDigest[],
  group?: InputGroup,
): Difference[] {
  const now = new Map(found.map((f) => [f.path, f.digest]));
  const then = new Map(recorded.map((f) => [f.path, f.digest]));
  const differences: Difference[] = [];
  for (const { path: file, digest } of recorded) {
    const current = now.get(file);
    if (current === undefined) differences.push({ kind: "missing", path: file, group });
    else if (current !== digest) differences.push({ kind: "changed", path: file, group });
  }
  for (const { path: file } of found) {
    if (!then.has(file)) differences.push({ kind: "added", path: file, group });
  }
  return differences.sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * The evidence files in `dir` against the manifest: changed, missing, and added (any file there that the
 * manifest does not list, other than the manifest and its signature). `expected` names files every report
 * has: a manifest that leaves one out lost it.
 */
export function compareEvidence(
  dir: string,
  manifest: Manifest,
  expected: readonly string[] = [],
): Difference[] {
  const names = fs.readdirSync(dir).filter((name) => name !== MANIFEST_FILE && name !== SIGNATURE_FILE);
  const listed = new Set(manifest.evidence.map((f) => f.path));
  const found = names
    .filter((name) => isFile(path.join(dir, name)))
    .map((name) => ({ path: name, digest: sha256Digest(fs.readFileSync(path.join(dir, name))) }));
  const differences = compareDigests(manifest.evidence, found);
  // A folder is not evidence drkit writes; it is reported as added too.
  for (const name of names) {
    if (!isFile(path.join(dir, name)) && !listed.has(name))
      differences.push({ kind: "added", path: `${name}/` });
  }
  for (const name of expected) {
    if (!listed.has(name) && !differences.some((d) => d.path === name && d.kind === "added")) {
      differences.push({ kind: "missing", path: name });
    }
  }
  return differences.sort((a, b) => comparePaths(a.path, b.path));
}

/** The inputs chosen and hashed again under `root`, against the manifest's, group by group. */
export function compareInputs(manifest: Manifest, root: string, reportDir?: string): Difference[] {
  // The folder being verified is left out as drkit check left its report out, wherever it now is — unless
  // it holds the program (a report copied there by hand), which would leave the program out.
  const program = resolveFrom(realPath(root), manifest.inputs.programDir);
  const alsoExcluded = reportDir === undefined || isUnder(realPath(reportDir), program) ? [] : [reportDir];
  const now = hashInputs(manifest.inputs, root, alsoExcluded);
  return INPUT_GROUPS.flatMap((group) =>
    compareDigests(manifest.inputs.files[group], now.files[group], group),
  );
}
