// What `pulumi preview --policy-pack policies/dr` loads. Importing this module serves the pack.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("drkit-dr", { policies });
