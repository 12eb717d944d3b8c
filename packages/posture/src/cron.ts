// Cron schedules as Velero (robfig/cron) and Kubernetes CronJobs read them, and the longest time a
// schedule can leave between two runs: the data a backup-based recovery can lose, at worst.

export interface CronSchedule {
  readonly expression: string;
  /** `@every <duration>`: a fixed interval in seconds */
  readonly everySeconds?: number;
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly daysOfMonth: readonly number[];
  readonly months: readonly number[];
  readonly daysOfWeek: readonly number[];
  /** true when the field was `*` (cron ORs day-of-month and day-of-week only when both are restricted) */
  readonly dayOfMonthAny: boolean;
  readonly dayOfWeekAny: boolean;
}

export class CronError extends Error {
  constructor(
    readonly expression: string,
    readonly problem: string,
  ) {
    super(
      `invalid cron expression ${JSON.stringify(expression)}: ${problem}; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>`,
    );
    this.name = "CronError";
  }
}

const FIELDS = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"],
  },
  { name: "day-of-week", min: 0, max: 7, names: ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] },
] as const;

const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

function parseDuration(text: string): number | undefined {
  const match = /^((\d+h)?(\d+m)?(\d+s)?)$/.exec(text);
  if (!match || text === "") return undefined;
  const part = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return part(/(\d+)h/) * 3600 + part(/(\d+)m/) * 60 + part(/(\d+)s/);
}

interface ParsedField {
  values: number[];
  any: boolean;
}

function parseField(expression: string, text: string, index: number): ParsedField {
  const field = FIELDS[index];
  if (field === undefined) throw new CronError(expression, `it has more than ${FIELDS.length} fields`);
  const names: readonly string[] = "names" in field ? field.names : [];
  const value = (token: string): number => {
    const byName = names.indexOf(token.toUpperCase());
    if (byName >= 0) return byName + (field.name === "month" ? 1 : 0);
    if (!/^\d+$/.test(token))
      throw new CronError(expression, `${field.name} field has "${token}", which is not a number`);
    const n = Number(token);
    if (n < field.min || n > field.max) {
      throw new CronError(expression, `${field.name} value ${n} is out of range ${field.min}–${field.max}`);
    }
    return n;
  };
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    if (range === undefined || range === "")
      throw new CronError(expression, `${field.name} field "${text}" is empty`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) {
      throw new CronError(expression, `${field.name} step "${stepText}" must be a whole number ≥ 1`);
    }
    let low: number;
    let high: number;
    if (range === "*" || range === "?") [low, high] = [field.min, field.max];
    else if (range.includes("-")) {
      const [a, b] = range.split("-");
      [low, high] = [value(a ?? ""), value(b ?? "")];
      if (low > high) throw new CronError(expression, `${field.name} range ${range} runs backwards`);
    } else {
      low = value(range);
      high = stepText === undefined ? low : field.max;
    }
    for (let v = low; v <= high; v += step) values.add(field.name === "day-of-week" && v === 7 ? 0 : v);
  }
  return { values: [...values].sort((a, b) => a - b), any: text === "*" || text === "?" };
}

/** Parses a 5-field cron expression or a descriptor; throws `CronError` saying what is wrong. */
export function parseCron(expression: string): CronSchedule {
  const trimmed = expression.trim();
  if (trimmed.startsWith("@every ")) {
    const seconds = parseDuration(trimmed.slice("@every ".length).trim());
    if (seconds === undefined || seconds <= 0) {
      throw new CronError(expression, `"@every" needs a positive duration such as 1h30m`);
    }
    return {
      expression,
      everySeconds: seconds,
      minutes: [],
      hours: [],
      daysOfMonth: [],
      months: [],
      daysOfWeek: [],
      dayOfMonthAny: true,
      dayOfWeekAny: true,
    };
  }
  const text = DESCRIPTORS[trimmed] ?? trimmed;
  if (text.startsWith("@")) throw new CronError(expression, `unknown descriptor ${trimmed}`);
  const parts = text.split(/\s+/);
  if (parts.length !== 5)
    throw new CronError(expression, `it has ${parts.length} field${parts.length === 1 ? "" : "s"}, not 5`);
  const [minute, hour, dom, month, dow] = FIELDS.map((_, i) => parseField(expression, parts[i] ?? "", i)) as [
    ParsedField,
    ParsedField,
    ParsedField,
    ParsedField,
    ParsedField,
  ];
  return {
    expression,
    minutes: minute.values,
    hours: hour.values,
    daysOfMonth: dom.values,
    months: month.values,
    daysOfWeek: dow.values,
    dayOfMonthAny: dom.any,
    dayOfWeekAny: dow.any,
  };
}

const DAY_MINUTES = 1_440;
// Eight years from a leap year: long enough to see any schedule's longest gap twice (even 29 February).
const SIMULATED_DAYS = 8 * 365 + 2;
const EPOCH = Date.UTC(2024, 0, 1);

/**
 * The longest interval between two consecutive runs, in seconds (UTC; a schedule that never runs in
 * eight years has no bound: `Infinity`). `0 9,17 * * *` → 57600 (17:00 to 09:00).
 */
export function cronWorstCaseGapSeconds(schedule: CronSchedule | string): number {
  const s = typeof schedule === "string" ? parseCron(schedule) : schedule;
  if (s.everySeconds !== undefined) return s.everySeconds;
  const times = s.hours.flatMap((h) => s.minutes.map((m) => h * 60 + m)).sort((a, b) => a - b);
  let intraDay = 0;
  times.forEach((t, i) => {
    if (i > 0) intraDay = Math.max(intraDay, t - (times[i - 1] ?? t));
  });
  const first = times[0] ?? 0;
  const last = times[times.length - 1] ?? 0;
  let worst = 0;
  let previousRun: number | undefined;
  for (let day = 0; day < SIMULATED_DAYS; day++) {
    const date = new Date(EPOCH + day * 86_400_000);
    const monthOk = s.months.includes(date.getUTCMonth() + 1);
    const domOk = s.daysOfMonth.includes(date.getUTCDate());
    const dowOk = s.daysOfWeek.includes(date.getUTCDay());
    // Standard cron: when both day fields are restricted, a day matching either runs.
    const dayOk = s.dayOfMonthAny || s.dayOfWeekAny ? domOk && dowOk : domOk || dowOk;
    if (!monthOk || !dayOk) continue;
    const dayStart = day * DAY_MINUTES;
    if (previousRun !== undefined) worst = Math.max(worst, dayStart + first - previousRun);
    worst = Math.max(worst, intraDay);
    previousRun = dayStart + last;
  }
  return previousRun === undefined || worst === 0 ? Infinity : worst * 60;
}
