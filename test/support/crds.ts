// Validates Kubernetes custom resources against the upstream CRDs vendored in test/vendor/schemas/crds (the
// served, storage version's openAPIV3Schema), so a manifest the API server would reject fails a test here.
import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import { parse as parseYaml } from "yaml";

const crdDir = path.resolve(__dirname, "../vendor/schemas/crds");

const files: Record<string, string> = {
  "velero.io/v1/Schedule": "velero.io_schedules.yaml",
  "velero.io/v1/BackupStorageLocation": "velero.io_backupstoragelocations.yaml",
  "velero.io/v1/Restore": "velero.io_restores.yaml",
  "redis.redis.opstreelabs.in/v1beta2/RedisReplication": "redis.redis.opstreelabs.in_redisreplications.yaml",
  "redis.redis.opstreelabs.in/v1beta2/RedisSentinel": "redis.redis.opstreelabs.in_redissentinels.yaml",
  "monitoring.coreos.com/v1/PrometheusRule": "monitoring.coreos.com_prometheusrules.yaml",
};

// Kubernetes extensions (x-kubernetes-*) are not JSON Schema keywords; int32/int64 formats are checked by
// type alone, as the API server's structural schema does for numbers.
// CRD patterns are Go (RE2) regular expressions: a leading `(?i)` (the PrometheusRule CRD has `^(?i)…`) is
// RE2's case-insensitive flag, which JavaScript spells as a flag after the pattern.
const goRegExp = (pattern: string, flags: string) => {
  const caseless = /^(\^?)\(\?i\)/.exec(pattern);
  return caseless
    ? new RegExp(caseless[1] + pattern.slice(caseless[0].length), `${flags}i`)
    : new RegExp(pattern, flags);
};
goRegExp.code = "goRegExp";
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, code: { regExp: goRegExp } });
const compiled = new Map<string, ValidateFunction>();

function validatorFor(apiVersion: string, kind: string): ValidateFunction {
  const key = `${apiVersion}/${kind}`;
  const file = files[key];
  if (!file) throw new Error(`no upstream CRD for ${key}`);
  let validate = compiled.get(key);
  if (!validate) {
    const crd = parseYaml(fs.readFileSync(path.join(crdDir, file), "utf8")) as {
      spec: {
        versions: { name: string; served: boolean; storage: boolean; schema: { openAPIV3Schema: object } }[];
      };
    };
    const version = apiVersion.split("/").pop();
    const served = crd.spec.versions.find((v) => v.name === version && v.served);
    if (!served) throw new Error(`${key}: the CRD serves no version ${version}`);
    validate = ajv.compile(served.schema.openAPIV3Schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Problems with `object` against its CRD: `<path> <message>`; empty when valid. */
export function crdProblems(object: { apiVersion: string; kind: string }): string[] {
  const validate = validatorFor(object.apiVersion, object.kind);
  return validate(object)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`);
}
