// `drkit --help` lists every command drkit has, and a mistyped command gets a "did you mean" and the list,
// not the whole usage of two commands (status, failover and audit were missing from both).
import { drkit } from "../../../test/support/drkit";
import { USAGE } from "../src/main";
import { VERIFY_USAGE } from "../src/verify";
import { STATUS_USAGE } from "../src/status/command";
import { FAILOVER_USAGE } from "../src/failover/command";
import { AUDIT_USAGE } from "../src/audit/command";
import { DRILLS_USAGE } from "../src/drills/command";

const COMMAND_LIST = `Usage: drkit <command> [options]   (drkit <command> --help for one command)

  check     run a Pulumi program offline through the DR policy pack (the gate)
  verify    check an evidence folder written by \`drkit check --report\` (hashes, signature)
  status    the live posture from Prometheus: each service's recovery point against its target
  failover  break-glass AWS CLI commands for a switch, and checking a switch request as typed
  audit     append to, or verify, the failover audit log in the Object Lock bucket
  drills    the restore drills' validation report, from their records in the Object Lock bucket

drkit --version prints the version.`;

describe("drkit's commands", () => {
  it("lists every command, then each one's usage, for --help (exit 0) and for no command (exit 2)", async () => {
    const full = [
      COMMAND_LIST,
      USAGE,
      VERIFY_USAGE,
      STATUS_USAGE,
      FAILOVER_USAGE,
      AUDIT_USAGE,
      DRILLS_USAGE,
    ].join("\n\n");
    expect(await drkit("--help")).toEqual({ code: 0, out: full, err: "" });
    expect(await drkit()).toEqual({ code: 2, out: full, err: "" });
  });

  it("answers a mistyped command with the closest one and the list, exit 2", async () => {
    expect(await drkit("stauts")).toEqual({
      code: 2,
      out: "",
      err: `drkit: unknown command "stauts": did you mean "status"?\n\n${COMMAND_LIST}`,
    });
    expect(await drkit("deploy")).toEqual({
      code: 2,
      out: "",
      err: `drkit: unknown command "deploy"\n\n${COMMAND_LIST}`,
    });
  });
});
