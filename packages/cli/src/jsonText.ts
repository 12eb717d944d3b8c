// Reads JSON the way a config file deserves: a syntax error comes with its line and column (JSON.parse on
// Node 20 gives at most an offset, or none), and a key given twice is found (JSON.parse keeps the last one
// silently). The value is the one JSON.parse would return.

/** Containers a config file may nest: far beyond any real one, far below the call stack's limit. */
export const MAX_JSON_DEPTH = 1_000;

export interface TextPosition {
  /** 1-based */
  readonly line: number;
  /** 1-based, in UTF-16 code units */
  readonly column: number;
}

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: TextPosition,
  ) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

export interface DuplicateKey {
  /** the key's path: `["drkit-rpo-rto", "waivers", 0, "owner"]` */
  readonly path: readonly (string | number)[];
  /** where it is given again */
  readonly position: TextPosition;
  /** the line it was first given on */
  readonly firstLine: number;
}

const SPACE = new Set([" ", "\t", "\n", "\r"]);
const LITERAL = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;
/** What a message shows of unexpected text: the word there. */
const WORD = /[^\s,:{}[\]"]{1,40}/y;

class Reader {
  private at = 0;
  readonly duplicates: DuplicateKey[] = [];

  constructor(private readonly text: string) {}

  document(): unknown {
    this.skipSpace();
    const value = this.value([], 0);
    this.skipSpace();
    if (this.at < this.text.length) this.fail(`unexpected text after the JSON value (found ${this.found()})`);
    return value;
  }

  position(offset: number): TextPosition {
    const before = this.text.slice(0, offset);
    const lineStart = before.lastIndexOf("\n") + 1;
    return { line: before.split("\n").length, column: offset - lineStart + 1 };
  }

  private fail(message: string, offset = this.at): never {
    throw new JsonSyntaxError(message, this.position(offset));
  }

  private found(): string {
    if (this.at >= this.text.length) return "the end of the file";
    WORD.lastIndex = this.at;
    return `\`${WORD.exec(this.text)?.[0] ?? this.text.charAt(this.at)}\``;
  }

  private skipSpace(): void {
    while (SPACE.has(this.text.charAt(this.at))) this.at++;
  }

  private value(path: (string | number)[], depth: number): unknown {
    const c = this.text.charAt(this.at);
    if (c === "{" || c === "[") {
      if (depth >= MAX_JSON_DEPTH) {
        this.fail(`nested more than ${MAX_JSON_DEPTH} levels deep; a policy config is a few levels deep`);
      }
      return c === "{" ? this.object(path, depth + 1) : this.array(path, depth + 1);
    }
    if (c === '"') return this.string();
    LITERAL.lastIndex = this.at;
    const literal = LITERAL.exec(this.text);
    if (literal === null) this.fail(`expected a value (found ${this.found()})`);
    this.at += literal[0].length;
    return JSON.parse(literal[0]) as unknown;
  }

  private string(): string {
    const start = this.at;
    let end = this.text.indexOf('"', start + 1);
    for (;;) {
      if (end < 0) this.fail("a string is not closed", start);
      let backslashes = 0;
      while (this.text.charAt(end - 1 - backslashes) === "\\") backslashes++;
      if (backslashes % 2 === 0) break;
      end = this.text.indexOf('"', end + 1);
    }
    this.at = end + 1;
    try {
      // JSON.parse checks the escapes and control characters exactly as it would in the whole document.
      return JSON.parse(this.text.slice(start, end + 1)) as string;
    } catch {
      return this.fail("a string holds a line break, a control character or a bad escape", start);
    }
  }

  private object(path: (string | number)[], depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // Offsets, not lines: a line is counted only for a key given twice.
    const firstAt = new Map<string, number>();
    this.at++;
    this.skipSpace();
    if (this.text.charAt(this.at) === "}") {
      this.at++;
      return out;
    }
    let comma = -1;
    for (;;) {
      this.skipSpace();
      if (this.text.charAt(this.at) !== '"') {
        if (comma >= 0 && this.text.charAt(this.at) === "}") {
          this.fail("a comma before `}` is not allowed in JSON: remove it", comma);
        }
        this.fail(`expected a key in double quotes${comma < 0 ? " or `}`" : ""} (found ${this.found()})`);
      }
      const keyAt = this.at;
      const key = this.string();
      this.skipSpace();
      if (this.text.charAt(this.at) !== ":")
        this.fail(`expected \`:\` after the key (found ${this.found()})`);
      this.at++;
      this.skipSpace();
      const value = this.value([...path, key], depth);
      const first = firstAt.get(key);
      if (first === undefined) firstAt.set(key, keyAt);
      else {
        const firstLine = this.position(first).line;
        this.duplicates.push({ path: [...path, key], position: this.position(keyAt), firstLine });
      }
      // As JSON.parse does: "__proto__" is an own key like any other, never the object's prototype.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const next = this.text.charAt(this.at);
      if (next === "}") {
        this.at++;
        return out;
      }
      if (next !== ",") this.fail(`expected \`,\` or \`}\` (found ${this.found()})`);
      comma = this.at;
      this.at++;
    }
  }

  private array(path: (string | number)[], depth: number): unknown[] {
    const out: unknown[] = [];
    this.at++;
    this.skipSpace();
    if (this.text.charAt(this.at) === "]") {
      this.at++;
      return out;
    }
    let comma = -1;
    for (;;) {
      this.skipSpace();
      if (comma >= 0 && this.text.charAt(this.at) === "]") {
        this.fail("a comma before `]` is not allowed in JSON: remove it", comma);
      }
      out.push(this.value([...path, out.length], depth));
      this.skipSpace();
      const next = this.text.charAt(this.at);
      if (next === "]") {
        this.at++;
        return out;
      }
      if (next !== ",") this.fail(`expected \`,\` or \`]\` (found ${this.found()})`);
      comma = this.at;
      this.at++;
    }
  }
}

/**
 * Parses `text` as JSON. Throws `JsonSyntaxError` with the line and column of the first error; returns the
 * value and every key given twice in one object.
 */
export function parseJsonText(text: string): { value: unknown; duplicates: DuplicateKey[] } {
  const reader = new Reader(text);
  const value = reader.document();
  return { value, duplicates: reader.duplicates };
}
