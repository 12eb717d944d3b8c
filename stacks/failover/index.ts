// Entry point for `pulumi up` in this folder: the language host calls the exported function.
import { failover } from "./failover";

export = failover;
