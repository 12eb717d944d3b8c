// @sst-provider/neon and @pulumi/command are optional peer dependencies of @drkit/components: only
// NeonGeoReplica uses them, so they are loaded when one is constructed, never when the package is imported.
// A program without a Neon database installs neither, and no declaration of this package names them, so
// its type-check does not need them either.
import type * as neon from "@sst-provider/neon";
import type * as command from "@pulumi/command";

/** An optional peer that is not installed: the error says which, who needs it and how to add it. */
function missingPeer(err: unknown, name: string): unknown {
  const notFound =
    err instanceof Error &&
    (err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND" &&
    err.message.includes(`'${name}'`);
  return notFound
    ? new Error(
        `NeonGeoReplica needs ${name}, an optional peer dependency of @drkit/components that is not installed: add it to the program's dependencies (npm install ${name})`,
      )
    : err;
}

/** The Neon provider SDK (@sst-provider/neon). */
export function neonSdk(): typeof neon {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer, loaded on first use
    return require("@sst-provider/neon") as typeof neon;
  } catch (err) {
    throw missingPeer(err, "@sst-provider/neon");
  }
}

/** The Command provider SDK (@pulumi/command). */
export function commandSdk(): typeof command {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional peer, loaded on first use
    return require("@pulumi/command") as typeof command;
  } catch (err) {
    throw missingPeer(err, "@pulumi/command");
  }
}
