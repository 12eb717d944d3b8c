export * from "./wire";
export * from "./program";
export * from "./analyzer";
export * from "./graph";
