// `drkit check --format json` (also `--json`): the machine-readable result, as check.json in the evidence.
import type { CheckResult } from "../check";
import { checkJson } from "../evidence";

export function renderJson(result: CheckResult): string {
  return JSON.stringify(checkJson(result), null, 2);
}
