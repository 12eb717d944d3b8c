export * from "./wire";
export * from "./program";
export * from "./analyzer";
export * from "./graph";
export { remoteComponentsOf } from "./remote";
export type { RemoteComponent } from "./remote";
