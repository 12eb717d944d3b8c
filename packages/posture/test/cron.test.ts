import { cronWorstCaseGapSeconds, parseCron, CronError } from "../src";

describe("cronWorstCaseGapSeconds", () => {
  it.each([
    ["0 * * * *", 3_600],
    ["*/5 * * * *", 300],
    ["0 9,17 * * *", 57_600],
    ["30 2 * * *", 86_400],
    ["0 0 * * 0", 604_800],
    ["0 0 * * 1-5", 259_200],
    ["0 0 1 * *", 2_678_400],
    ["@hourly", 3_600],
    ["@daily", 86_400],
    ["@every 90m", 5_400],
    ["0 0 29 2 *", 4 * 365 * 86_400 + 86_400],
  ])("%s → %d s", (expression, seconds) => {
    expect(cronWorstCaseGapSeconds(expression)).toBe(seconds);
  });

  it("treats 7 as Sunday and accepts month and day names", () => {
    expect(parseCron("0 0 * JAN,FEB SUN-TUE").daysOfWeek).toEqual([0, 1, 2]);
    expect(parseCron("0 0 * * 7").daysOfWeek).toEqual([0]);
  });

  it.each([
    ["0 9 * *", "it has 4 fields, not 5"],
    ["0 24 * * *", "hour value 24 is out of range 0–23"],
    ["61 * * * *", "minute value 61 is out of range 0–59"],
    ["*/0 * * * *", 'minute step "0" must be a whole number ≥ 1'],
    ["0 x * * *", 'hour field has "x", which is not a number'],
    ["0 5-1 * * *", "hour range 5-1 runs backwards"],
  ])("fails when the expression is %j", (expression, problem) => {
    expect(() => parseCron(expression)).toThrow(new CronError(expression, problem));
  });

  it("says what a valid expression looks like", () => {
    expect(() => parseCron("0 9 * *")).toThrow(
      'invalid cron expression "0 9 * *": it has 4 fields, not 5; expected 5 fields "minute hour day-of-month month day-of-week" (e.g. "0 * * * *"), or @hourly, @daily, @weekly, @monthly, @yearly, @every <duration>',
    );
  });
});
