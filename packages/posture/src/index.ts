export * from "./graph";
export * from "./labels";
