export * from "./constants";
export * from "./endpoints";
export * as schemas from "./schemas";
export * from "./spec";
export * from "./connection";
export * from "./template";
export * from "./journal";
export * from "./tenant";
export * from "./esv";
