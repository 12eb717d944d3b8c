// Entry point for `pulumi up` at the repository root (Pulumi.yaml `main`): the language host calls the
// exported function.
import { platform } from "./platform";

export = platform;
