// What `pulumi preview --policy-pack policies/dr` loads. Importing this module serves the pack.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";
import { DRKIT_REPOSITORY_URL } from "./support/metadata";

new PolicyPack("drkit-dr", {
  policies,
  displayName: "drkit disaster recovery",
  repository: DRKIT_REPOSITORY_URL,
  tags: ["drkit", "disaster-recovery", "aws", "kubernetes", "neon"],
});
