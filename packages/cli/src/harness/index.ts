export * from "./wire";
export * from "./program";
