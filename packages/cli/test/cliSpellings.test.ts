// The flags a pipeline already uses with the Pulumi CLI work with drkit too: -s, --policy-pack-config,
// and --version.
import * as path from "path";
import { spawnSync } from "child_process";
import { closePolicyPacks } from "@drkit/cli";
import { drkit } from "../../../test/support/drkit";

const orders = path.join(__dirname, "fixtures/orders-program");
const packDir = path.resolve(__dirname, "../../../policies/dr");
const waiverConfig = path.join(orders, "expired-waiver.json");
const { version } = require("../package.json") as { version: string }; // eslint-disable-line @typescript-eslint/no-require-imports

afterAll(() => closePolicyPacks());

describe("Pulumi's spellings and --version", () => {
  it("prints the version for `drkit --version` and `drkit check --version`, exit 0", async () => {
    expect(await drkit("--version")).toEqual({ code: 0, out: version, err: "" });
    expect(await drkit("check", "--version")).toEqual({ code: 0, out: version, err: "" });
    const bin = spawnSync(process.execPath, [path.resolve(__dirname, "../bin/drkit.js"), "--version"], {
      encoding: "utf8",
    });
    expect([bin.status, bin.stdout]).toEqual([0, `${version}\n`]);
  });

  it("takes -s for --stack and --policy-pack-config for --policy-config, with the same verdict", async () => {
    const long = await drkit(
      "check",
      orders,
      "--stack",
      "critical",
      "--policy-pack",
      packDir,
      "--policy-config",
      waiverConfig,
    );
    const short = await drkit(
      "check",
      orders,
      "-s",
      "critical",
      "--policy-pack",
      packDir,
      "--policy-pack-config",
      waiverConfig,
    );
    expect(short.code).toBe(1);
    expect(short).toEqual(long);
    expect(short.out).toContain("A waiver was not applied (expired)");
  });

  it("fails when both spellings of the policy config are given (exit 2)", async () => {
    const { code, err } = await drkit(
      "check",
      orders,
      "--policy-config",
      waiverConfig,
      "--policy-pack-config",
      waiverConfig,
    );
    expect(code).toBe(2);
    expect(err.split("\n")[0]).toBe(
      "drkit check: --policy-config and --policy-pack-config are one option spelt two ways: give one",
    );
  });

  it("fails when -s is given twice, as --stack is (exit 2)", async () => {
    const { code, err } = await drkit("check", orders, "-s", "critical", "--stack", "important");
    expect(code).toBe(2);
    expect(err.split("\n")[0]).toBe(
      'drkit check: --stack is given twice ("critical", then "important"): give it once',
    );
  });
});
