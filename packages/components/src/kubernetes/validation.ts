// Checks the Kubernetes components share: names the API server, Velero, Helm and S3 accept, cron and Go
// durations, lists of namespaces, the shape of a DrRegionPair, and the names derived from a component's name.
import { CronError, goDurationSeconds, parseCron } from "@drkit/posture";
import { ArgsProblems, isPlainObject, shown } from "../common/validation";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// RFC 1035 label: what Kubernetes requires of Service names (it must start with a letter).
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
// RFC 1123 subdomain: what Kubernetes requires of most object names (service accounts among them).
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A DNS label (RFC 1123): namespaces, label values of names, Velero schedule names. */
export function isDnsLabel(value: unknown): value is string {
  return typeof value === "string" && value.length <= 63 && DNS_LABEL.test(value);
}

/** Only the characters of a DNS label, whatever the length (the length is checked against each use). */
export function hasDnsLabelCharacters(value: unknown): value is string {
  return typeof value === "string" && DNS_LABEL.test(value);
}

/** A DNS label that starts with a letter (RFC 1035): Service names. */
export function isDns1035Label(value: unknown): value is string {
  return typeof value === "string" && value.length <= 63 && DNS_1035_LABEL.test(value);
}

/** A DNS subdomain (RFC 1123): most Kubernetes object names. */
export function isDnsSubdomain(value: unknown): value is string {
  return typeof value === "string" && value.length <= 253 && DNS_SUBDOMAIN.test(value);
}

/**
 * A Go duration in [min, max] (Velero's TTLs). Catches what YAML and habit produce: a bare number, and
 * days (`30d`), which Go durations do not have.
 */
export function checkGoDuration(
  field: string,
  value: unknown,
  range: {
    readonly min: string;
    readonly max: string;
    /** the maximum in words: `10 years` */
    readonly maxInWords?: string;
    /** why the minimum, said after the value */
    readonly tooShort?: string;
    /** e.g. `keep backups 720h (30 days)` */
    readonly omitted?: string;
  },
  problems: ArgsProblems,
): void {
  if (value === undefined) return;
  const omitted = range.omitted ? `; omit it to ${range.omitted}` : "";
  const shape = `\`${field}\` must be a Go duration such as "720h" or "168h30m": numbers with the units h, m, s`;
  if (typeof value !== "string") {
    const quote = typeof value === "number" ? ': quote it with its unit, e.g. "720h"' : "";
    problems.add(`${shape} (got ${shown(value)})${quote}`);
    return;
  }
  const days = /^(\d+)d$/.exec(value);
  if (days) {
    problems.add(
      `\`${field}\` must be a Go duration such as "720h" (got ${shown(value)}): Go durations have no days; write ${days[1]} days as "${Number(days[1]) * 24}h"`,
    );
    return;
  }
  const seconds = goDurationSeconds(value);
  if (seconds === undefined) {
    problems.add(`${shape} (got ${shown(value)})`);
    return;
  }
  const min = goDurationSeconds(range.min) ?? 0;
  const max = goDurationSeconds(range.max) ?? Infinity;
  if (seconds < min || seconds > max) {
    const why = seconds < min && range.tooShort ? `: ${range.tooShort}` : "";
    problems.add(
      `\`${field}\` must be from ${range.min} to ${range.max}${range.maxInWords ? ` (${range.maxInWords})` : ""} (got ${shown(value)}, ${seconds} s)${why}${omitted}`,
    );
  }
}

/** Checks a 5-field cron; the problem names the field and says what is wrong. */
export function checkCron(field: string, value: unknown, problems: ArgsProblems): void {
  if (typeof value !== "string") {
    problems.add(`\`${field}\` must be a cron expression such as "0 * * * *" (got ${shown(value)})`);
    return;
  }
  try {
    const parsed = parseCron(value);
    // Kubernetes CronJobs and Velero take 5 fields; @every is robfig-only, so it is refused here.
    if (parsed.everySeconds !== undefined)
      problems.add(`\`${field}\`: use a 5-field cron, not @every (got ${shown(value)})`);
  } catch (err) {
    if (!(err instanceof CronError)) throw err;
    problems.add(`\`${field}\` ${err.message}`);
  }
}

/** A list of namespace names; returns the valid names (for overlap checks). */
export function checkNamespaces(field: string, value: unknown, problems: ArgsProblems): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.add(
      `\`${field}\` must be a list of namespace names such as ["kube-system"] (got ${shown(value)})`,
    );
    return [];
  }
  const names: string[] = [];
  for (const [i, namespace] of value.entries()) {
    if (isDnsLabel(namespace)) names.push(namespace);
    else
      problems.add(
        `\`${field}[${i}]\` must be a namespace name (a DNS label: lowercase letters, digits, '-') (got ${shown(namespace)})`,
      );
  }
  return names;
}

/** A namespace the component's objects go in. */
export function checkNamespace(field: string, value: unknown, problems: ArgsProblems): void {
  problems.check(
    value === undefined || isDnsLabel(value),
    `\`${field}\` must be a namespace name (a DNS label: lowercase letters, digits and '-', at most 63 characters) (got ${shown(value)})`,
  );
}

/**
 * An optional nested object (`backup`, `existingBucket`, a schedule): null, a list or a scalar where YAML
 * or JavaScript meant an object gets the example, not a TypeError later.
 */
export function checkObject(
  field: string,
  value: unknown,
  example: string,
  problems: ArgsProblems,
): value is Record<string, unknown> | undefined {
  if (value === undefined || isPlainObject(value)) return true;
  problems.add(`\`${field}\` must be an object such as ${example} (got ${shown(value)})`);
  return false;
}

/** A name built from the component's name, and the limit the system that receives it enforces. */
export interface DerivedName {
  /** how it is built, `<name>` standing for the component's name, e.g. `<name>-sentinel-sentinel` */
  readonly pattern: string;
  /** random characters the provider appends when it autonames (Pulumi's S3, IAM and Helm names) */
  readonly random?: number;
  /** what carries it: `the sentinels' StatefulSet` */
  readonly what: string;
  readonly max: number;
  /** why the limit, when it is not the name's own: `so that its pods' controller-revision-hash label fits` */
  readonly because?: string;
}

/**
 * Every derived name must fit its system's limit. One problem lists each name that would not, and the
 * longest component name that fits them all, so the user fixes it in one go.
 */
export function checkDerivedNames(
  name: string,
  derived: readonly DerivedName[],
  problems: ArgsProblems,
): void {
  const lengthOf = (d: DerivedName) => d.pattern.replace("<name>", name).length + (d.random ?? 0);
  const over = derived.filter((d) => lengthOf(d) > d.max);
  if (over.length === 0) return;
  const longest = Math.min(
    ...derived.map((d) => d.max - (d.pattern.length - "<name>".length) - (d.random ?? 0)),
  );
  const names = over.map(
    (d) =>
      `"${d.pattern}"${d.random ? ` + ${d.random} random characters` : ""} (${d.what}, at most ${d.max}${d.because ? ` ${d.because}` : ""}) would be ${lengthOf(d)} characters`,
  );
  problems.add(
    `\`name\` "${name}" (${name.length} characters) is too long for the names derived from it: ${names.join("; ")}; use a name of at most ${longest} characters`,
  );
}

const IAM_ROLE_ARN = /^arn:aws(-cn|-us-gov|-iso(-[a-z])?)?:iam::\d{12}:role\/[\w+=,.@/-]{1,576}$/;

/** The problem with an IAM role ARN, or undefined: shared by the plain check and the one at resolution. */
export function iamRoleArnProblem(field: string, value: unknown): string | undefined {
  return typeof value === "string" && IAM_ROLE_ARN.test(value)
    ? undefined
    : `\`${field}\` must be an IAM role ARN such as "arn:aws:iam::123456789012:role/velero" (got ${shown(value)})`;
}

const S3_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const S3_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** The problem with an S3 bucket name (AWS's general-purpose bucket naming rules), or undefined. */
export function s3BucketNameProblem(field: string, value: unknown): string | undefined {
  const ok =
    typeof value === "string" &&
    S3_BUCKET_NAME.test(value) &&
    !value.includes("..") &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(value) &&
    !S3_RESERVED_PREFIXES.some((p) => value.startsWith(p)) &&
    !S3_RESERVED_SUFFIXES.some((s) => value.endsWith(s));
  return ok
    ? undefined
    : `\`${field}\` must be an S3 bucket name: 3–63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit (got ${shown(value)})`;
}

// A container image reference: [registry[:port]/]repository[:tag][@sha256:digest].
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::([\w][\w.-]{0,127}))?(?:@sha256:([a-f0-9]{64}))?$/;

/**
 * The problem with a container image, or undefined: it must be a reference pinned to a tag or a digest. An
 * untagged image is `:latest`, which changes under a running deployment and between the two clusters.
 */
export function pinnedImageProblem(field: string, value: unknown, example: string): string | undefined {
  const match = typeof value === "string" ? IMAGE_REFERENCE.exec(value) : null;
  const tag = match?.[1];
  const digest = match?.[2];
  const pinned = match !== null && (digest !== undefined || (tag !== undefined && tag !== "latest"));
  return pinned
    ? undefined
    : `\`${field}\` must be a container image pinned to a tag or digest, such as "${example}" (got ${shown(value)}): an untagged or :latest image changes under you`;
}

const OIDC_PROVIDER_ARN =
  /^arn:aws(-cn|-us-gov|-iso(-[a-z])?)?:iam::\d{12}:oidc-provider\/[A-Za-z0-9.-]+(\/[A-Za-z0-9._-]+)*$/;

/** The problem with an IAM OIDC provider ARN (a cluster's, for IRSA), or undefined. */
export function oidcProviderArnProblem(field: string, value: unknown): string | undefined {
  return typeof value === "string" && OIDC_PROVIDER_ARN.test(value)
    ? undefined
    : `\`${field}\` must be an IAM OIDC provider ARN such as "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE" (got ${shown(value)})`;
}
