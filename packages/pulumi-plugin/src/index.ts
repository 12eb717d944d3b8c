// The program Pulumi runs for the plugin (PulumiPlugin.yaml; package.json `main`): it serves drkit's
// components over the provider protocol. Their schema is what Pulumi's own analyzer infers from the
// components' TypeScript sources, from this folder's tsconfig.json; schema.json is its reviewed snapshot.
import * as path from "path";
import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { PLUGIN_COMPONENTS, PLUGIN_NAME } from "./components";

componentProviderHost({
  name: PLUGIN_NAME,
  components: PLUGIN_COMPONENTS,
  // The plugin's folder, where the analyzer reads package.json and tsconfig.json.
  dirname: path.resolve(__dirname, ".."),
});
