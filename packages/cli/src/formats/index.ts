// The output formats of `drkit check`, one module each. Every one renders the same result: the verdict
// (and so the exit code) never depends on the format.
import type { CheckResult } from "../check";
import { renderGithub } from "./github";
import { renderJson } from "./json";
import { renderJunit } from "./junit";
import { renderMarkdown } from "./markdown";
import { renderSarif } from "./sarif";
import { renderText } from "./text";

export const FORMATS = ["text", "json", "sarif", "junit", "markdown", "github"] as const;
export type Format = (typeof FORMATS)[number];

export function isFormat(value: string): value is Format {
  return (FORMATS as readonly string[]).includes(value);
}

/** Formats read by programs rather than people: nothing else is printed beside them, not even on stderr. */
export const MACHINE_FORMATS: readonly Format[] = ["json", "sarif", "junit"];

const RENDERERS: Readonly<Record<Format, (result: CheckResult) => string>> = {
  text: renderText,
  json: renderJson,
  sarif: renderSarif,
  junit: renderJunit,
  markdown: renderMarkdown,
  github: renderGithub,
};

export function renderResult(result: CheckResult, format: Format): string {
  return RENDERERS[format](result);
}

export { renderMarkdown } from "./markdown";
