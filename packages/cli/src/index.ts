export * from "./check";
export * from "./project";
export * from "./format";
export * from "./evidence";
export { main, USAGE } from "./main";
export type { Io } from "./main";
